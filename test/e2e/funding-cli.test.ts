/**
 * The funding ledger through the CLI, on a real database: import (all or nothing, with line
 * numbers), allocation in rank order, scrolling with new money, the per-province report.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createDb } from '../../infra/db';
import { runCli } from '../support/cli';
import { createTestDatabaseUrl } from '../support/test-databases';

// A fresh database (SQLite file, or PostgreSQL with TEST_DATABASE_URL) that the CLI migrates itself.
const { url: databaseUrl, dir } = createTestDatabaseUrl();
const env = { ...process.env, DATABASE_URL: databaseUrl };

const conciliaflow = (...args: string[]) => runCli(env, ...args);

const header = 'code;title;lead_body;province;eligible_cost_eur;requested_grant_eur;rank;status';
const good = [
  header,
  'P1;Nido aziendale;Comune di Lodi;LO;125.000,00;100.000,00;1;admitted',
  'P2;"Centro estivo; ""Sole""";Cooperativa Arca;Bergamo;50.000,00;40.000,00;2;admitted',
  'P3;Doposcuola;Fondazione Ponte;BG;30.000,00;24.000,00;3;admitted',
  'P4;Ludoteca;Comune di Pavia;PV;20.000,00;16.000,00;4;not_admitted',
].join('\n');

test('a file with bad rows is refused line by line and nothing is imported', async () => {
  const bad = [
    header,
    'P1;Nido aziendale;Comune di Lodi;LO;125.000,00;100.000,01;1;admitted',
    'P2;Centro estivo;Cooperativa Arca;Torino;50.000,00;40.000,00;2;admitted',
    'P3;Doposcuola;Fondazione Ponte;BG;10.000,00;8.000,01;3;admitted',
    'P5;Ludoteca;Comune di Pavia;PV;20.000,00;16.000,00;4;admitted',
  ].join('\n');
  fs.writeFileSync(path.join(dir, 'bad.csv'), bad);
  const r = await conciliaflow('funding', 'import', path.join(dir, 'bad.csv'));
  expect(r.code).toBe(3);
  expect(r.stderr).toMatch(/riga\/line 2\b/);
  expect(r.stderr).toMatch(/riga\/line 3\b/);
  expect(r.stderr).toMatch(/riga\/line 4\b/);
  expect(r.stderr).not.toMatch(/riga\/line 5\b/);
  const db = createDb(env.DATABASE_URL);
  expect(await db.fundingProject.count()).toBe(0);
  await db.$disconnect();
});

test('import, fund in rank order, scroll the ranking with new money, report per province', async () => {
  fs.writeFileSync(path.join(dir, 'good.csv'), good);
  expect((await conciliaflow('--json', 'funding', 'import', path.join(dir, 'good.csv'))).stdout).toContain(
    '"imported":4',
  );
  // 130,000: P1 (100,000) fits, P2 (40,000) does not: the ranking stops there.
  const first = JSON.parse((await conciliaflow('--json', 'funding', 'allocate', '--budget', '130000')).stdout);
  expect(first).toMatchObject({ funded: ['P1'], grantedCents: 100_000_00, remainingCents: 30_000_00 });
  // Scrolling with 64,000 more (plus the 30,000 left) funds P2 and P3, never P1 again nor the
  // not-admitted P4; the 30,000 left is kept for the next allocation, not lost.
  const second = JSON.parse((await conciliaflow('--json', 'funding', 'allocate', '--budget', '64.000,00')).stdout);
  expect(second).toMatchObject({
    funded: ['P2', 'P3'],
    carriedCents: 30_000_00,
    grantedCents: 64_000_00,
    remainingCents: 30_000_00,
  });
  const csv = (await conciliaflow('report', 'funding', '--by', 'province', '--format', 'csv')).stdout;
  const rows = Object.fromEntries(
    csv
      .trim()
      .split(/\r?\n/)
      .slice(1)
      .map((l) => l.split(',') as [string, string, string])
      .map(([p, n, eur]) => [p, [Number(n), eur]]),
  );
  expect(rows['Bergamo']).toEqual([2, '64000.00']);
  expect(rows['Lodi']).toEqual([1, '100000.00']);
  expect(rows['Pavia']).toEqual([0, '0.00']);
  expect(rows['TOTALE']).toEqual([3, '164000.00']);
  const html = (await conciliaflow('report', 'funding', '--format', 'html')).stdout;
  expect(html).toContain('<svg');
  expect(html).toContain('164.000,00');
});
