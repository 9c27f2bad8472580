/**
 * The account lifecycle through the CLI, on a real database: the password policy at creation,
 * tokens printed with their id and expiry and listed, a password reset that ends sessions,
 * deactivation that revokes tokens, and the first admin's password kept off a non-terminal stdout.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createDb } from '../../infra/db';
import { bootstrapAdmin, bootstrapNotice } from '../../client/auth/bootstrap';
import { principalFromToken, signIn } from '../../client/auth/users';
import { migrate } from '../../infra/migrate';
import { runCli } from '../support/cli';
import { createTestDatabaseUrl } from '../support/test-databases';

const { url: databaseUrl, dir } = createTestDatabaseUrl();
const env = { ...process.env, DATABASE_URL: databaseUrl, CF_PASSWORD: 'vela-campo-notte-93', CF_WEAK: 'password1234' };

// stdin is not a terminal here: no prompt can be shown.
const conciliaflow = (...args: string[]) => runCli(env, ...args);

const db = createDb(databaseUrl);
afterAll(() => db.$disconnect());

test('users: policy, token ids and expiry, listing, password reset, deactivation and reactivation', async () => {
  const weak = await conciliaflow(
    'users',
    'create',
    '--role',
    'consultant',
    '--email',
    'giulia@studio.test',
    '--name',
    'Giulia Bianchi',
    '--password-env',
    'CF_WEAK',
  );
  expect(weak.code).toBe(3);
  expect(weak.stderr).toMatch(/Password non accettata/);
  expect(await db.user.count({ where: { email: 'giulia@studio.test' } })).toBe(0);

  const created = await conciliaflow(
    'users',
    'create',
    '--role',
    'consultant',
    '--email',
    'giulia@studio.test',
    '--name',
    'Giulia Bianchi',
    '--password-env',
    'CF_PASSWORD',
    '--token',
    'cli',
  );
  expect(created.code).toBe(0);
  const firstToken = /^(cf_tok_\S+)$/m.exec(created.stdout)![1]!;
  const firstId = /API token (\S+) \("cli", expires /.exec(created.stdout)![1]!;

  const token = await conciliaflow(
    'users',
    'token',
    'giulia@studio.test',
    '--name',
    'script',
    '--expires-in-days',
    '7',
  );
  expect(token.code).toBe(0);
  const [, id, expires] = /API token (\S+) \("script", expires (\S+);/.exec(token.stdout)!;
  expect((Date.parse(expires!) - Date.now()) / 86_400_000).toBeCloseTo(7, 1);
  const secret = /^(cf_tok_\S+)$/m.exec(token.stdout)![1]!;
  expect((await db.apiToken.findUniqueOrThrow({ where: { id } })).name).toBe('script');
  expect((await conciliaflow('users', 'token', 'giulia@studio.test', '--expires-in-days', '400')).code).toBe(2);

  const list = JSON.parse((await conciliaflow('--json', 'users', 'tokens', 'giulia@studio.test')).stdout);
  expect(list.items.map((t: { id: string }) => t.id).sort()).toEqual([firstId, id].sort());
  expect(JSON.stringify(list)).not.toContain('cf_tok_');
  const table = (await conciliaflow('users', 'tokens', 'giulia@studio.test')).stdout;
  expect(table).toContain(id);
  expect(table).toMatch(/script\s+active/);

  expect((await conciliaflow('users', 'revoke-token', 'giulia@studio.test', id!)).code).toBe(0);
  expect(await principalFromToken(db, secret)).toBeNull();
  expect((await conciliaflow('users', 'revoke-token', 'giulia@studio.test', id!)).code).toBe(3);

  // A password reset ends the user's sessions; without --password-env and no terminal it is a usage error.
  const session = await signIn(db, 'giulia@studio.test', 'vela-campo-notte-93', { address: 'test' });
  expect(session).not.toBeNull();
  expect((await conciliaflow('users', 'password', 'giulia@studio.test')).code).toBe(2);
  const reset = await conciliaflow('users', 'password', 'giulia@studio.test', '--password-env', 'CF_WEAK');
  expect([reset.code, reset.stderr]).toEqual([3, expect.stringMatching(/Password non accettata/)]);
  env.CF_PASSWORD = 'nuvola-treno-sale-15';
  const ok = await conciliaflow('users', 'password', 'giulia@studio.test', '--password-env', 'CF_PASSWORD');
  expect([ok.code, ok.stdout]).toEqual([0, 'password of giulia@studio.test changed; sessions ended: 1\n']);
  expect(await signIn(db, 'giulia@studio.test', 'vela-campo-notte-93', { address: 'test' })).toBeNull();

  expect(await signIn(db, 'giulia@studio.test', 'nuvola-treno-sale-15', { address: 'test' })).not.toBeNull();
  expect(await principalFromToken(db, firstToken)).not.toBeNull();
  const off = await conciliaflow('users', 'deactivate', 'giulia@studio.test');
  expect([off.code, off.stdout]).toEqual([0, 'deactivated giulia@studio.test; sessions ended: 1, tokens revoked: 1\n']);
  expect(await principalFromToken(db, firstToken)).toBeNull();
  expect((await conciliaflow('users', 'list')).stdout).toMatch(/giulia@studio\.test\s+consultant\s+disabled/);
  expect((await conciliaflow('users', 'reactivate', 'giulia@studio.test')).code).toBe(0);
  expect(await signIn(db, 'giulia@studio.test', 'nuvola-treno-sale-15', { address: 'test' })).not.toBeNull();
  const actions = (await db.auditLog.findMany({ where: { actorRole: 'cli' } })).map((e) => e.action);
  expect(actions).toEqual(
    expect.arrayContaining([
      'user.create',
      'token.create',
      'token.revoke',
      'user.password.reset',
      'user.deactivate',
      'user.reactivate',
    ]),
  );
  expect((await conciliaflow('users', 'deactivate', 'nobody@studio.test')).code).toBe(3);
}, 300_000); // 15 CLI processes, each a cold Node start with the database

test('the first admin: password only in a file only the owner reads, and on a terminal only', async () => {
  const url = createTestDatabaseUrl().url;
  migrate(url);
  const fresh = createDb(url);
  try {
    const varDir = path.join(dir, 'var');
    fs.mkdirSync(varDir, { recursive: true });
    // A file left by an earlier stack, readable by all, is replaced rather than rewritten.
    fs.writeFileSync(path.join(varDir, 'initial-admin.txt'), 'old\n', { mode: 0o644 });
    const b = (await bootstrapAdmin(fresh, varDir))!;
    const file = path.join(varDir, 'initial-admin.txt');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.join(varDir, 'cli-token')).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(file, 'utf8')).toContain(`password: ${b.password}`);
    const journal = bootstrapNotice(b, varDir, false);
    expect(journal).not.toContain(b.password);
    expect(journal).toContain(file);
    expect(journal).toContain('npx conciliaflow users password admin@conciliaflow.local');
    expect(bootstrapNotice(b, varDir, true)).toContain(b.password);
    expect(await signIn(fresh, b.email, b.password, { address: 'test' })).not.toBeNull();
  } finally {
    await fresh.$disconnect();
  }
});
