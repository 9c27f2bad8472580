import { spawnSync } from 'node:child_process';
import path from 'node:path';

/** Applies pending migrations (prisma migrate deploy) to the database at `url`. */
export function migrate(url: string): void {
  const cli = path.join(path.dirname(require.resolve('prisma/package.json')), 'build', 'index.js');
  const res = spawnSync(process.execPath, [cli, 'migrate', 'deploy'], {
    cwd: path.resolve(__dirname, '..'),
    env: { ...process.env, DATABASE_URL: url },
    encoding: 'utf8',
  });
  if (res.status !== 0) {
    throw new Error(
      `prisma migrate deploy failed for ${url}:\n${res.stdout}\n${res.stderr}\nCheck DATABASE_URL and that the database is reachable.`,
    );
  }
}
