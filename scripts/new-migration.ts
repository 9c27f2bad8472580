/**
 * `npm run db:new-migration -- <name>`: writes prisma/migrations/<timestamp>_<name>/migration.sql
 * with the SQL that turns the last committed schema into the working one. (With the JS schema
 * engine, `prisma migrate dev` cannot diff against a shadow database, so we diff two schemas.)
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from './paths';

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  process.stderr.write('usage: npm run db:new-migration -- <snake_case_name>\n');
  process.exit(2);
}
const previous = execFileSync('git', ['show', 'HEAD:prisma/schema.prisma'], { cwd: repoRoot, encoding: 'utf8' });
const prevFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cf-schema-')), 'schema.prisma');
fs.writeFileSync(prevFile, previous);
const cli = path.join(path.dirname(require.resolve('prisma/package.json')), 'build', 'index.js');
const sql = execFileSync(
  process.execPath,
  [
    cli,
    'migrate',
    'diff',
    '--from-schema-datamodel',
    prevFile,
    '--to-schema-datamodel',
    'prisma/schema.prisma',
    '--script',
  ],
  { cwd: repoRoot, encoding: 'utf8' },
);
if (!sql.trim() || sql.includes('This is an empty migration')) {
  process.stderr.write('The schema has not changed since the last commit: nothing to write.\n');
  process.exit(1);
}
const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
const dir = path.join(repoRoot, 'prisma', 'migrations', `${stamp}_${name}`);
fs.mkdirSync(dir, { recursive: true });
fs.writeFileSync(path.join(dir, 'migration.sql'), sql);
process.stdout.write(`wrote ${path.relative(repoRoot, dir)}/migration.sql; apply it with npm run db:migrate\n`);
