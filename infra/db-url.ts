import fs from 'node:fs';
import path from 'node:path';

/** The SQLite file of the embedded stack, under var/ at the repository root. */
export function databaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (url) return url;
  const dir = path.resolve(__dirname, '..', 'var');
  fs.mkdirSync(dir, { recursive: true });
  return `file:${path.join(dir, 'conciliaflow.db')}`;
}

export type Dialect = 'sqlite' | 'postgresql';

/**
 * Which SQL dialect a DATABASE_URL speaks (raw report queries differ in date arithmetic):
 * postgres:// and postgresql:// are PostgreSQL, file: and libsql: are SQLite. Anything else is
 * refused with the URL's password masked.
 */
export function dialectOf(url: string): Dialect {
  if (/^postgres(ql)?:\/\//i.test(url)) return 'postgresql';
  if (/^(file|libsql):/i.test(url)) return 'sqlite';
  throw new Error(
    `DATABASE_URL=${redactUrl(url)} is neither SQLite (file:...) nor PostgreSQL (postgres://... or postgresql://...).`,
  );
}

/** The URL with its password replaced by ***, for logs and error messages. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:@/]*):[^@/]*@/i, '$1:***@');
}
