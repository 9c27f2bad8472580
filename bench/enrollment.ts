/**
 * `npm run bench -- enrollment`: enrollment throughput through the HTTP API (validation, database rows, workflow
 * start) against a raw `client.workflow.start` of an empty workflow, on the same Temporal dev server
 * in the same run. Prints figures and the ratio, the SQL statements one enrollment makes and what a
 * Prisma query costs on this machine, a bare route (validation and start, no database) as the
 * ceiling HTTP leaves here, and the CPU each phase costs this process and the machine; asserts nothing.
 */
import { Client, Connection } from '@temporalio/client';
import Fastify from 'fastify';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createDb, tuneSqlite } from '../infra/db';
import { buildApi } from '../client/api/server';
import { enrollRequestSchema } from '../client/schemas';
import { createService, START_MARK_LINGER_MS } from '../client/service';
import { createTestDb, enrollRequest, logger, PREFERENCES_SECRET } from '../test/support/fixtures';
import { emptyWorkflow } from '../workflows/bench';
import { pool, print, profiled, round, withCpu } from './common';
import { benchTemporalServer, startBenchApi } from './stack';
import { postFromThread } from './http-load';

const N = Number(process.env.BENCH_N ?? 600);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
/** Slices the API and the bare route take turns in (BENCH_ROUNDS). */
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 6));

/** Mean milliseconds of one call, one at a time, over 500 calls after 50 to warm up. */
async function msPerCall(call: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 50; i++) await call();
  const started = performance.now();
  for (let i = 0; i < 500; i++) await call();
  return (performance.now() - started) / 500;
}

export async function benchEnrollment(): Promise<void> {
  // BENCH_TEMPORAL_ADDRESS: an existing server (another machine, or the dev server on cores of its
  // own) instead of a fresh dev server sharing this machine's cores with the API.
  const server = await benchTemporalServer({ logFile: process.env.BENCH_SERVER_LOG });
  const { db, url } = createTestDb();
  if (!process.env.BENCH_NO_TUNE) await tuneSqlite(db, url);
  const connection = await Connection.connect({ address: server.address });
  const temporal = new Client({ connection });
  const taskQueue = 'bench';
  // Requests are signed like a script's: an admin's API token (its lookup is part of the measured path).
  const { api, base, admin, token } = await startBenchApi({ db, temporal, taskQueue });
  const requests = Array.from({ length: N }, () => enrollRequest());
  process.stderr.write(`warming up...\n`);
  await pool(20, 4, (i) =>
    temporal.workflow.start(emptyWorkflow, { taskQueue, workflowId: `warm-${i}` }).then(() => undefined),
  );

  // The baseline runs before and after the API, and the two are averaged: on two cores the dev
  // server's speed drifts by a tenth within a minute.
  const raw = (when: string) => {
    process.stderr.write(`raw client.workflow.start x${N} (concurrency ${CONCURRENCY}), ${when}...\n`);
    return withCpu(() =>
      pool(N, CONCURRENCY, async (i) => {
        await temporal.workflow.start(emptyWorkflow, { taskQueue, workflowId: `raw-${when}-${i}` });
      }),
    );
  };
  // The bodies are serialised before the clock starts, as a client would have them ready.
  const signed = requests.map((r, i) => ({
    body: JSON.stringify(r),
    headers: { authorization: `Bearer ${token}`, 'idempotency-key': `bench-${i}-${Date.now()}` },
  }));
  const unsigned = signed.map(({ body }) => ({ body }));
  const rawBefore = await raw('before');
  // What HTTP alone costs here: a bare route on the same framework that parses and validates the
  // same body and starts the empty workflow. No database, no token: the API's ceiling on this machine.
  const bare = Fastify();
  bare.post('/enrollments', async (req, reply) => {
    const parsed = enrollRequestSchema.safeParse(req.body);
    if (!parsed.success) return reply.status(400).send({ error: 'invalid' });
    const workflowId = `bare-${crypto.randomUUID()}`;
    await temporal.workflow.start(emptyWorkflow, { taskQueue, workflowId });
    return reply.status(201).send({ workflowId, kind: parsed.data.kind });
  });
  const bareBase = await bare.listen({ port: 0, host: '127.0.0.1' });
  // The two phases in ROUNDS slices each, in the order A B B A A B …, summed: on a machine shared
  // with other work the load drifts within a minute, and slices side by side meet the same load.
  process.stderr.write(
    `POST /enrollments and a bare route (validation and start only), x${N} each in ${ROUNDS} rounds (concurrency ${CONCURRENCY})...\n`,
  );
  const slices = {
    api: [] as Awaited<ReturnType<typeof withCpu>>[],
    bare: [] as Awaited<ReturnType<typeof withCpu>>[],
  };
  const slice = (i: number) => [Math.floor((i * N) / ROUNDS), Math.floor(((i + 1) * N) / ROUNDS)] as const;
  const runApi = (i: number) =>
    withCpu(() =>
      postFromThread(`${base}/enrollments`, signed.slice(...slice(i)), {
        concurrency: CONCURRENCY,
        expect: 201,
        label: 'POST /enrollments',
      }),
    );
  const runBare = (i: number) =>
    withCpu(() =>
      postFromThread(`${bareBase}/enrollments`, unsigned.slice(...slice(i)), {
        concurrency: CONCURRENCY,
        expect: 201,
        label: 'bare route',
      }),
    );
  await profiled('enrollment-api-and-bare', async () => {
    for (let i = 0; i < ROUNDS; i++) {
      const apiFirst = i % 2 === 0;
      if (apiFirst) slices.api.push(await runApi(i));
      slices.bare.push(await runBare(i));
      if (!apiFirst) slices.api.push(await runApi(i));
    }
  });
  const summed = (list: Awaited<ReturnType<typeof withCpu>>[]) => {
    const ms = list.reduce((a, x) => a + x.ms, 0);
    return {
      ms,
      processCores: round(list.reduce((a, x) => a + x.processCores * x.ms, 0) / ms, 2),
      machineCores: round(list.reduce((a, x) => a + x.machineCores * x.ms, 0) / ms, 2),
    };
  };
  const apiPhase = summed(slices.api);
  const barePhase = summed(slices.bare);
  // Each round's ratio: the spread says how far one figure of a loaded machine can be trusted.
  const roundRatios = slices.api.map((a, i) => round(slices.bare[i]!.ms / a.ms, 2));
  await bare.close();
  const rawAfter = await raw('after');
  const [rawBeforeMs, rawAfterMs, apiMs, bareMs] = [rawBefore.ms, rawAfter.ms, apiPhase.ms, barePhase.ms];

  const rate = (ms: number) => (N / ms) * 1000;
  const cpuMsPerRequest = (phase: typeof apiPhase, cores: 'processCores' | 'machineCores') =>
    (phase[cores] * phase.ms) / N;
  const rawRate = (rate(rawBeforeMs) + rate(rawAfterMs)) / 2;
  const apiRate = rate(apiMs);
  const bareRate = rate(bareMs);

  // Where the time goes: SQL statements per enrollment (a second API on a client that counts them,
  // outside the timed run) and what one Prisma query costs here.
  let statements = 0;
  const kinds = new Map<string, number>();
  const counting = createDb(url, {
    onQuery: (text) => {
      statements++;
      // The statement's verb and table, e.g. "INSERT Company", "COMMIT".
      const m = /^\s*(\w+)(?:[^"`]*?[`"](?:main[`"]\.[`"])?(\w+)[`"])?/.exec(text);
      const kind = m
        ? `${m[1]!.toUpperCase()}${m[2] && !/^(BEGIN|COMMIT|ROLLBACK)$/i.test(m[1]!) ? ` ${m[2]}` : ''}`
        : '?';
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    },
  });
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
  // The start marks follow the answers (one UPDATE per START_MARK_LINGER_MS): counted once written.
  await new Promise((r) => setTimeout(r, 2 * START_MARK_LINGER_MS + 100));
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
    rawBeforeAfter: [Number(rate(rawBeforeMs).toFixed(1)), Number(rate(rawAfterMs).toFixed(1))],
    enrollmentsPerSecond: Number(apiRate.toFixed(1)),
    ratio: Number((apiRate / rawRate).toFixed(2)),
    target: 0.8,
    bareRoutePerSecond: Number(bareRate.toFixed(1)),
    bareRouteRatio: Number((bareRate / rawRate).toFixed(2)),
    enrollmentsAgainstBareRoute: Number((apiRate / bareRate).toFixed(2)),
    targetAgainstBareRoute: 0.9,
    roundRatios,
    sqlStatementsPerEnrollment: Number(perEnrollment.toFixed(1)),
    // Over the COUNTED enrollments sent one at a time (so no two share a group), per enrollment.
    sqlStatementsByKind: Object.fromEntries([...kinds].map(([k, n]) => [k, round(n / COUNTED, 2)])),
    // What the enrollment path costs over the bare route, per request: CPU milliseconds of this
    // process (the API's thread, the load thread, the Temporal client) and of the whole machine
    // (with the dev server and whatever else runs); the first is the path's own, the second what the
    // rates follow when the cores are all busy.
    ownCostMsPerEnrollment: {
      process: round(cpuMsPerRequest(apiPhase, 'processCores') - cpuMsPerRequest(barePhase, 'processCores'), 2),
      machine: round(cpuMsPerRequest(apiPhase, 'machineCores') - cpuMsPerRequest(barePhase, 'machineCores'), 2),
      wall: round((apiMs - bareMs) / N, 2),
    },
    loadAverage: fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number),
    prismaFindUniqueMs: Number(queryMs.toFixed(3)),
    prismaRawSelect1Ms: Number(rawQueryMs.toFixed(3)),
    // Cores busy during each phase: this process (load generator thread, API, Temporal client) and
    // the whole machine (with the dev server), and the machine's CPU milliseconds per request. On two
    // shared cores the rates follow what a request costs the machine, server included.
    cpu: Object.fromEntries(
      Object.entries({ rawBefore, api: apiPhase, bare: barePhase, rawAfter }).map(([k, v]) => [
        k,
        {
          process: v.processCores,
          processMsPerRequest: round((v.processCores * v.ms) / N, 2),
          machine: v.machineCores,
          machineMsPerRequest: round((v.machineCores * v.ms) / N, 2),
        },
      ]),
    ),
  });
  await api.close();
  await connection.close();
  await db.$disconnect();
  await server.stop();
}
