/**
 * A step's evidence as documents: upload (spooled while hashed and bounded at 20 MB, recognised by
 * content, stored once, then one row and its audit entry in one transaction), list, download,
 * the completion rule (a step whose evidence is a document needs one) and superseding on reopen.
 * Who may see an enrollment may list and download; upload is for its consultant, its staff (admin,
 * the coordinator of its ATS) and the firm's own SME users. Anyone else gets the 404 of a missing
 * enrollment. A participant's page can call uploadDocument with a participant uploader.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import type { Db } from '../../infra/db';
import { hashingStream, type DocumentStore } from '../../infra/document-store';
import { DomainError } from '../../domain/errors';
import { findPathwayVersion } from '../../domain/catalogue-history';
import type { StepDefinition } from '../../domain/catalogue';
import { audit, type AuditActor } from '../audit';
import { canSeeEnrollment, type Principal } from '../auth/principal';
import { ACCEPTED_TYPES_TEXT, detectDocument } from './detect';

export const MAX_DOCUMENT_BYTES = 20 * 1024 * 1024;

/** Evidence kinds of the catalogue that are met by a document (an attendance register by its sessions). */
export const DOCUMENT_EVIDENCE_KINDS = new Set(['document-ref', 'signed-agreement', 'report']);

export interface DocumentView {
  id: string;
  enrollmentId: string;
  stepKey: string;
  filename: string;
  type: string;
  contentType: string;
  sizeBytes: number;
  sha256: string;
  signerName: string | null;
  uploaderName: string;
  createdAt: string;
  superseded: boolean;
}

type Row = Awaited<ReturnType<Db['document']['findFirstOrThrow']>>;

export function documentView(d: Row): DocumentView {
  return {
    id: d.id,
    enrollmentId: d.enrollmentId,
    stepKey: d.stepKey,
    filename: d.filename,
    type: d.type,
    contentType: d.contentType,
    sizeBytes: d.sizeBytes,
    sha256: d.sha256,
    signerName: d.signerName,
    uploaderName: d.uploaderName,
    createdAt: d.createdAt.toISOString(),
    superseded: d.supersededAt !== null,
  };
}

export function notFound(what: string): DomainError {
  return new DomainError('not_found', { it: `${what}: non trovato.`, en: `${what}: not found.` });
}

type EnrollmentWithCompany = NonNullable<
  Awaited<ReturnType<Db['enrollment']['findUnique']>> & { company: { atsCode: string; networkId: string | null } }
>;

async function loadVisible(db: Db, p: Principal, id: string): Promise<EnrollmentWithCompany> {
  const e = await db.enrollment.findUnique({ where: { id }, include: { company: true } });
  if (!e || !canSeeEnrollment(p, e)) throw notFound(`Iscrizione "${id}" / enrollment "${id}"`);
  return e;
}

/** Upload rights: seeing the enrollment is not enough (a network's own account only reads its members'). */
export function mayUpload(p: Principal, e: EnrollmentWithCompany): boolean {
  if (!canSeeEnrollment(p, e)) return false;
  if (p.role === 'sme') return e.companyId === p.companyId;
  return true;
}

export function stepOf(e: { kind: string; catalogueVersion: number }, stepKey: string): StepDefinition | undefined {
  return findPathwayVersion(e.kind, e.catalogueVersion)?.steps.find((s) => s.key === stepKey);
}

/** The enrollment and step an upload goes to, if this principal may upload there; 404 otherwise. */
export async function uploadTarget(db: Db, p: Principal, enrollmentId: string, stepKey: string) {
  const e = await loadVisible(db, p, enrollmentId);
  if (!mayUpload(p, e)) throw notFound(`Iscrizione "${enrollmentId}" / enrollment "${enrollmentId}"`);
  const step = stepOf(e, stepKey);
  if (!step)
    throw new DomainError('not_found', {
      it: `Il percorso non ha una fase "${stepKey}".`,
      en: `The pathway has no step "${stepKey}".`,
    });
  return { enrollment: e, step };
}

export function tooLarge(): DomainError {
  return new DomainError(
    'document_too_large',
    {
      it: 'Il file supera i 20 MB consentiti: caricare un file più piccolo (per una scansione, una risoluzione minore).',
      en: 'The file is larger than the 20 MB allowed: upload a smaller file (for a scan, a lower resolution).',
    },
    { maxBytes: MAX_DOCUMENT_BYTES },
  );
}

function refusedType(reason?: string): DomainError {
  return new DomainError(
    'unsupported_media_type',
    {
      it: `Tipo di file non accettato (riconosciuto dal contenuto, non dal nome). Tipi accettati: ${ACCEPTED_TYPES_TEXT}.`,
      en: `File type not accepted (recognised by its content, not its name). Accepted types: ${ACCEPTED_TYPES_TEXT.replace('PDF firmato', 'signed PDF')}.`,
    },
    {
      accepted: ['pdf', 'pdfa', 'pdf-signed', 'p7m', 'png', 'jpeg', 'odt', 'docx', 'xlsx'],
      ...(reason ? { reason } : {}),
    },
  );
}

function zipBomb(reason: string): DomainError {
  return new DomainError(
    'document_refused',
    {
      it: `Archivio rifiutato: una volta decompresso sarebbe troppo grande (${reason}).`,
      en: `Archive refused: it would inflate too much (${reason}).`,
    },
    { reason },
  );
}

/** A filename as shown and sent back: its last path segment, single line, at most 200 characters. */
export function cleanFilename(name: string | undefined): string {
  const base = (name ?? '').split(/[\\/]/).pop() ?? '';
  const clean = base
    // eslint-disable-next-line no-control-regex -- control characters are what is removed
    .replace(/[\u0000-\u001f\u007f"]/g, '')
    .trim()
    .slice(0, 200);
  return clean || 'documento';
}

export interface Uploader {
  actor: AuditActor;
  name: string;
  userId?: string;
  participantId?: string;
}

export interface UploadInput {
  enrollmentId: string;
  stepKey: string;
  filename: string;
  body: Readable;
  /** Already scoped to the account (`u:<userId>:<key>`), or undefined. */
  idempotencyKey?: string;
  /** Set by the multipart reader when the part went past the limit. */
  truncated?: () => boolean;
}

/**
 * Stores one document. The bytes are spooled to a private temporary file (hashed, bounded) and
 * recognised before the store sees them, so a refused file leaves nothing; a row that cannot be
 * written takes its object with it. A retried request with the same key answers the same document.
 */
export async function uploadDocument(
  deps: { db: Db; documents: DocumentStore },
  uploader: Uploader,
  input: UploadInput,
): Promise<{ created: boolean; document: DocumentView; enclosedType: string | null }> {
  const { db, documents } = deps;
  if (input.idempotencyKey) {
    const seen = await db.document.findUnique({ where: { idempotencyKey: input.idempotencyKey } });
    if (seen) {
      input.body.resume();
      return { created: false, document: documentView(seen), enclosedType: null };
    }
  }
  const spool = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'cf-upload-'));
  const tmp = path.join(spool, 'file');
  try {
    const hashing = hashingStream();
    let size = 0;
    const limit = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        if (size > MAX_DOCUMENT_BYTES) return done(tooLarge());
        done(null, chunk);
      },
    });
    await pipeline(input.body, limit, hashing, fs.createWriteStream(tmp, { mode: 0o600 })).catch((err: unknown) => {
      // The multipart reader stops a part at the limit with an error of its own.
      throw (err as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE' ? tooLarge() : err;
    });
    if (input.truncated?.()) throw tooLarge();
    const { sha256, size: sizeBytes } = hashing.result();
    if (sizeBytes === 0) throw new DomainError('invalid_request', { it: 'Il file è vuoto.', en: 'The file is empty.' });
    const what = await detectDocument(await fs.promises.readFile(tmp));
    if ('refused' in what) throw what.refused === 'zip_bomb' ? zipBomb(what.reason) : refusedType();
    const storageKey = `${input.enrollmentId}/${Date.now().toString(36)}-${randomBytes(12).toString('hex')}`;
    const stored = await documents.put(storageKey, fs.createReadStream(tmp));
    if (stored.sha256 !== sha256) {
      await documents.discard(storageKey);
      throw new Error('document changed between spooling and storing');
    }
    try {
      const row = await db.$transaction(async (tx) => {
        const d = await tx.document.create({
          data: {
            enrollmentId: input.enrollmentId,
            stepKey: input.stepKey,
            filename: input.filename,
            type: what.type,
            contentType: what.contentType,
            sizeBytes,
            sha256,
            storageKey,
            signerName: what.signerName,
            uploadedById: uploader.userId ?? null,
            uploadedByParticipantId: uploader.participantId ?? null,
            uploaderName: uploader.name,
            idempotencyKey: input.idempotencyKey ?? null,
          },
        });
        await audit(tx, {
          actor: uploader.actor,
          action: 'document.upload',
          entity: 'enrollment',
          entityId: input.enrollmentId,
          after: {
            documentId: d.id,
            stepKey: d.stepKey,
            filename: d.filename,
            type: d.type,
            sha256,
            sizeBytes,
            signerName: d.signerName,
            ...(what.enclosedType ? { enclosedType: what.enclosedType } : {}),
          },
        });
        return d;
      });
      return { created: true, document: documentView(row), enclosedType: what.enclosedType };
    } catch (err) {
      await documents.discard(storageKey);
      // Two requests with one key at once: the one that lost answers what the winner stored.
      if (input.idempotencyKey && (err as { code?: string }).code === 'P2002') {
        const seen = await db.document.findUnique({ where: { idempotencyKey: input.idempotencyKey } });
        if (seen) return { created: false, document: documentView(seen), enclosedType: null };
      }
      throw err;
    }
  } finally {
    input.body.resume();
    await fs.promises.rm(spool, { recursive: true, force: true });
  }
}

export async function listDocuments(db: Db, p: Principal, enrollmentId: string): Promise<DocumentView[]> {
  await loadVisible(db, p, enrollmentId);
  const rows = await db.document.findMany({ where: { enrollmentId }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
  return rows.map(documentView);
}

/** One document's row and bytes, for whoever may see its enrollment (audited); 404 otherwise. */
export async function openDocument(deps: { db: Db; documents: DocumentStore }, p: Principal, id: string) {
  const d = await deps.db.document.findUnique({ where: { id } });
  const missing = notFound(`Documento "${id}" / document "${id}"`);
  if (!d) throw missing;
  const e = await deps.db.enrollment.findUnique({ where: { id: d.enrollmentId }, include: { company: true } });
  if (!e || !canSeeEnrollment(p, e)) throw missing;
  const stream = await deps.documents.get(d.storageKey);
  await audit(deps.db, {
    actor: { id: p.userId, role: p.role },
    action: 'document.download',
    entity: 'enrollment',
    entityId: d.enrollmentId,
    after: { documentId: d.id, stepKey: d.stepKey, sha256: d.sha256 },
  });
  return { document: documentView(d), stream };
}

/** The Content-Disposition of a download: always an attachment, the name in ASCII and in UTF-8. */
export function attachmentHeader(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

/**
 * Completing a step whose evidence is a document needs one that is not superseded: checked before
 * the Update, so a refusal changes nothing.
 */
export async function requireStepDocument(
  db: Db,
  e: { id: string; kind: string; catalogueVersion: number },
  stepKey: string,
): Promise<void> {
  const step = stepOf(e, stepKey);
  if (!step?.evidence || !DOCUMENT_EVIDENCE_KINDS.has(step.evidence.kind)) return;
  const count = await db.document.count({ where: { enrollmentId: e.id, stepKey, supersededAt: null } });
  if (count > 0) return;
  throw new DomainError(
    'document_required',
    {
      it: `Per completare "${step.name.it}" serve un documento (${step.evidence.label.it}): caricarlo prima dalla pagina Documenti del percorso.`,
      en: `Completing "${step.name.en}" needs a document (${step.evidence.label.en}): upload it first from the pathway's Documents page.`,
    },
    { stepKey, evidence: step.evidence.kind },
  );
}

/** A reopened step keeps its documents, marked superseded: the next completion needs a new one. */
export async function supersedeStepDocuments(db: Db, enrollmentId: string, stepKey: string): Promise<number> {
  const { count } = await db.document.updateMany({
    where: { enrollmentId, stepKey, supersededAt: null },
    data: { supersededAt: new Date() },
  });
  return count;
}

type StepAct<R extends { stepKey: string }, K, O> = (id: string, req: R, known?: K) => Promise<O>;

/**
 * Wraps a completion so that the document rule runs first (API and dashboard alike). It judges the
 * row the caller read for access (`known`: its current step), read here only without one.
 */
export function withDocumentRule<
  R extends { stepKey: string },
  K extends { id: string; kind: string; catalogueVersion: number; currentStep: string | null },
  O,
>(db: Db, act: StepAct<R, K, O>): StepAct<R, K, O> {
  return async (id, req, known) => {
    const e =
      known ??
      (await db.enrollment.findUnique({
        where: { id },
        select: { id: true, kind: true, catalogueVersion: true, currentStep: true },
      }));
    // Only the open step needs its document here: any other is refused by the pathway itself, with
    // its own reason (not yet open, already completed), which says more than "a document is missing".
    if (e && e.currentStep === req.stepKey) await requireStepDocument(db, e, req.stepKey);
    return act(id, req, known);
  };
}

/** Wraps a reopening so that the step's documents are superseded once it succeeded. */
export function withSupersede<R extends { stepKey: string }, K, O>(db: Db, act: StepAct<R, K, O>): StepAct<R, K, O> {
  return async (id, req, known) => {
    const out = await act(id, req, known);
    await supersedeStepDocuments(db, id, req.stepKey);
    return out;
  };
}
