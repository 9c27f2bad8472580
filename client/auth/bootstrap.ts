/**
 * First start of the embedded stack: with no users at all, an admin is created with a random
 * password (printed once and kept in var/, readable only by the owner) and a CLI token, so that
 * `npm start` leads straight to a dashboard one can sign in to and a CLI that works.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../../activities/db';
import { createApiToken, createUser } from './users';

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
  const { token } = await createApiToken(db, user.id, 'embedded CLI', { id: 'system:bootstrap', role: 'system' });
  fs.mkdirSync(varDir, { recursive: true });
  fs.writeFileSync(path.join(varDir, 'initial-admin.txt'), `email: ${BOOTSTRAP_ADMIN_EMAIL}\npassword: ${password}\n`, {
    mode: 0o600,
  });
  const tokenFile = path.join(varDir, 'cli-token');
  fs.writeFileSync(tokenFile, token + '\n', { mode: 0o600 });
  return { email: BOOTSTRAP_ADMIN_EMAIL, password, tokenFile };
}

/** The CLI's token: CONCILIAFLOW_TOKEN, else the embedded stack's var/cli-token when present. */
export function cliToken(varDir: string): string | undefined {
  if (process.env.CONCILIAFLOW_TOKEN) return process.env.CONCILIAFLOW_TOKEN;
  try {
    return fs.readFileSync(path.join(varDir, 'cli-token'), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}
