/**
 * The compiled CLI: `npm run build:cli` (run by postinstall) leaves dist/cli.js, which
 * bin/conciliaflow.js runs while it is current; `--help` and an API command load commander and the
 * bundle only (no tsx, no Prisma, no zod, no handlebars), print what the TypeScript prints, and a
 * database command still works from the bundle. A source file changed after the build sends the CLI
 * back to tsx. What each run loaded is read from require.cache by test/support/loaded-modules.js.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../scripts/dev-server';
import { buildCli, cliBuildIsCurrent, CLI_DIST } from '../../scripts/build-cli';
import { createTestDatabaseUrl } from '../support/test-databases';

const run = promisify(execFile);
const root = path.resolve(__dirname, '../..');
const cli = path.join(root, 'bin', 'conciliaflow.js');
const recorder = path.join(root, 'test', 'support', 'loaded-modules.js');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cf-cli-build-'));
let runs = 0;

async function conciliaflow(args: string[], env: Record<string, string> = {}) {
  const loadedFile = path.join(work, `loaded-${runs++}.txt`);
  const fullEnv = {
    ...process.env,
    ...env,
    NODE_OPTIONS: `--require ${recorder}`,
    LOADED_MODULES_FILE: loadedFile,
  };
  let result: { code: number; stdout: string; stderr: string };
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args], { env: fullEnv });
    result = { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    result = { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
  const loaded = fs.readFileSync(loadedFile, 'utf8').trim().split('\n');
  return { ...result, loaded };
}

const heavy = /[/\\](tsx|@prisma|prisma|generated|zod|handlebars|@libsql|pg|nodemailer|@temporalio)[/\\]/;

beforeAll(async () => {
  const { inputs } = await buildCli();
  expect(inputs).toBeGreaterThan(10);
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

test('the build leaves dist/cli.js and its input list, and counts as current', () => {
  expect(fs.statSync(path.join(CLI_DIST, 'cli.js')).size).toBeGreaterThan(10_000);
  const { inputs } = JSON.parse(fs.readFileSync(path.join(CLI_DIST, 'cli-inputs.json'), 'utf8')) as {
    inputs: string[];
  };
  expect(inputs).toContain('client/cli/main.ts');
  expect(inputs).toContain('client/cli/db-commands.ts');
  expect(inputs.some((i) => i.startsWith('generated/prisma/'))).toBe(true);
  expect(inputs.some((i) => i.includes('node_modules'))).toBe(false);
  expect(cliBuildIsCurrent()).toBe(true);
});

test('--help runs from the bundle with commander alone, and prints what the TypeScript prints', async () => {
  const built = await conciliaflow(['--help']);
  expect(built.code).toBe(0);
  expect(built.loaded).toContain(path.join(CLI_DIST, 'cli.js'));
  expect(built.loaded.filter((f) => heavy.test(f))).toEqual([]);
  expect(built.loaded.filter((f) => f.endsWith('.ts'))).toEqual([]);
  expect(built.loaded.some((f) => f.includes(`${path.sep}commander${path.sep}`))).toBe(true);

  const source = await conciliaflow(['--help'], { CONCILIAFLOW_CLI_SOURCE: '1' });
  expect(source.code).toBe(0);
  expect(source.loaded).toContain(path.join(root, 'client', 'cli', 'main.ts'));
  expect(built.stdout).toBe(source.stdout);
  expect(built.stdout).toMatch(/users password|revoke-token/);

  for (const sub of ['users', 'report', 'funding', 'import']) {
    const [b, s] = await Promise.all([
      conciliaflow([sub, '--help']),
      conciliaflow([sub, '--help'], { CONCILIAFLOW_CLI_SOURCE: '1' }),
    ]);
    expect(b.code).toBe(0);
    expect(b.stdout).toBe(s.stdout);
    expect(b.loaded.filter((f) => heavy.test(f))).toEqual([]);
  }
});

test('an API command loads no database code, and says when the service is unreachable', async () => {
  const port = await freePort();
  const shown = await conciliaflow(['show', 'enr_missing'], { CONCILIAFLOW_URL: `http://127.0.0.1:${port}` });
  expect(shown.code).toBe(4);
  expect(shown.stderr).toMatch(/Cannot reach http:\/\/127\.0\.0\.1:\d+/);
  expect(shown.loaded).toContain(path.join(CLI_DIST, 'cli.js'));
  expect(shown.loaded.filter((f) => heavy.test(f))).toEqual([]);
});

test('an API command speaks TLS to an https URL, reports redirects and silence, and refuses other schemes', async () => {
  // A plain HTTP server behind an https:// URL: the CLI's TLS handshake fails (it did try TLS).
  const server = http.createServer((_req, res) => res.end('{}'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const port = (server.address() as AddressInfo).port;
    const tls = await conciliaflow(['show', 'enr_x'], { CONCILIAFLOW_URL: `https://127.0.0.1:${port}` });
    expect(tls.code).toBe(4);
    expect(tls.stderr).toMatch(
      /Cannot reach https:\/\/127\.0\.0\.1:\d+ \([\s\S]*(SSL|TLS|wrong version|packet length)/i,
    );
    const plain = await conciliaflow(['show', 'enr_missing'], { CONCILIAFLOW_URL: `http://127.0.0.1:${port}` });
    expect(plain.stderr).not.toMatch(/Cannot reach/);
  } finally {
    server.close();
  }
  // A redirect is reported with where it points, not followed with the token; silence times out.
  const odd = http.createServer((req, res) => {
    if (req.url?.startsWith('/enrollments/enr_moved')) {
      res.writeHead(302, { location: 'https://conciliaflow.example/enrollments/enr_moved' });
      res.end();
    }
    // Anything else: the connection is taken and never answered.
  });
  await new Promise<void>((resolve) => odd.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${(odd.address() as AddressInfo).port}`;
    const moved = await conciliaflow(['show', 'enr_moved'], { CONCILIAFLOW_URL: url });
    expect(moved.code).toBe(3);
    expect(moved.stderr).toMatch(
      /redirect to https:\/\/conciliaflow\.example\/enrollments\/enr_moved.*CONCILIAFLOW_URL/s,
    );
    const silent = await conciliaflow(['show', 'enr_silent'], {
      CONCILIAFLOW_URL: url,
      CONCILIAFLOW_TIMEOUT_MS: '300',
    });
    expect(silent.code).toBe(4);
    expect(silent.stderr).toMatch(/Cannot reach .*no answer within 0\.3 s/);
  } finally {
    odd.closeAllConnections();
    odd.close();
  }
  const ftp = await conciliaflow(['show', 'enr_x'], { CONCILIAFLOW_URL: 'ftp://127.0.0.1:21' });
  expect(ftp.code).toBe(4);
  expect(ftp.stderr).toMatch(/ftp: is not http: or https:.*set CONCILIAFLOW_URL/);
});

test('a database command loads Prisma from the bundle when it runs, and works', async () => {
  const { url } = createTestDatabaseUrl();
  const listed = await conciliaflow(['--json', 'users', 'list'], { DATABASE_URL: url });
  expect(listed.stderr).toBe('');
  expect(listed.code).toBe(0);
  expect(JSON.parse(listed.stdout)).toEqual({ items: [], nextCursor: null });
  expect(listed.loaded).toContain(path.join(CLI_DIST, 'cli.js'));
  expect(listed.loaded.some((f) => f.includes(`${path.sep}@prisma${path.sep}`))).toBe(true);
  expect(listed.loaded.filter((f) => f.endsWith('.ts'))).toEqual([]);
});

test('npx conciliaflow runs the command linked in node_modules/.bin, without installing the project into its cache', async () => {
  expect(fs.realpathSync(path.join(root, 'node_modules', '.bin', 'conciliaflow'))).toBe(fs.realpathSync(cli));
  const cache = path.join(work, 'npm-cache');
  const env = { ...process.env, npm_config_cache: cache, npm_config_update_notifier: 'false' };
  const { stdout } = await run('npx', ['conciliaflow', '--help'], { cwd: root, env });
  expect(stdout).toMatch(/users password|revoke-token/);
  // Had package.json declared the command as its `bin`, npx would have installed the project there.
  expect(fs.existsSync(path.join(cache, '_npx'))).toBe(false);
});

test('a source file changed after the build sends the CLI back to tsx', async () => {
  const file = path.join(root, 'client', 'cli', 'common.ts');
  const before = fs.statSync(file);
  try {
    const later = new Date(Date.now() + 60_000);
    fs.utimesSync(file, later, later);
    expect(cliBuildIsCurrent()).toBe(false);
    const stale = await conciliaflow(['--help']);
    expect(stale.code).toBe(0);
    expect(stale.loaded).not.toContain(path.join(CLI_DIST, 'cli.js'));
    expect(stale.loaded).toContain(path.join(root, 'client', 'cli', 'main.ts'));
  } finally {
    fs.utimesSync(file, before.atime, before.mtime);
  }
  expect(cliBuildIsCurrent()).toBe(true);
});
