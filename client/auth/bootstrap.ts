/**
 * First start of the embedded stack: with no users at all, an admin is created with a random
 * password, kept in var/initial-admin.txt (readable only by the owner), and a CLI token, so that
 * `npm start` leads straight to a dashboard one can sign in to and a CLI that works. The password
 * is shown on the terminal only when there is one (bootstrapNotice): a service manager's journal
 * keeps whatever a service prints, for anyone who may read the logs.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../../infra/db';
import { createApiToken, createUser, MAX_TOKEN_DAYS } from './users';

export const BOOTSTRAP_ADMIN_EMAIL = 'admin@conciliaflow.local';

export interface Bootstrap {
  email: string;
  password: string;
  tokenFile: string;
}

export async function bootstrapAdmin(db: Db, varDir: string): Promise<Bootstrap | null> {
  if ((await db.user.count()) > 0) return null;
  const password = crypto.randomBytes(12).toString('base64url');
  const user = await createUser(
    db,
    { role: 'admin', email: BOOTSTRAP_ADMIN_EMAIL, name: 'Amministratore', password },
    { id: 'system:bootstrap', role: 'system' },
  );
  const { token } = await createApiToken(
    db,
    user.id,
    'embedded CLI',
    { id: 'system:bootstrap', role: 'system' },
    MAX_TOKEN_DAYS,
  );
  fs.mkdirSync(varDir, { recursive: true });
  writePrivate(
    path.join(varDir, 'initial-admin.txt'),
    `email: ${BOOTSTRAP_ADMIN_EMAIL}\npassword: ${password}\n` +
      `change it with: npx conciliaflow users password ${BOOTSTRAP_ADMIN_EMAIL}\n`,
  );
  const tokenFile = path.join(varDir, 'cli-token');
  writePrivate(tokenFile, token + '\n');
  return { email: BOOTSTRAP_ADMIN_EMAIL, password, tokenFile };
}

/**
 * A file only its owner can read: a file left by an earlier stack is replaced, not rewritten, since
 * the mode given to writeFileSync applies only to a file it creates.
 */
function writePrivate(file: string, content: string): void {
  fs.rmSync(file, { force: true });
  fs.writeFileSync(file, content, { mode: 0o600, flag: 'wx' });
}

/**
 * What start-up says about the first admin: on a terminal the password, once, with how to change
 * it; anywhere else (a service manager's journal, a CI log) only where the password is kept.
 */
export function bootstrapNotice(b: Bootstrap, varDir: string, isTerminal: boolean): string {
  const file = path.join(varDir, 'initial-admin.txt');
  const change = `change it with: npx conciliaflow users password ${b.email}`;
  return isTerminal
    ? `  First admin    ${b.email} / ${b.password}   (shown once, also in ${file}; ${change})`
    : `  First admin    ${b.email}, password in ${file} (readable only by you; ${change})`;
}

export { cliToken } from './cli-token';
