/**
 * The PostgreSQL schema, migrations and client follow prisma/schema.prisma (scripts/pg-schema.ts).
 * A failure here means: run `npm run db:pg-sync` and commit what it writes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expectedPostgresSchema, pgMigrationsDir, pgSchemaPath, widenIntegers } from '../../scripts/pg-schema';

const root = path.resolve(__dirname, '..', '..');
const migrationStamps = (dir: string) =>
  fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name.split('_')[0]!)
    .sort();

test('prisma/postgres/schema.prisma is generated from prisma/schema.prisma (npm run db:pg-sync)', () => {
  expect(fs.readFileSync(pgSchemaPath, 'utf8')).toBe(expectedPostgresSchema());
});

test('every SQLite migration has a PostgreSQL counterpart at least as recent (npm run db:pg-sync)', () => {
  const sqlite = migrationStamps(path.join(root, 'prisma', 'migrations'));
  const pg = migrationStamps(pgMigrationsDir);
  expect(pg.length).toBeGreaterThan(0);
  expect(pg.at(-1)! >= sqlite.at(-1)!).toBe(true);
  expect(fs.readFileSync(path.join(pgMigrationsDir, 'migration_lock.toml'), 'utf8')).toMatch(/provider = "postgresql"/);
});

test('generated/prisma-pg was generated from the current PostgreSQL schema (npm install regenerates it)', () => {
  const client = fs.readFileSync(path.join(root, 'generated', 'prisma-pg', 'internal', 'class.ts'), 'utf8');
  const inline = /"inlineSchema": ("(?:[^"\\]|\\.)*")/.exec(client)?.[1];
  expect(inline).toBeDefined();
  // Prisma embeds the schema as `prisma format` would lay it out: compare without alignment.
  const squeeze = (schema: string) => schema.replace(/[ \t]+/g, ' ').trim();
  expect(squeeze(JSON.parse(inline!))).toBe(squeeze(fs.readFileSync(pgSchemaPath, 'utf8')));
});

test('PostgreSQL migrations give Int fields 64-bit columns, like SQLite', () => {
  const sql = [
    'CREATE TABLE "A" (\n    "n" INTEGER NOT NULL,\n    "id" SERIAL NOT NULL,\n    "note" TEXT DEFAULT \'INTEGER\'\n);',
    'ALTER TABLE "A" ADD COLUMN     "m" INTEGER;',
    'ALTER TABLE "A" ALTER COLUMN "note" SET DATA TYPE INTEGER;',
  ].join('\n');
  expect(widenIntegers(sql)).toBe(
    [
      'CREATE TABLE "A" (\n    "n" BIGINT NOT NULL,\n    "id" BIGSERIAL NOT NULL,\n    "note" TEXT DEFAULT \'INTEGER\'\n);',
      'ALTER TABLE "A" ADD COLUMN     "m" BIGINT;',
      'ALTER TABLE "A" ALTER COLUMN "note" SET DATA TYPE BIGINT;',
    ].join('\n'),
  );
  const init = fs.readdirSync(pgMigrationsDir).find((d) => d.endsWith('_init'))!;
  expect(fs.readFileSync(path.join(pgMigrationsDir, init, 'migration.sql'), 'utf8')).not.toMatch(/\bINTEGER\b/);
});
