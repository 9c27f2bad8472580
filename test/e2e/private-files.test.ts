/**
 * Finding 10: what the embedded stack writes under var/ is private (files 0600, folders 0700),
 * whatever the umask it was started with, and what an earlier version left readable is closed at
 * start-up. The pieces run for real here: the Temporal dev server persisted to a file, the SQLite
 * database with migrations and WAL, the mail catcher's .eml files, the first admin's files.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDb } from '../../infra/db';
import { MailCatcher } from '../../mail/mail-catcher';
import { bootstrapAdmin } from '../../client/auth/bootstrap';
import { freePort, startDevServer } from '../../scripts/dev-server';
import { migrate } from '../../infra/migrate';
import { makePrivate, privateSqliteDatabase } from '../../scripts/private-files';
import { transportFor } from '../support/fixtures';

const mode = (p: string) => fs.statSync(p).mode & 0o777;

let dir: string;
let umask: number;
beforeAll(() => {
  // A permissive umask, as in most shells: the pieces must not rely on the caller's.
  umask = process.umask(0o022);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cf-var-'));
});
afterAll(() => {
  process.umask(umask);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('files an earlier version left readable are closed at start-up', () => {
  const old = path.join(dir, 'old');
  fs.mkdirSync(path.join(old, 'mail'), { recursive: true, mode: 0o755 });
  fs.writeFileSync(path.join(old, 'cli-token'), 'x', { mode: 0o644 });
  fs.writeFileSync(path.join(old, 'mail', 'a.eml'), 'x', { mode: 0o644 });
  makePrivate(old);
  expect(mode(old)).toBe(0o700);
  expect(mode(path.join(old, 'mail'))).toBe(0o700);
  expect(mode(path.join(old, 'cli-token'))).toBe(0o600);
  expect(mode(path.join(old, 'mail', 'a.eml'))).toBe(0o600);
});

test('the Temporal state, the database and its WAL, the caught emails and the first admin files are 0600', async () => {
  const varDir = path.join(dir, 'var');
  makePrivate(varDir);
  const cli = process.env.CF_TEMPORAL_CLI!;
  const server = await startDevServer({
    cliPath: cli,
    dbFile: path.join(varDir, 'temporal.db'),
    port: await freePort(),
  });
  const url = `file:${path.join(varDir, 'conciliaflow.db')}`;
  privateSqliteDatabase(url);
  migrate(url);
  const db = createDb(url);
  const catcher = await MailCatcher.start({ port: 0, dir: path.join(varDir, 'mail') });
  const transport = transportFor(catcher);
  try {
    await db.$executeRawUnsafe('PRAGMA journal_mode=WAL');
    expect(await bootstrapAdmin(db, varDir)).not.toBeNull();
    await transport.sendMail({ from: 'a@conciliaflow.test', to: 'marco@tessitura.test', subject: 's', text: 't' });
    await catcher.waitFor((m) => m.subject === 's', 10_000);
    const files = fs.readdirSync(varDir, { recursive: true, withFileTypes: true });
    const names = files.map((f) => path.relative(varDir, path.join(f.parentPath, f.name))).sort();
    expect(names).toEqual(
      expect.arrayContaining([
        'cli-token',
        'conciliaflow.db',
        'conciliaflow.db-wal',
        'conciliaflow.db-shm',
        'initial-admin.txt',
        'mail',
        'temporal.db',
      ]),
    );
    expect(names.some((n) => n.startsWith('mail/') && n.endsWith('.eml'))).toBe(true);
    for (const f of files) {
      const p = path.join(f.parentPath, f.name);
      expect([path.relative(varDir, p), mode(p)]).toEqual([path.relative(varDir, p), f.isDirectory() ? 0o700 : 0o600]);
    }
    expect(mode(varDir)).toBe(0o700);
  } finally {
    transport.close();
    await catcher.stop();
    await db.$disconnect();
    await server.stop();
  }
});
