/** `conciliaflow import enrollments`: loaded only when it runs (the CSV reader and the request schema). */
import fs from 'node:fs';
import { isDomainError } from '../../domain/errors';
import { parseEnrollmentCsvStream } from '../enrollment-csv';
import { CliError, failure, printJson, progress, request } from './common';

export async function importEnrollments(
  file: string,
  o: { concurrency: string; programme?: string },
  json: boolean,
): Promise<void> {
  // Read as a stream and grouped as it is read: every row is still checked before anything is sent.
  let rows: Awaited<ReturnType<typeof parseEnrollmentCsvStream>>;
  try {
    rows = await parseEnrollmentCsvStream(file === '-' ? process.stdin : fs.createReadStream(file), {
      ...(o.programme ? { programme: o.programme } : {}),
    });
  } catch (err) {
    if (isDomainError(err)) throw new CliError(err.messages.it, 3);
    if ((err as NodeJS.ErrnoException).syscall) throw new CliError(`Cannot read ${file}: ${(err as Error).message}`, 2);
    throw err;
  }
  const bar = progress(rows.length, 'iscrizioni / enrollments');
  const outcome = { created: 0, existing: 0, refused: [] as { lines: number[]; error: string }[] };
  let next = 0;
  const lane = async () => {
    while (next < rows.length) {
      const row = rows[next++]!;
      const r = await request('POST', '/enrollments', row.request, { 'idempotency-key': row.idempotencyKey });
      if (r.status === 201) outcome.created++;
      else if (r.status === 200) outcome.existing++;
      else if (r.status >= 500 || r.status === 401) throw failure(r);
      else outcome.refused.push({ lines: row.lines, error: failure(r).message });
      bar.tick();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Number(o.concurrency) || 4) }, lane));
  if (json) printJson(outcome);
  else {
    process.stdout.write(
      `iscritte/created ${outcome.created}, già presenti/already there ${outcome.existing}, rifiutate/refused ${outcome.refused.length}\n`,
    );
    for (const f of outcome.refused) process.stdout.write(`  riga/line ${f.lines.join(',')}: ${f.error}\n`);
  }
  if (outcome.refused.length > 0) throw new CliError(`${outcome.refused.length} enrollments refused`, 3);
}
