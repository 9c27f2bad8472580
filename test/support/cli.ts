/** The CLI as the e2e tests run it: bin/conciliaflow.js under this Node, its exit code a result. */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

export const CLI_PATH = path.resolve(__dirname, '../../bin/conciliaflow.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `conciliaflow ...args` with this environment; a non-zero exit is returned, not thrown. */
export async function runCli(env: NodeJS.ProcessEnv, ...args: string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI_PATH, ...args], { env });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as CliResult;
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
