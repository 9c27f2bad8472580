/**
 * Bundles workflows/ in a short-lived child process and hands the code back over IPC. Bundling in
 * the worker's own process (what Worker.create does with workflowsPath) leaves webpack's memory in
 * its RSS for the life of the process: about 125 MiB of a worker's 320 MiB before any workflow
 * runs, measured on this code. WORKFLOW_BUNDLE skips bundling altogether.
 */
import { fork } from 'node:child_process';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';

export function bundleInChildProcess(): Promise<string> {
  return new Promise((resolve, reject) => {
    // Same runtime flags as this process (tsx's loader when run from source).
    const child = fork(path.join(__dirname, `bundle${path.extname(__filename)}`), [], {
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let code: string | undefined;
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    child.on('message', (m) => {
      if (typeof m === 'string') code = m;
    });
    child.on('error', reject);
    child.on('exit', (status) => {
      if (status === 0 && code !== undefined) resolve(code);
      else reject(new Error(`bundling the workflows failed (exit ${status}): ${stderr.trim()}`));
    });
  });
}

if (require.main === module) {
  const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };
  bundleWorkflowCode({ workflowsPath: require.resolve('../workflows'), logger: quiet }).then(
    ({ code }) => process.send!(code, () => process.exit(0)),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
