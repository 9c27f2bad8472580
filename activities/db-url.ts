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

/** Which SQL dialect a DATABASE_URL speaks: raw report queries differ in date arithmetic. */
export function dialectOf(url: string): Dialect {
  return /^postgres(ql)?:/.test(url) ? 'postgresql' : 'sqlite';
}
