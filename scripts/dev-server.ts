/**
 * Starts the Temporal dev server (from the Temporal CLI) as a child process, persisted to a
 * SQLite file, and waits until it answers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { closeSqliteFiles, PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, withPrivateUmask } from './private-files';

export interface DevServer {
  address: string;
  uiUrl?: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export async function startDevServer(opts: {
  cliPath: string;
  /** Omit for an in-memory server. */
  dbFile?: string;
  port: number;
  uiPort?: number;
  logFile?: string;
  timeoutMs?: number;
}): Promise<DevServer> {
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(opts.port), '--log-level', 'warn'];
  if (opts.dbFile) {
    fs.mkdirSync(path.dirname(opts.dbFile), { recursive: true, mode: PRIVATE_DIR_MODE });
    // The persisted state holds every pathway's history (names, addresses): private to this user.
    closeSqliteFiles(opts.dbFile);
    args.push('--db-filename', opts.dbFile);
  }
  if (opts.uiPort) args.push('--ui-port', String(opts.uiPort));
  else args.push('--headless');
  const out = opts.logFile ? fs.openSync(opts.logFile, 'a', PRIVATE_FILE_MODE) : 'ignore';
  // The server inherits the umask: the database (and its -wal/-shm) it creates are 0600.
  const child = withPrivateUmask(() => spawn(opts.cliPath, args, { stdio: ['ignore', out, out] }));
  let exited: number | null = null;
  // A parent that exits without stopping it (a crash, process.exit) takes the server along, so no
  // orphan keeps the port (and the persisted file) for the next start.
  const killOnExit = () => child.kill('SIGTERM');
  process.once('exit', killOnExit);
  child.on('exit', (code) => {
    exited = code ?? -1;
    process.removeListener('exit', killOnExit);
  });
  const address = `127.0.0.1:${opts.port}`;
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  for (;;) {
    if (exited !== null) {
      throw new Error(
        `The Temporal dev server exited with code ${exited} at start${opts.logFile ? `; see ${opts.logFile}` : ''}. Is port ${opts.port} already in use?`,
      );
    }
    try {
      const conn = await Connection.connect({ address, connectTimeout: 1000 });
      await conn.workflowService.getSystemInfo({});
      // The default namespace is registered a moment after the frontend answers.
      await conn.workflowService.describeNamespace({ namespace: 'default' });
      await conn.close();
      break;
    } catch (err) {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`The Temporal dev server did not answer on ${address} within the timeout: ${String(err)}`, {
          cause: err,
        });
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  return {
    address,
    uiUrl: opts.uiPort ? `http://127.0.0.1:${opts.uiPort}` : undefined,
    process: child,
    async stop() {
      if (exited !== null) return;
      const done = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await done;
      clearTimeout(timer);
    },
  };
}
