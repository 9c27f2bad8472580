/**
 * `npm run bench -- enrollment`: enrollment throughput through the HTTP API (validation, database rows, workflow
 * start) against a raw `client.workflow.start` of an empty workflow, on the same Temporal dev server
 * in the same run. Prints figures and the ratio, the SQL statements one enrollment makes and what a
 * Prisma query costs on this machine; asserts nothing.
 */
import { Client, Connection } from '@temporalio/client';
import { createDb, tuneSqlite } from '../activities/db';
import { buildApi } from '../client/api/server';
import { createApiToken, createUser } from '../client/auth/users';
import { createService } from '../client/service';
import { freePort, startDevServer } from '../scripts/dev-server';
import { ensureTemporalCli } from '../scripts/provision';
import { createTestDb, enrollRequest, logger, PREFERENCES_SECRET } from '../test/support/fixtures';
import { emptyWorkflow } from '../workflows/bench';
import { pool, print } from './common';

const N = Number(process.env.BENCH_N ?? 300);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);

/** Mean milliseconds of one call, one at a time, over 500 calls after 50 to warm up. */
async function msPerCall(call: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 50; i++) await call();
  const started = performance.now();
  for (let i = 0; i < 500; i++) await call();
  return (performance.now() - started) / 500;
}

export async function benchEnrollment(): Promise<void> {
  const server = await startDevServer({
    cliPath: ensureTemporalCli(),
    port: await freePort(),
    logFile: process.env.BENCH_SERVER_LOG,
  });
  const { db, url } = createTestDb();
  if (!process.env.BENCH_NO_TUNE) await tuneSqlite(db, url);
  const connection = await Connection.connect({ address: server.address });
  const temporal = new Client({ connection });
  const taskQueue = 'bench';
  const api = await buildApi({
    service: createService({ db, temporal, taskQueue }),
    db,
    temporal,
    logger,
    preferencesSecret: PREFERENCES_SECRET,
  });
  const base = await api.listen({ port: 0, host: '127.0.0.1' });
  // Requests are signed like a script's: an admin's API token (its lookup is part of the measured path).
  const admin = await createUser(
    db,
    { role: 'admin', email: 'bench@bench.test', name: 'Bench' },
    { id: 'bench', role: 'system' },
  );
  const { token } = await createApiToken(db, admin.id, 'bench', { id: 'bench', role: 'system' });
  const requests = Array.from({ length: N }, () => enrollRequest());
  process.stderr.write(`warming up...\n`);
  await pool(20, 4, (i) =>
    temporal.workflow.start(emptyWorkflow, { taskQueue, workflowId: `warm-${i}` }).then(() => undefined),
  );

  process.stderr.write(`raw client.workflow.start x${N} (concurrency ${CONCURRENCY})...\n`);
  const rawMs = await pool(N, CONCURRENCY, async (i) => {
    await temporal.workflow.start(emptyWorkflow, { taskQueue, workflowId: `raw-${i}` });
  });
  process.stderr.write(`POST /enrollments x${N} (concurrency ${CONCURRENCY})...\n`);
  const apiMs = await pool(N, CONCURRENCY, async (i) => {
    const res = await fetch(`${base}/enrollments`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${token}`,
        'idempotency-key': `bench-${i}-${Date.now()}`,
      },
      body: JSON.stringify(requests[i]),
    });
    if (res.status !== 201) throw new Error(`enrollment ${i}: HTTP ${res.status} ${await res.text()}`);
  });
  const rawRate = (N / rawMs) * 1000;
  const apiRate = (N / apiMs) * 1000;

  // Where the time goes: SQL statements per enrollment (a second API on a client that counts them,
  // outside the timed run) and what one Prisma query costs here.
  let statements = 0;
  const counting = createDb(url, { onQuery: () => statements++ });
  const countingApi = await buildApi({
    service: createService({ db: counting, temporal, taskQueue }),
    db: counting,
    temporal,
    logger,
    preferencesSecret: PREFERENCES_SECRET,
  });
  const COUNTED = 20;
  for (let i = 0; i < COUNTED; i++) {
    const res = await countingApi.inject({
      method: 'POST',
      url: '/enrollments',
      headers: { authorization: `Bearer ${token}`, 'idempotency-key': `count-${i}-${Date.now()}` },
      payload: enrollRequest(),
    });
    if (res.statusCode !== 201) throw new Error(`counted enrollment ${i}: HTTP ${res.statusCode} ${res.body}`);
  }
  const perEnrollment = statements / COUNTED;
  await countingApi.close();
  await counting.$disconnect();
  const queryMs = await msPerCall(() => db.user.findUnique({ where: { id: admin.id } }));
  const rawQueryMs = await msPerCall(() => db.$queryRaw`SELECT 1`);
  print({
    benchmark: 'enrollment throughput',
    n: N,
    concurrency: CONCURRENCY,
    rawStartsPerSecond: Number(rawRate.toFixed(1)),
    enrollmentsPerSecond: Number(apiRate.toFixed(1)),
    ratio: Number((apiRate / rawRate).toFixed(2)),
    target: 0.8,
    sqlStatementsPerEnrollment: Number(perEnrollment.toFixed(1)),
    prismaFindUniqueMs: Number(queryMs.toFixed(3)),
    prismaRawSelect1Ms: Number(rawQueryMs.toFixed(3)),
  });
  await api.close();
  await connection.close();
  await db.$disconnect();
  await server.stop();
}
