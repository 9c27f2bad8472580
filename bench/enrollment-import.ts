/**
 * `npm run bench -- import`: `import enrollments`' reading of a CSV of one company (the worst case
 * for grouping: every row joins the same enrollment), 10,000 against 100,000 rows, read from a file
 * as the CLI reads it. Prints each time, the ratio (about 10 when the work is linear; the quadratic
 * grouping it replaced took 158 s for 100,000 rows) and the memory the parse added. Two files: every
 * participant distinct (refused at the end for more than 500 participants, after every row was
 * checked), and 400 participants repeated (accepted: one enrollment of 400). Asserts nothing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseEnrollmentCsvStream } from '../client/enrollment-csv';
import { isDomainError } from '../domain/errors';
import { print, round } from './common';

const HEADER =
  'programme;kind;company_name;vat_number;province;city;sector;staff;turnover_eur;consultant_name;consultant_email;participant_name;participant_email;participant_role;participant_locale';

function writeCsv(file: string, rows: number, distinct: number): void {
  const out = fs.openSync(file, 'w');
  fs.writeSync(out, HEADER + '\n');
  let batch = '';
  for (let i = 0; i < rows; i++) {
    const p = i % distinct;
    batch += `demo-2026-2027;congedo-flessibilita;"Tessitura; Brianza";01234567890;MB;monza;industria;35;4.500.000,00;Giulia;giulia@studio.it;Persona ${p};p${p}@tessitura.it;employee;it\n`;
    if (batch.length > 1 << 20) {
      fs.writeSync(out, batch);
      batch = '';
    }
  }
  fs.writeSync(out, batch);
  fs.closeSync(out);
}

/** Milliseconds to read and group the file, the enrollments (or the refusal's error count), and the heap it added. */
async function parseFile(file: string) {
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  let peakHeap = heapBefore;
  const sampler = setInterval(() => (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed)), 5);
  const started = performance.now();
  let outcome: string;
  try {
    const rows = await parseEnrollmentCsvStream(fs.createReadStream(file));
    outcome = `${rows.length} enrollment(s), ${rows.reduce((n, r) => n + (r.request.participants?.length ?? 0), 0)} participants`;
  } catch (err) {
    if (!isDomainError(err)) throw err;
    outcome = `refused: ${(err.details as { errors: unknown[] }).errors.length} error(s)`;
  }
  const ms = performance.now() - started;
  clearInterval(sampler);
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  return { ms: round(ms), outcome, peakHeapAddedMiB: round((peakHeap - heapBefore) / 2 ** 20) };
}

export async function benchEnrollmentImport(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cf-import-bench-'));
  try {
    const cases: Record<string, unknown> = {};
    for (const [name, distinct] of [
      ['distinctParticipants', Infinity],
      ['repeatedParticipants', 400],
    ] as const) {
      const small = path.join(dir, `${name}-10000.csv`);
      const large = path.join(dir, `${name}-100000.csv`);
      writeCsv(small, 10_000, Math.min(distinct, 10_000));
      writeCsv(large, 100_000, Math.min(distinct, 100_000));
      await parseFile(small); // warm-up: the JIT, the schema
      process.stderr.write(`${name}: 10,000 rows, then 100,000...\n`);
      const a = await parseFile(small);
      const b = await parseFile(large);
      cases[name] = { rows10000: a, rows100000: b, timeRatio: round(b.ms / a.ms, 2) };
    }
    print({
      benchmark: 'import enrollments: CSV of one company',
      note: 'timeRatio 100,000 / 10,000 rows: about 10 when linear, about 100 when quadratic',
      ...cases,
      rssMiB: round(process.memoryUsage().rss / 2 ** 20),
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
