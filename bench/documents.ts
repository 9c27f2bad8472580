/**
 * `npm run bench -- documents`: document uploads and the dossier of an edition.
 * Uploads: N documents of 200 kB (PDF) through uploadDocument (spool + hash + recognition + store
 * + row and audit), 4 at a time, against the baseline of copying the same bytes to files. Dossier:
 * the edition's ZIP (ats-milano, demo-2026-2027) of those N documents over N/10 enrollments,
 * against the baseline of reading the same files. Filesystem store, SQLite. BENCH_DOCS sets N
 * (default 1,000).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { uploadDocument } from '../client/documents/documents';
import { dossierSelection, writeDossier } from '../client/documents/dossier';
import { filesystemStore } from '../infra/document-store';
import { createTestDb, seedEnrollment } from '../test/support/fixtures';
import { samplePdf } from '../test/support/sample-documents';
import { pool, print, round } from './common';

export async function benchDocuments(): Promise<void> {
  const n = Number(process.env.BENCH_DOCS ?? 1000);
  const perEnrollment = 10;
  const { db, dir } = createTestDb();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cf-bench-docs-'));
  const store = filesystemStore(path.join(root, 'store'));
  const pdf = samplePdf('bench', 200 * 1024);
  const enrollments: string[] = [];
  for (let i = 0; i < Math.ceil(n / perEnrollment); i++)
    enrollments.push(
      await seedEnrollment(db, {
        company: `Bench ${i}`,
        vatNumber: String(20_000_000_000 + i),
        owner: { name: `Titolare ${i}`, email: `t${i}@bench.test` },
        key: `bench-docs-${i}`,
      }),
    );
  const actor = { actor: { id: 'bench', role: 'consultant' }, name: 'Giulia Bianchi', userId: 'bench' };

  fs.mkdirSync(path.join(root, 'copy'));
  const baselineMs = await pool(n, 4, async (i) => {
    await pipeline(Readable.from([pdf]), fs.createWriteStream(path.join(root, 'copy', String(i))));
  });
  const uploadMs = await pool(n, 4, async (i) => {
    await uploadDocument({ db, documents: store }, actor, {
      enrollmentId: enrollments[Math.floor(i / perEnrollment)]!,
      stepKey: 'intake',
      filename: `doc-${i}.pdf`,
      body: Readable.from([pdf]),
    });
  });

  const readStarted = performance.now();
  for (let i = 0; i < n; i++) await fs.promises.readFile(path.join(root, 'copy', String(i)));
  const readMs = performance.now() - readStarted;
  const ids = await dossierSelection(db, {}, { programme: 'demo-2026-2027', ats: 'ats-milano' });
  let zipBytes = 0;
  const dossierStarted = performance.now();
  const { zip, entries } = await writeDossier({ db, documents: store }, ids, { nested: true });
  await pipeline(
    zip,
    new Writable({
      write(c: Buffer, _e, done) {
        zipBytes += c.length;
        done();
      },
    }),
  );
  const dossierMs = performance.now() - dossierStarted;
  const mb = (n * pdf.length) / 2 ** 20;
  print({
    benchmark: 'documents',
    documents: n,
    documentKiB: round(pdf.length / 1024),
    upload: {
      ms: round(uploadMs),
      perSecond: round((n / uploadMs) * 1000),
      mbPerSecond: round((mb / uploadMs) * 1000),
      baselineCopyMs: round(baselineMs),
      ratioToCopy: round(uploadMs / baselineMs, 2),
    },
    dossier: {
      enrollments: ids.length,
      entries,
      zipMiB: round(zipBytes / 2 ** 20),
      ms: round(dossierMs),
      baselineReadMs: round(readMs),
      ratioToRead: round(dossierMs / readMs, 2),
    },
  });
  await db.$disconnect();
  fs.rmSync(root, { recursive: true, force: true });
  fs.rmSync(dir, { recursive: true, force: true });
}
