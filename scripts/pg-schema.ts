/**
 * The PostgreSQL twin of prisma/schema.prisma. Prisma fixes the provider per schema, so
 * prisma/postgres/schema.prisma is generated from the SQLite one (same models; only the
 * datasource provider and the client's output directory differ) and has its own migrations, whose
 * integer columns are 64-bit like SQLite's (widenIntegers).
 *
 *   npm run db:pg-sync [-- <snake_case_name>]
 *     regenerates prisma/postgres/schema.prisma; when the models changed, writes
 *     prisma/postgres/migrations/<name>/migration.sql for the difference (named like the newest
 *     SQLite migration unless a name is given) and regenerates the client in generated/prisma-pg.
 *   npm run db:pg-sync -- --check
 *     exits 1 when prisma/postgres/schema.prisma is not what prisma/schema.prisma generates.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from './paths';

export const sqliteSchemaPath = path.join(repoRoot, 'prisma', 'schema.prisma');
export const pgSchemaPath = path.join(repoRoot, 'prisma', 'postgres', 'schema.prisma');
export const pgMigrationsDir = path.join(repoRoot, 'prisma', 'postgres', 'migrations');
const sqliteMigrationsDir = path.join(repoRoot, 'prisma', 'migrations');

const HEADER = [
  '// GENERATED from prisma/schema.prisma by `npm run db:pg-sync` (scripts/pg-schema.ts): do not edit.',
  '// Change prisma/schema.prisma, add the SQLite migration (npm run db:new-migration -- <name>), then',
  '// run `npm run db:pg-sync` to regenerate this file and write the matching PostgreSQL migration.',
  '// Its migrations give Int fields BIGINT columns, 64-bit like SQLite integers (see widenIntegers).',
  '',
].join('\n');

function replaceOnce(text: string, pattern: RegExp, replacement: string, what: string): string {
  const matches = text.match(
    new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : pattern.flags + 'g'),
  );
  if (matches?.length !== 1) {
    throw new Error(
      `prisma/schema.prisma: expected exactly one ${what} (found ${matches?.length ?? 0}); update scripts/pg-schema.ts.`,
    );
  }
  return text.replace(pattern, replacement);
}

/** The PostgreSQL schema for a SQLite schema's text: same models, other provider and client output. */
export function toPostgresSchema(sqlite: string): string {
  let pg = replaceOnce(
    sqlite,
    /(\n\s*output\s*=\s*)"\.\.\/generated\/prisma"/,
    '$1"../../generated/prisma-pg"',
    'generator output "../generated/prisma"',
  );
  pg = replaceOnce(pg, /(\n\s*provider\s*=\s*)"sqlite"/, '$1"postgresql"', 'datasource provider "sqlite"');
  pg = replaceOnce(
    pg,
    /(\n\s*url\s*=\s*)"file:\.\/unused\.db"/,
    '$1"postgresql://unused@localhost/unused"',
    'datasource url "file:./unused.db"',
  );
  return HEADER + pg;
}

/**
 * SQLite stores every Int in a 64-bit INTEGER, so amounts in cents beyond 2^31 (a medium firm's
 * turnover) fit; PostgreSQL's INTEGER would refuse them. Prisma cannot declare an Int field with a
 * bigint column (`@db.BigInt` needs the BigInt type, hence bigint values in TypeScript), so the
 * PostgreSQL migrations give Int fields BIGINT (and SERIAL, BIGSERIAL) columns instead: Prisma
 * reads them back as numbers, and both databases accept the same values.
 */
export function widenIntegers(sql: string): string {
  return sql
    .replace(/("[^"]+"\s+)INTEGER\b/g, '$1BIGINT')
    .replace(/("[^"]+"\s+)SERIAL\b/g, '$1BIGSERIAL')
    .replace(/(SET DATA TYPE\s+)INTEGER\b/g, '$1BIGINT');
}

export function expectedPostgresSchema(): string {
  return toPostgresSchema(fs.readFileSync(sqliteSchemaPath, 'utf8'));
}

function prisma(args: string[], env: NodeJS.ProcessEnv): string {
  const cli = path.join(path.dirname(require.resolve('prisma/package.json')), 'build', 'index.js');
  return execFileSync(process.execPath, [cli, ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
}

function migrationDirs(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

function sync(name: string | undefined): void {
  const next = expectedPostgresSchema();
  const previous = fs.existsSync(pgSchemaPath) ? fs.readFileSync(pgSchemaPath, 'utf8') : undefined;
  const hasMigrations = migrationDirs(pgMigrationsDir).length > 0;
  if (previous === next && hasMigrations) {
    process.stdout.write('prisma/postgres/schema.prisma is up to date: nothing to do.\n');
    return;
  }

  // Diff the schema the PostgreSQL migrations were made for against the new one.
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cf-pg-schema-'));
  const nextFile = path.join(tmp, 'next.prisma');
  fs.writeFileSync(nextFile, next);
  let from: string[];
  if (hasMigrations && previous !== undefined) {
    const prevFile = path.join(tmp, 'previous.prisma');
    fs.writeFileSync(prevFile, previous);
    from = ['--from-schema-datamodel', prevFile];
  } else {
    from = ['--from-empty'];
  }
  const sql = widenIntegers(
    prisma(['migrate', 'diff', ...from, '--to-schema-datamodel', nextFile, '--script'], {
      // The SQL dialect comes from the schemas' provider. prisma.config.ts still opens its adapter:
      // a throwaway SQLite file needs no server (the PostgreSQL adapter would connect to one).
      DATABASE_URL: `file:${path.join(tmp, 'diff.db')}`,
    }),
  );
  fs.mkdirSync(path.dirname(pgSchemaPath), { recursive: true });
  fs.writeFileSync(pgSchemaPath, next);
  process.stdout.write('wrote prisma/postgres/schema.prisma\n');

  if (sql.trim() && !sql.includes('This is an empty migration')) {
    let dirName: string;
    if (name) {
      dirName = `${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}_${name}`;
    } else if (from[0] === '--from-empty') {
      // The first PostgreSQL migration creates everything the SQLite migrations created so far.
      const latest = migrationDirs(sqliteMigrationsDir).at(-1);
      dirName = `${latest?.split('_')[0] ?? new Date().toISOString().replace(/\D/g, '').slice(0, 14)}_init`;
    } else {
      const latest = migrationDirs(sqliteMigrationsDir).at(-1);
      if (!latest || migrationDirs(pgMigrationsDir).includes(latest)) {
        throw new Error(
          `a PostgreSQL migration named after the newest SQLite one (${latest}) exists already: pass a name, npm run db:pg-sync -- <snake_case_name>`,
        );
      }
      dirName = latest;
    }
    const dir = path.join(pgMigrationsDir, dirName);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'migration.sql'), sql);
    const lock = path.join(pgMigrationsDir, 'migration_lock.toml');
    if (!fs.existsSync(lock)) {
      fs.writeFileSync(
        lock,
        '# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\nprovider = "postgresql"\n',
      );
    }
    process.stdout.write(`wrote ${path.relative(repoRoot, dir)}/migration.sql\n`);
  } else {
    process.stdout.write('the models did not change: no PostgreSQL migration needed.\n');
  }
  prisma(['generate', '--schema', path.relative(repoRoot, pgSchemaPath)], {
    DATABASE_URL: `file:${path.join(tmp, 'diff.db')}`,
  });
  process.stdout.write(
    'regenerated generated/prisma-pg; apply with DATABASE_URL=postgresql://... npm run db:migrate\n',
  );
}

if (require.main === module) {
  const args = process.argv.slice(2);
  try {
    if (args.includes('--check')) {
      const actual = fs.existsSync(pgSchemaPath) ? fs.readFileSync(pgSchemaPath, 'utf8') : '';
      if (actual !== expectedPostgresSchema()) {
        process.stderr.write(
          'prisma/postgres/schema.prisma is out of date with prisma/schema.prisma: run `npm run db:pg-sync`.\n',
        );
        process.exit(1);
      }
      process.stdout.write('prisma/postgres/schema.prisma is in sync.\n');
    } else {
      const name = args.find((a) => !a.startsWith('-'));
      if (name !== undefined && !/^[a-z0-9_]+$/.test(name)) {
        process.stderr.write('usage: npm run db:pg-sync [-- <snake_case_name>] | npm run db:pg-sync -- --check\n');
        process.exit(2);
      }
      sync(name);
    }
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
