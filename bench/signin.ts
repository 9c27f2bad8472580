/**
 * `npm run bench -- signin`: /health latency while 32 wrong-password sign-ins are in flight at
 * once, against the same /health on an idle API measured first in the same run. The flood comes
 * from a worker thread (as from another process); /health is probed one request at a time.
 *
 * - idle: the baseline;
 * - flood, throttled: the default limits (5 per account, 30 per address in 15 minutes), one
 *   address guessing many accounts: a few attempts are hashed, the rest answer 429 from the table;
 * - flood, every attempt hashed: limits out of reach, so each of the requests runs scrypt (in the
 *   threadpool, SCRYPT_CONCURRENCY at a time): what the event loop keeps when hashing is all there is.
 */
import http from 'node:http';
import { Client, Connection } from '@temporalio/client';
import { createDb, tuneSqlite } from '../infra/db';
import { buildApi } from '../client/api/server';
import { SCRYPT_CONCURRENCY } from '../client/auth/secrets';
import { DEFAULT_THROTTLE } from '../client/auth/throttle';
import { createUser } from '../client/auth/users';
import { createService } from '../client/service';
import { freePort, startDevServer } from '../scripts/dev-server';
import { ensureTemporalCli } from '../scripts/provision';
import { createTestDb, logger, PREFERENCES_SECRET } from '../test/support/fixtures';
import { percentile, print, round } from './common';
import { postFromThread, type LoadResult } from './http-load';

const CONCURRENCY = 32;

function get(url: string, agent: http.Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      })
      .on('error', reject);
  });
}

/** Probes /health one request at a time until `until` settles (at least `min` probes); latencies in ms. */
async function probe(url: string, min: number, until?: Promise<unknown>) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const ms: number[] = [];
  let done = until === undefined;
  void until?.finally(() => (done = true));
  while (ms.length < min || !done) {
    const t = performance.now();
    const status = await get(url, agent);
    if (status !== 200) throw new Error(`/health answered ${status}`);
    ms.push(performance.now() - t);
    await new Promise((r) => setTimeout(r, 5));
  }
  agent.destroy();
  const sorted = [...ms].sort((a, b) => a - b);
  return {
    probes: ms.length,
    p50Ms: round(percentile(sorted, 0.5), 2),
    p99Ms: round(percentile(sorted, 0.99), 2),
    maxMs: round(sorted.at(-1)!, 2),
  };
}

export async function benchSignin(): Promise<void> {
  const server = await startDevServer({ cliPath: ensureTemporalCli(), port: await freePort() });
  const { db, url } = createTestDb();
  await tuneSqlite(db, url);
  const connection = await Connection.connect({ address: server.address });
  const temporal = new Client({ connection });
  const deps = {
    service: createService({ db, temporal, taskQueue: 'bench' }),
    db,
    temporal,
    logger,
    preferencesSecret: PREFERENCES_SECRET,
  };
  const throttled = await buildApi(deps);
  // Another client on the same file, as another process would be: no lock remembered from the first flood.
  const unlimited = await buildApi({
    ...deps,
    db: createDb(url),
    signInThrottle: { accountLimit: 1e9, addressLimit: 1e9, windowSeconds: 900, lockSeconds: 900 },
  });
  const baseThrottled = await throttled.listen({ port: 0, host: '127.0.0.1' });
  const baseUnlimited = await unlimited.listen({ port: 0, host: '127.0.0.1' });
  await createUser(
    db,
    { role: 'consultant', email: 'vittima@bench.test', name: 'Vittima', password: 'lungo-fiume-verde-42' },
    { id: 'bench', role: 'system' },
  );
  const wrong = (n: number, emails: number) =>
    Array.from({ length: n }, (_, i) => ({
      body: JSON.stringify({
        email: i % emails === 0 ? 'vittima@bench.test' : `guess${i % emails}@bench.test`,
        password: `wrong-${i}`,
      }),
    }));

  process.stderr.write('warming up...\n');
  await probe(`${baseThrottled}/health`, 50);
  const idle = await probe(`${baseThrottled}/health`, 300);

  const flood = async (base: string, n: number, emails: number) => {
    let result: LoadResult | undefined;
    const sending = postFromThread(`${base}/session`, wrong(n, emails), {
      concurrency: CONCURRENCY,
      expect: [401, 429],
      label: 'flood',
      onResult: (r) => (result = r),
    });
    const health = await probe(`${base}/health`, 50, sending);
    const ms = await sending;
    return {
      health,
      signIns: { requests: n, statuses: result!.statuses, perSecond: round((n / ms) * 1000, 1), ms: round(ms) },
    };
  };
  process.stderr.write('flood, throttled...\n');
  const floodThrottled = await flood(baseThrottled, 1600, 200);
  // The first flood locked this address (and its accounts) in the table: the second starts clean.
  await db.signInThrottle.deleteMany();
  process.stderr.write('flood, every attempt hashed...\n');
  const floodHashed = await flood(baseUnlimited, 320, 320);

  print({
    benchmark: 'signin',
    concurrency: CONCURRENCY,
    scryptConcurrency: SCRYPT_CONCURRENCY,
    throttle: DEFAULT_THROTTLE,
    idle: { health: idle },
    floodThrottled,
    floodHashed,
    ratios: {
      healthP99ThrottledVsIdle: round(floodThrottled.health.p99Ms / idle.p99Ms, 2),
      healthP99HashedVsIdle: round(floodHashed.health.p99Ms / idle.p99Ms, 2),
    },
  });
  await throttled.close();
  await unlimited.close();
  await connection.close();
  await db.$disconnect();
  await server.stop();
}
