/**
 * Who among a firm's participants takes part in a step, and what the step asks of them, kept as
 * data beside the catalogue (keyed by pathway kind and step key, whatever the catalogue version):
 * the catalogue says who may *complete* a step (always staff, sometimes the SME account); this says
 * who the step *involves*, which decides who gets its reminders and what their personal page offers.
 *
 * A step with no entry involves nobody but the consultant: its reminders go to the consultant only.
 * Pure data, safe in the workflow sandbox.
 */
import type { PathwayDefinition, StepDefinition } from './catalogue';

export const PARTICIPANT_ROLES = ['owner', 'hr', 'employee'] as const;
export type ParticipantRole = (typeof PARTICIPANT_ROLES)[number];

export interface StepParticipation {
  /** The participants the step involves (its reminders reach them). */
  roles: ParticipantRole[];
  /** A questionnaire answered on the personal page (domain/surveys.ts). */
  survey?: string;
  /** The owner acknowledges or signs what the step produced (plan, agreement, regulation). */
  ownerAcknowledgement?: 'acknowledged' | 'signed';
  /** Training sessions whose attendance the participants confirm. */
  training?: boolean;
}

const ALL: ParticipantRole[] = ['owner', 'hr', 'employee'];
const MANAGEMENT: ParticipantRole[] = ['owner', 'hr'];

/** kind -> step key -> participation. */
export const STEP_PARTICIPATION: Readonly<Record<string, Readonly<Record<string, StepParticipation>>>> = {
  'congedo-flessibilita': {
    intake: { roles: MANAGEMENT },
    'needs-analysis': { roles: ALL, survey: 'needs-v1' },
    training: { roles: ALL, training: true },
    'plan-adopted': { roles: MANAGEMENT, ownerAcknowledgement: 'signed' },
  },
  defiscalizzazione: {
    intake: { roles: MANAGEMENT },
    'welfare-needs-survey': { roles: ALL, survey: 'welfare-v1' },
    'fiscal-training': { roles: ALL, training: true },
    'welfare-plan-adopted': { roles: MANAGEMENT, ownerAcknowledgement: 'signed' },
  },
  'contrattazione-secondo-livello': {
    intake: { roles: MANAGEMENT },
    'organisational-analysis': { roles: ALL, survey: 'needs-v1' },
    'bargaining-training': { roles: ALL, training: true },
    'agreement-signed': { roles: MANAGEMENT, ownerAcknowledgement: 'signed' },
  },
  'lavoro-flessibile': {
    'readiness-assessment': { roles: ALL, survey: 'needs-v1' },
    training: { roles: ALL, training: true },
    'regulation-adopted': { roles: MANAGEMENT, ownerAcknowledgement: 'signed' },
  },
  'time-saving': {
    intake: { roles: MANAGEMENT },
    'needs-mapping': { roles: ALL, survey: 'needs-v1' },
  },
  'sinergie-reti': {
    intake: { roles: MANAGEMENT },
    'joint-activities': { roles: ALL, training: true },
  },
  'autoimprenditorialita-femminile': {
    orientation: { roles: ALL, training: true },
    mentoring: { roles: ALL, training: true },
  },
};

/** What `stepKey` of `kind` asks of participants; null when it involves only the consultant. */
export function stepParticipation(kind: string, stepKey: string): StepParticipation | null {
  const byStep = STEP_PARTICIPATION[kind];
  if (byStep && Object.prototype.hasOwnProperty.call(byStep, stepKey)) return byStep[stepKey]!;
  return null;
}

/**
 * The participants a step's reminders are for: those it involves, plus the owner and HR contact
 * when the firm's own account may complete it (a signature). Null: the consultant only.
 */
export function reminderRoles(
  definition: PathwayDefinition,
  step: Pick<StepDefinition, 'key'>,
): ParticipantRole[] | null {
  const def = definition.steps.find((s) => s.key === step.key);
  const roles = new Set<ParticipantRole>(stepParticipation(definition.kind, step.key)?.roles ?? []);
  if (def?.completedBy.includes('sme')) for (const r of MANAGEMENT) roles.add(r);
  return roles.size > 0 ? PARTICIPANT_ROLES.filter((r) => roles.has(r)) : null;
}
