/**
 * The pieces the service benchmarks stand up alike: a Temporal server, the workflow bundle, the API
 * with an admin's token. Apart from ./common so the light benchmarks load none of it.
 */
import type { Client } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { buildApi } from '../client/api/server';
import { createApiToken, createUser } from '../client/auth/users';
import { createService } from '../client/service';
import type { Db } from '../infra/db';
import { freePort, startDevServer } from '../scripts/dev-server';
import { ensureTemporalCli } from '../scripts/provision';
import { logger, PREFERENCES_SECRET } from '../test/support/fixtures';

/** BENCH_TEMPORAL_ADDRESS: an existing server (e.g. `npm run temporal:pg`) instead of a fresh dev server. */
export async function benchTemporalServer(opts: { logFile?: string } = {}): Promise<{
  address: string;
  stop: () => Promise<void>;
}> {
  const existing = process.env.BENCH_TEMPORAL_ADDRESS;
  return existing
    ? { address: existing, stop: async () => undefined }
    : await startDevServer({ cliPath: ensureTemporalCli(), port: await freePort(), ...opts });
}

/** The workflows bundled once, quietly, for the benchmark's workers. */
export async function bundleBenchWorkflows() {
  process.stderr.write('bundling workflows...\n');
  return bundleWorkflowCode({
    workflowsPath: require.resolve('../workflows'),
    logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} },
  });
}

/** The API on a free port, and an admin's API token to sign requests like a script's. */
export async function startBenchApi(deps: { db: Db; temporal: Client; taskQueue: string }) {
  const { db, temporal, taskQueue } = deps;
  const api = await buildApi({
    service: createService({ db, temporal, taskQueue }),
    db,
    temporal,
    logger,
    preferencesSecret: PREFERENCES_SECRET,
  });
  const base = await api.listen({ port: 0, host: '127.0.0.1' });
  const admin = await createUser(
    db,
    { role: 'admin', email: 'bench@bench.test', name: 'Bench' },
    { id: 'bench', role: 'system' },
  );
  const { token } = await createApiToken(db, admin.id, 'bench', { id: 'bench', role: 'system' });
  return { api, base, admin, token };
}

/** Everything a worker benchmark opened, closed in order once its workers have stopped. */
export async function closeBenchStack(s: {
  transport: { close(): void };
  connection: { close(): Promise<void> };
  nativeConnection: { close(): Promise<void> };
  catcher: { stop(): Promise<void> };
  db: Db;
  server: { stop(): Promise<void> };
}): Promise<void> {
  s.transport.close();
  await s.connection.close();
  await s.nativeConnection.close();
  await s.catcher.stop();
  await s.db.$disconnect();
  await s.server.stop();
}
