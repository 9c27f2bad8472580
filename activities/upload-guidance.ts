/**
 * What an email tells its recipient to upload, and where (issue 19 item 6): for the welcome and the
 * step reminders, the steps whose evidence is a document (document-ref, signed-agreement, report),
 * from the catalogue version of the enrollment. A participant is told only of the steps that involve
 * their role (domain/participation.ts), the same rule by which their personal page offers the upload
 * form, and is sent to that page; staff are sent to the pathway's documents page. Nobody is promised
 * an upload they cannot make: with nothing to upload, the list is empty and the email says nothing.
 */
import { findPathwayVersion } from '../domain/catalogue-history';
import type { StepDefinition, Text } from '../domain/catalogue';
import type { Locale } from '../domain/locale';
import { stepParticipation } from '../domain/participation';
import type { Db } from '../infra/db';
import type { ResolvedRecipient } from './recipients';

/** The evidence kinds that are a document a person uploads (client/documents: DOCUMENT_EVIDENCE_KINDS). */
const DOCUMENT_KINDS = new Set(['document-ref', 'signed-agreement', 'report']);

/** The messages that carry the guidance. */
export const UPLOAD_GUIDED_TEMPLATES = new Set(['enrollment-welcome', 'step-reminder']);

export interface UploadGuidance {
  /** "What (in which step)" lines, in the recipient's language; empty: nothing to say. */
  uploadItems: string[];
  /** Where to upload: the participant's page, or the staff's documents page; null with no items. */
  uploadUrl: string | null;
}

export const NO_UPLOAD_GUIDANCE: UploadGuidance = { uploadItems: [], uploadUrl: null };

export interface GuidanceInput {
  template: string;
  enrollmentId?: string;
  context: Record<string, unknown>;
}

/** The steps a message is about: the reminded step (matched by its name), or every step for the welcome. */
function stepsOf(template: string, steps: StepDefinition[], context: Record<string, unknown>): StepDefinition[] {
  const documentSteps = steps.filter((s) => s.evidence && DOCUMENT_KINDS.has(s.evidence.kind));
  if (template === 'enrollment-welcome') return documentSteps;
  const name = context.stepName as Text | string | undefined;
  const it = typeof name === 'string' ? name : name?.it;
  return documentSteps.filter((s) => s.name.it === it);
}

export function createUploadGuidance(db: Db, publicUrl: string) {
  const enrollments = new WeakMap<object, Promise<{ kind: string; catalogueVersion: number } | null>>();
  return async function uploadGuidance(input: GuidanceInput, to: ResolvedRecipient): Promise<UploadGuidance> {
    if (!UPLOAD_GUIDED_TEMPLATES.has(input.template) || !input.enrollmentId) return NO_UPLOAD_GUIDANCE;
    let found = enrollments.get(input);
    if (!found) {
      found = db.enrollment.findUnique({
        where: { id: input.enrollmentId },
        select: { kind: true, catalogueVersion: true },
      });
      enrollments.set(input, found);
    }
    const e = await found;
    const def = e ? findPathwayVersion(e.kind, e.catalogueVersion) : undefined;
    if (!e || !def) return NO_UPLOAD_GUIDANCE;
    const locale: Locale = to.locale === 'en' ? 'en' : 'it';
    const steps = stepsOf(input.template, def.steps, input.context).filter((s) =>
      to.participantUrl === undefined
        ? true
        : (stepParticipation(e.kind, s.key)?.roles as string[] | undefined)?.includes(to.participantRole ?? '') ===
          true,
    );
    if (steps.length === 0) return NO_UPLOAD_GUIDANCE;
    return {
      uploadItems: steps.map((s) => `${s.evidence!.label[locale]} (${s.name[locale]})`),
      uploadUrl:
        to.participantUrl ?? `${publicUrl}/app/enrollments/${encodeURIComponent(input.enrollmentId)}/documents`,
    };
  };
}
