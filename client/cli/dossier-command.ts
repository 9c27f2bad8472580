/**
 * `conciliaflow dossier export`: the dossier ZIP of an enrollment, of an ATS in an edition or of an
 * alliance project, downloaded through the API (GET /enrollments/:id/dossier.zip, GET /dossiers) to
 * a file, written under a temporary name and renamed once complete. Prints the file and its SHA-256.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { baseUrl, CliError, failure, token } from './common';

interface DossierOptions {
  out?: string;
  programme?: string;
  ats?: string;
  alliance?: string;
}

export async function exportDossier(enrollment: string | undefined, o: DossierOptions): Promise<string> {
  let url: string;
  let name: string;
  if (o.alliance) {
    url = `/dossiers?alliance=${encodeURIComponent(o.alliance)}`;
    name = `dossier-${o.alliance}.zip`;
  } else if (o.programme || o.ats) {
    if (!o.programme || !o.ats) throw new CliError('--programme and --ats go together (an ATS in an edition).', 2);
    url = `/dossiers?programme=${encodeURIComponent(o.programme)}&ats=${encodeURIComponent(o.ats)}`;
    name = `dossier-${o.programme}-${o.ats}.zip`;
  } else if (enrollment) {
    url = `/enrollments/${encodeURIComponent(enrollment)}/dossier.zip`;
    name = `dossier-${enrollment}.zip`;
  } else throw new CliError('Give an enrollment id, or --programme <code> --ats <code>, or --alliance <code>.', 2);
  const out = path.resolve(o.out ?? name.replace(/[^A-Za-z0-9._-]/g, '_'));
  let res: Response;
  try {
    res = await fetch(`${baseUrl()}${url}`, {
      headers: {
        'accept-language': process.env.CONCILIAFLOW_LANG ?? 'it',
        ...(token() ? { authorization: `Bearer ${token()}` } : {}),
      },
    });
  } catch (err) {
    throw new CliError(
      `Cannot reach ${baseUrl()} (${(err as Error).message}). Start the service with \`npm start\` or set CONCILIAFLOW_URL.`,
      4,
    );
  }
  if (res.status >= 400 || !res.body) {
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text) as unknown;
    } catch {
      json = null;
    }
    throw failure({ status: res.status, json, text });
  }
  const partial = `${out}.partial-${process.pid}`;
  const hash = createHash('sha256');
  let bytes = 0;
  try {
    await pipeline(
      Readable.fromWeb(res.body as import('node:stream/web').ReadableStream),
      new Transform({
        transform(chunk: Buffer, _e, done) {
          hash.update(chunk);
          bytes += chunk.length;
          done(null, chunk);
        },
      }),
      fs.createWriteStream(partial, { mode: 0o600 }),
    );
    fs.renameSync(partial, out);
  } catch (err) {
    fs.rmSync(partial, { force: true });
    throw new CliError(`The download stopped: ${(err as Error).message}. Nothing was written to ${out}.`, 4);
  }
  process.stdout.write(`${out}\n${bytes} bytes, SHA-256 ${hash.digest('hex')}\n`);
  process.stderr.write('unzip it and check it with: sha256sum -c manifest.sha256\n');
  return out;
}

export function registerDossierCommands(program: Command): void {
  program
    .command('dossier')
    .description('dossiers for the ATS checks: documents, registers, self-declaration, timeline, manifest')
    .command('export [enrollment]')
    .description('download the dossier ZIP of an enrollment, of an ATS in an edition, or of an alliance project')
    .option('-o, --out <file>', 'where to write the ZIP (default: dossier-<id>.zip here)')
    .option('--programme <code>', 'an edition (with --ats; admin or coordinator)')
    .option('--ats <code>', 'the ATS of the edition dossier (e.g. ats-brianza)')
    .option('--alliance <code>', 'an alliance project (admin or coordinator)')
    .action(async (enrollment: string | undefined, o: DossierOptions) => {
      await exportDossier(enrollment, o);
    });
}
