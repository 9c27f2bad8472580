/**
 * The dossier an ATS checks: a ZIP (streamed with yazl) of one enrollment, or of every enrollment of
 * an alliance project or of an ATS in an edition, each with its documents, attendance registers
 * (CSV), self-declaration (JSON and readable text) and timeline (CSV and JSON); at the root
 * `manifest.json` (file, step, uploader, time, SHA-256 of every file) and `manifest.sha256`, whose
 * lines `sha256sum -c manifest.sha256` verifies after unzipping.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import yazl from 'yazl';
import type { Prisma } from '../../generated/prisma/client';
import type { Db } from '../../infra/db';
import type { DocumentStore } from '../../infra/document-store';
import { formatRomeDateTime } from '../../domain/calendar';
import { formatEuro } from '../../domain/money';
import { findPathwayVersion } from '../../domain/catalogue-history';
import { enrollmentTimeline } from '../../reports/milestones';
import { csvCell } from '../../reports/csv';
import { registerCsv, registerOf, registerSteps } from './attendance';

export interface ManifestEntry {
  file: string;
  enrollmentId: string;
  kind: 'document' | 'register' | 'self-declaration' | 'timeline';
  step: string | null;
  uploader: string | null;
  time: string | null;
  sha256: string;
  sizeBytes: number;
  documentType?: string;
  signerName?: string | null;
  superseded?: boolean;
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A name safe in a ZIP on every system: no path, no control or reserved characters. */
function safeName(name: string): string {
  return (
    name
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u001f\u007f<>:"/\\|?*]/g, '_')
      .replace(/^\.+/, '_')
      .slice(0, 120) || 'documento'
  );
}

type Enrollment = NonNullable<Awaited<ReturnType<typeof loadEnrollments>>[number]>;

function loadEnrollments(db: Db, ids: string[]) {
  return db.enrollment.findMany({
    where: { id: { in: ids } },
    include: { company: true },
    orderBy: { id: 'asc' },
  });
}

function selfDeclaration(e: Enrollment) {
  const c = e.company;
  return {
    enrollmentId: e.id,
    company: {
      name: c.name,
      vatNumber: c.vatNumber,
      province: c.province,
      city: c.city,
      sector: c.sector,
      size: c.size,
      staff: c.staff,
      peopleEmployed: c.peopleEmployed,
      turnoverCents: c.turnoverCents,
      balanceSheetCents: c.balanceSheetCents,
      relations: c.relations === null ? null : (JSON.parse(c.relations) as unknown),
      atecoCode: c.atecoCode,
      craftRegistered: c.craftRegistered,
    },
    declaration: {
      declarantName: c.declarantName,
      declarantRole: c.declarantRole,
      declaredByUserId: c.declaredByUserId,
      declaredAt: c.declaredAt?.toISOString() ?? null,
      acceptedAt: c.declarationAcceptedAt?.toISOString() ?? null,
    },
  };
}

function selfDeclarationText(e: Enrollment): string {
  const c = e.company;
  const money = (cents: number | null) => (cents === null ? '—' : formatEuro(cents, 'it'));
  return [
    'AUTODICHIARAZIONE (DPR 445/2000) / SELF-DECLARATION',
    '',
    `Impresa / Company: ${c.name}`,
    `Partita IVA o codice fiscale / VAT number or tax code: ${c.vatNumber}`,
    `Provincia / Province: ${c.province}${c.city ? ` (${c.city})` : ''}`,
    `Settore / Sector: ${c.sector}`,
    `Dimensione / Size: ${c.size}`,
    `Addetti (ULA) / Staff (AWU): ${c.staff}`,
    `Fatturato / Turnover: ${money(c.turnoverCents)}`,
    `Totale di bilancio / Balance sheet: ${money(c.balanceSheetCents)}`,
    '',
    `Dichiarante / Declarant: ${c.declarantName ?? '—'} (${c.declarantRole ?? '—'})`,
    `Dichiarato il / Declared on: ${c.declaredAt ? formatRomeDateTime(c.declaredAt.getTime(), 'it') : '—'}`,
    `Accettata il / Accepted on: ${c.declarationAcceptedAt ? formatRomeDateTime(c.declarationAcceptedAt.getTime(), 'it') : '—'}`,
    '',
  ].join('\r\n');
}

function timelineCsv(items: Awaited<ReturnType<typeof enrollmentTimeline>>): string {
  const header = ['seq', 'type', 'step', 'actor', 'occurred at', 'due at', 'on time', 'evidence', 'note'];
  const lines = [header.join(',')];
  for (const m of items)
    lines.push(
      [m.seq, m.type, m.stepKey, m.actor, m.occurredAt, m.dueAt, m.onTime, m.evidence, m.note].map(csvCell).join(','),
    );
  return lines.join('\r\n') + '\r\n';
}

/**
 * Writes the dossier of these enrollments to a ZIP whose stream the caller pipes out. Documents are
 * opened one at a time as the ZIP reaches them; their hashes are the ones recorded at upload, so a
 * file changed in the store since fails `sha256sum -c`.
 */
export async function writeDossier(
  deps: { db: Db; documents: DocumentStore },
  enrollmentIds: string[],
  opts: { nested: boolean },
): Promise<{ zip: Readable; entries: number }> {
  const { db, documents } = deps;
  const zip = new yazl.ZipFile();
  // A document the store cannot give (gone, unreachable) aborts the download instead of the process.
  zip.on('error', (err: Error) => (zip.outputStream as Readable).destroy(err));
  const manifest: ManifestEntry[] = [];
  const enrollments = await loadEnrollments(db, enrollmentIds);
  const addBuffer = (entry: Omit<ManifestEntry, 'sha256' | 'sizeBytes'>, data: Buffer) => {
    zip.addBuffer(data, entry.file);
    manifest.push({ ...entry, sha256: sha(data), sizeBytes: data.length });
  };
  for (const e of enrollments) {
    const base = opts.nested ? `${e.id}/` : '';
    const docs = await db.document.findMany({
      where: { enrollmentId: e.id },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
    docs.forEach((d, i) => {
      const file = `${base}documents/${safeName(d.stepKey)}/${String(i + 1).padStart(3, '0')}-${safeName(d.filename)}`;
      zip.addReadStreamLazy(file, { size: d.sizeBytes }, (cb) => {
        documents.get(d.storageKey).then(
          (s) => cb(null, s),
          (err: unknown) => cb(err, undefined as unknown as Readable),
        );
      });
      manifest.push({
        file,
        enrollmentId: e.id,
        kind: 'document',
        step: d.stepKey,
        uploader: d.uploaderName,
        time: d.createdAt.toISOString(),
        sha256: d.sha256,
        sizeBytes: d.sizeBytes,
        documentType: d.type,
        signerName: d.signerName,
        superseded: d.supersededAt !== null,
      });
    });
    const def = findPathwayVersion(e.kind, e.catalogueVersion);
    for (const stepKey of registerSteps(e, def?.steps ?? [])) {
      const register = await registerOf(db, e, stepKey);
      if (register.sessions.length === 0) continue;
      addBuffer(
        {
          file: `${base}registers/${safeName(stepKey)}.csv`,
          enrollmentId: e.id,
          kind: 'register',
          step: stepKey,
          uploader: null,
          time: null,
        },
        Buffer.from(registerCsv(register)),
      );
    }
    const declaredAt = e.company.declaredAt?.toISOString() ?? null;
    addBuffer(
      {
        file: `${base}self-declaration.json`,
        enrollmentId: e.id,
        kind: 'self-declaration',
        step: null,
        uploader: e.company.declarantName,
        time: declaredAt,
      },
      Buffer.from(JSON.stringify(selfDeclaration(e), null, 2) + '\n'),
    );
    addBuffer(
      {
        file: `${base}self-declaration.txt`,
        enrollmentId: e.id,
        kind: 'self-declaration',
        step: null,
        uploader: e.company.declarantName,
        time: declaredAt,
      },
      Buffer.from(selfDeclarationText(e)),
    );
    const timeline = await enrollmentTimeline(db, e.id);
    addBuffer(
      { file: `${base}timeline.json`, enrollmentId: e.id, kind: 'timeline', step: null, uploader: null, time: null },
      Buffer.from(JSON.stringify(timeline, null, 2) + '\n'),
    );
    addBuffer(
      { file: `${base}timeline.csv`, enrollmentId: e.id, kind: 'timeline', step: null, uploader: null, time: null },
      Buffer.from(timelineCsv(timeline)),
    );
  }
  const manifestJson = Buffer.from(
    JSON.stringify(
      { generatedAt: new Date().toISOString(), enrollments: enrollments.map((e) => e.id), files: manifest },
      null,
      2,
    ) + '\n',
  );
  zip.addBuffer(manifestJson, 'manifest.json');
  // Two spaces between hash and name: the format sha256sum -c reads (binary-safe, names as stored).
  const lines = [...manifest.map((m) => `${m.sha256}  ${m.file}`), `${sha(manifestJson)}  manifest.json`];
  zip.addBuffer(Buffer.from(lines.join('\n') + '\n'), 'manifest.sha256');
  zip.end();
  return { zip: zip.outputStream as Readable, entries: manifest.length + 2 };
}

/** The enrollments an edition dossier covers: an ATS in a programme, or an alliance project. */
export async function dossierSelection(
  db: Db,
  scope: Prisma.EnrollmentWhereInput,
  by: { programme: string; ats: string } | { alliance: string },
): Promise<string[]> {
  const rows = await db.enrollment.findMany({
    where: {
      AND: [
        scope,
        'alliance' in by
          ? { allianceCode: by.alliance }
          : { programmeCode: by.programme, company: { atsCode: by.ats } },
      ],
    },
    select: { id: true },
    orderBy: { id: 'asc' },
  });
  return rows.map((r) => r.id);
}
