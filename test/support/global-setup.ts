/**
 * Once per test run: make sure both Temporal servers exist (building them on a fresh machine) and
 * bundle the workflow code once, so each test file starts its worker in a second, not ten. On
 * PostgreSQL (TEST_DATABASE_URL), check the server and clear databases left by interrupted runs.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { ensureTemporalCli, ensureTestServer } from '../../scripts/provision';
import { preparePgTestServer, testPostgresUrl } from './test-databases';

export default async function globalSetup(): Promise<void> {
  const pgServer = testPostgresUrl();
  if (pgServer) await preparePgTestServer(pgServer);
  process.env.CF_TEMPORAL_CLI = ensureTemporalCli(true);
  process.env.CF_TEST_SERVER = ensureTestServer(true);
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    logger: { trace() {}, debug() {}, info() {}, warn() {}, error: (m: string) => console.error(m), log() {} },
  });
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cf-bundle-')), 'workflows.js');
  fs.writeFileSync(file, code);
  process.env.CF_WORKFLOW_BUNDLE = file;
}
