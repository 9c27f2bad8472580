/**
 * The embedded Temporal dev server goes away with the process that started it, even when that
 * process ends without stopping it (a crash ending in process.exit): an orphan would keep the port
 * and the persisted file from the next `npm start`.
 */
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { freePort } from '../../scripts/dev-server';
import { until } from '../support/fixtures';

jest.setTimeout(90_000);

const portFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const srv = net.createServer().once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });

test('a parent that exits without stopping the dev server takes it along', async () => {
  const port = await freePort();
  const script = `
    const { startDevServer } = require(${JSON.stringify(path.resolve(__dirname, '../../scripts/dev-server'))});
    startDevServer({ cliPath: process.env.CF_TEMPORAL_CLI, port: ${port} }).then((s) => {
      process.stdout.write('pid ' + s.process.pid + '\\n');
      process.exit(1); // as a crash would, without s.stop()
    });
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const pid = Number(/pid (\d+)/.exec(out)?.[1]);
  expect(code).toBe(1);
  expect(pid).toBeGreaterThan(0);
  // The server let go of its port: the next start can have it.
  await until(`the dev server (pid ${pid}) to let go of port ${port}`, () => portFree(port), 15_000);
});
