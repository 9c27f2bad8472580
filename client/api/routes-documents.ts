/**
 * Documents as a step's evidence: upload (multipart, part `file`, 20 MB), list, download. Every
 * route answers 404 to a caller who may not see (or, for uploads, add to) the enrollment, anonymous
 * callers included, so nothing tells an existing enrollment from a missing one.
 */
import multipart from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { DomainError } from '../../domain/errors';
import type { DocumentStore } from '../../infra/document-store';
import { auditActor } from '../audit';
import type { Principal } from '../auth/principal';
import {
  attachmentHeader,
  cleanFilename,
  listDocuments,
  MAX_DOCUMENT_BYTES,
  notFound,
  openDocument,
  uploadDocument,
  uploadTarget,
  type DocumentView,
} from '../documents/documents';
import type { AnyFastify, ApiRegistry } from './registry';
import { registerRegisterRoutes } from './routes-registers';
import type { ApiDeps } from './server';

export const documentSchema = z
  .object({
    id: z.string(),
    enrollmentId: z.string(),
    stepKey: z.string(),
    filename: z.string(),
    type: z
      .enum(['pdf', 'pdfa', 'pdf-signed', 'p7m', 'png', 'jpeg', 'odt', 'docx', 'xlsx'])
      .describe('Recognised from the content, never from the name'),
    contentType: z.string(),
    sizeBytes: z.number().int(),
    sha256: z.string().describe('SHA-256 of the bytes, hex'),
    signerName: z.string().nullable().describe("For a .p7m or a signed PDF: the signer's common name"),
    uploaderName: z.string(),
    createdAt: z.string(),
    superseded: z.boolean().describe('The step was reopened after this upload'),
  })
  .describe('Document');

const idParams = z.object({ id: z.string().min(1).max(64) });
const stepParams = z.object({ id: z.string().min(1).max(64), stepKey: z.string().min(1).max(60) });

export function multipartRequired(): DomainError {
  return new DomainError('unsupported_media_type', {
    it: 'Inviare il file come multipart/form-data, nella parte "file".',
    en: 'Send the file as multipart/form-data, in the part named "file".',
  });
}

/** The account's own idempotency key (keys are per account, like the enrollments'). */
export function scopedKey(p: Principal, req: FastifyRequest): string | undefined {
  const header = req.headers['idempotency-key'];
  return typeof header === 'string' && header.trim() ? `u:${p.userId}:${header.trim().slice(0, 200)}` : undefined;
}

/** Reads the multipart `file` part of a request and stores it as the step's document. */
export async function receiveUpload(
  deps: { db: ApiDeps['db']; documents: DocumentStore },
  p: Principal,
  req: FastifyRequest,
  params: { id: string; stepKey: string },
): Promise<{ created: boolean; document: DocumentView; enclosedType: string | null }> {
  await uploadTarget(deps.db, p, params.id, params.stepKey);
  if (!req.isMultipart()) throw multipartRequired();
  const part = await req.file();
  if (!part || part.fieldname !== 'file') {
    part?.file.resume();
    throw multipartRequired();
  }
  return uploadDocument(
    deps,
    { actor: auditActor(p), name: p.name, userId: p.userId },
    {
      enrollmentId: params.id,
      stepKey: params.stepKey,
      filename: cleanFilename(part.filename),
      body: part.file,
      truncated: () => part.file.truncated,
      ...(scopedKey(p, req) ? { idempotencyKey: scopedKey(p, req)! } : {}),
    },
  );
}

export async function registerDocumentRoutes(
  app: AnyFastify,
  api: ApiRegistry,
  deps: ApiDeps & { documents: DocumentStore },
): Promise<void> {
  const { db } = deps;
  // Only the first file part is read; a larger one stops at the limit and is refused whole.
  await app.register(multipart, { limits: { fileSize: MAX_DOCUMENT_BYTES, files: 1, fields: 10, parts: 12 } });
  const principalOr404 = (p: Principal | null, what: string): Principal => {
    if (!p) throw notFound(what);
    return p;
  };

  api.add(
    {
      method: 'POST',
      url: '/enrollments/:id/steps/:stepKey/documents',
      multipart: true,
      operationId: 'uploadDocument',
      summary: "Upload a document as a step's evidence (multipart/form-data, part `file`, at most 20 MB)",
      description:
        'The type is recognised from the content: PDF, PDF/A, signed PDF, CAdES .p7m (the signer is read from its ' +
        'certificate), PNG, JPEG, ODT, DOCX, XLSX; anything else is refused with 415 and the list of accepted types, ' +
        'an archive that would inflate too much with 422, a file over 20 MB with 413. A refused upload stores ' +
        'nothing. The Idempotency-Key header makes a retried request answer the same document (200). Allowed to ' +
        "the enrollment's consultant, the admin, the coordinator of its ATS and the firm's own SME users; anyone " +
        'else (anonymous included) gets 404.',
      tag: 'documents',
      access: 'public',
      params: stepParams,
      response: documentSchema.extend({
        enclosedType: z.string().nullable().describe('For a .p7m: the type of the signed content'),
      }),
      status: 201,
      otherResponses: {
        200: { description: 'The same request seen before (same idempotency key): the same document' },
        413: { description: 'The file is over 20 MB (document_too_large); nothing stored' },
        415: { description: 'Not multipart, or a type not accepted (unsupported_media_type); nothing stored' },
      },
    },
    async (ctx, req, reply) => {
      const p = principalOr404(ctx.principal, `Iscrizione "${ctx.params.id}" / enrollment "${ctx.params.id}"`);
      const { created, document, enclosedType } = await receiveUpload(deps, p, req, ctx.params);
      return reply
        .status(created ? 201 : 200)
        .header('location', `/documents/${document.id}`)
        .send({ ...document, enclosedType });
    },
  );

  api.add(
    {
      method: 'GET',
      url: '/enrollments/:id/documents',
      operationId: 'listDocuments',
      summary: "The enrollment's documents, oldest first, superseded ones included",
      tag: 'documents',
      access: 'public',
      params: idParams,
      response: z.object({ items: z.array(documentSchema) }),
    },
    async (ctx) => {
      const p = principalOr404(ctx.principal, `Iscrizione "${ctx.params.id}" / enrollment "${ctx.params.id}"`);
      return { items: await listDocuments(db, p, ctx.params.id) };
    },
  );

  api.add(
    {
      method: 'GET',
      url: '/documents/:id',
      operationId: 'downloadDocument',
      summary: 'Download a document (always as an attachment, with its recognised type)',
      description: 'Audited. Whoever may not see its enrollment, anonymous included, gets 404.',
      tag: 'documents',
      access: 'public',
      params: idParams,
      produces: ['application/octet-stream'],
    },
    async (ctx, _req, reply) => {
      const p = principalOr404(ctx.principal, `Documento "${ctx.params.id}" / document "${ctx.params.id}"`);
      const { document, stream } = await openDocument(deps, p, ctx.params.id);
      return reply
        .type(document.contentType)
        .header('content-disposition', attachmentHeader(document.filename))
        .header('x-content-type-options', 'nosniff')
        .header('content-length', String(document.sizeBytes))
        .header('cache-control', 'private, no-store')
        .header('x-document-sha256', document.sha256)
        .send(stream);
    },
  );
  registerRegisterRoutes(api, deps);
}
