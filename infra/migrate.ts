import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { databaseUrl, dialectOf, redactUrl } from './db-url';

/**
 * Loaded into the Prisma CLI before it starts. On PostgreSQL the JS schema engine arms a 10 s
 * timer for taking its advisory lock and never clears it, so every `migrate deploy` lingered 10 s
 * after finishing. Unref'd, the timer still fires while the CLI waits for the lock (the database
 * connection keeps the process alive) but no longer holds up the exit.
 */
const UNREF_LOCK_TIMER = `
const setTimeout_ = globalThis.setTimeout;
globalThis.setTimeout = function (fn, ms, ...args) {
  const timer = setTimeout_.call(this, fn, ms, ...args);
  if (ms === 10000 && /prisma[\\\\/]build[\\\\/]index\\.js/.test(new Error().stack ?? '')) timer.unref();
  return timer;
};
`;

/**
 * Applies pending migrations (prisma migrate deploy) to the database at `url`: prisma.config.ts
 * picks prisma/migrations for SQLite (file:) and prisma/postgres/migrations for PostgreSQL.
 */
export function migrate(url: string): string {
  dialectOf(url); // refuses an unsupported URL before starting the CLI
  const cli = path.join(path.dirname(require.resolve('prisma/package.json')), 'build', 'index.js');
  const res = spawnSync(
    process.execPath,
    ['--import', `data:text/javascript,${encodeURIComponent(UNREF_LOCK_TIMER)}`, cli, 'migrate', 'deploy'],
    {
      cwd: path.resolve(__dirname, '..'),
      env: { ...process.env, DATABASE_URL: url },
      encoding: 'utf8',
    },
  );
  if (res.status !== 0) {
    throw new Error(
      `prisma migrate deploy failed for ${redactUrl(url)}:\n${res.stdout}\n${res.stderr}\nCheck DATABASE_URL and that the database is reachable.`,
    );
  }
  return res.stdout;
}

// `npm run db:migrate`: the configured database (DATABASE_URL, default the embedded SQLite file).
if (require.main === module) {
  try {
    process.stdout.write(migrate(databaseUrl()));
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
