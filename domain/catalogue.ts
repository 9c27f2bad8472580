/**
 * The pathway catalogue: every pathway kind is data. The workflow is generic over it and receives
 * its entry as input, so editing the catalogue never changes a pathway already running.
 */
import type { Locale } from './calendar';
export type { Locale };
export type Text = { it: string; en: string };
export type ActorRole = 'consultant' | 'sme' | 'coordinator' | 'admin';

export interface EvidenceRequirement {
  /** What kind of proof a consultant must attach when completing the step. */
  kind: 'document-ref' | 'signed-agreement' | 'attendance-register' | 'report';
  label: Text;
}

export interface StepDefinition {
  key: string;
  name: Text;
  /** Roles allowed to complete the step. */
  completedBy: ActorRole[];
  /** Working days (Europe/Rome) from the start of the step to its due date. */
  durationWorkingDays: number;
  evidence?: EvidenceRequirement;
  /** Why the step exists or is shaped this way, where the programme documents are silent. */
  rationale?: string;
}

export interface ReminderPolicy {
  /** Reminders to participants this many working days before the due date. */
  beforeDueWorkingDays: number[];
  /** A reminder on the morning of the due day. */
  onDueDay: boolean;
  /** Overdue notice to the SME this many working days after the due date. */
  overdueAfterWorkingDays: number;
  /** Escalation to the consultant this many working days after the due date. */
  escalateAfterWorkingDays: number;
}

export interface PathwayDefinition {
  kind: string;
  /** Bumped on every edit of the entry; enrollments keep the version they started with. */
  version: number;
  /** Number of the fundable action in the 2017-2018 panel ("azioni finanziabili rivolte alle imprese"). */
  action: number;
  name: Text;
  description: Text;
  steps: StepDefinition[];
  reminders: ReminderPolicy;
}

const standardReminders: ReminderPolicy = {
  beforeDueWorkingDays: [5, 1],
  onDueDay: true,
  overdueAfterWorkingDays: 1,
  escalateAfterWorkingDays: 3,
};

export const congedoFlessibilita: PathwayDefinition = {
  kind: 'congedo-flessibilita',
  version: 1,
  action: 3,
  name: { it: 'Piani di congedo e flessibilità', en: 'Leave and flexibility plans' },
  description: {
    it: "Accompagnamento alla costruzione di piani di congedo e di flessibilità aziendale e all'adozione di misure di lavoro flessibile.",
    en: 'Support to build leave plans and company flexibility plans, and to adopt flexible work measures.',
  },
  reminders: standardReminders,
  steps: [
    {
      key: 'intake',
      name: { it: 'Colloquio di avvio', en: 'Intake meeting' },
      completedBy: ['consultant'],
      durationWorkingDays: 10,
      rationale: 'A first meeting with owner and HR contact sets goals and names the participants.',
    },
    {
      key: 'needs-analysis',
      name: { it: 'Analisi dei bisogni di conciliazione', en: 'Work-life balance needs analysis' },
      completedBy: ['consultant'],
      durationWorkingDays: 15,
      evidence: {
        kind: 'report',
        label: { it: "Riferimento al rapporto d'analisi", en: 'Reference to the analysis report' },
      },
      rationale: 'An employee survey and interviews come before any plan: the plan must answer real needs.',
    },
    {
      key: 'training',
      name: { it: 'Formazione su congedi e flessibilità', en: 'Training on leave and flexibility' },
      completedBy: ['consultant'],
      durationWorkingDays: 20,
      evidence: { kind: 'attendance-register', label: { it: 'Registro presenze', en: 'Attendance register' } },
    },
    {
      key: 'plan-drafted',
      name: { it: 'Piano di congedo e flessibilità redatto', en: 'Leave and flexibility plan drafted' },
      completedBy: ['consultant'],
      durationWorkingDays: 15,
      evidence: {
        kind: 'document-ref',
        label: { it: 'Riferimento al documento del piano', en: 'Plan document reference' },
      },
    },
    {
      key: 'plan-adopted',
      name: { it: "Piano adottato dall'impresa", en: 'Plan adopted by the company' },
      completedBy: ['consultant', 'sme'],
      durationWorkingDays: 10,
      evidence: { kind: 'signed-agreement', label: { it: 'Piano firmato', en: 'Signed plan' } },
      rationale: 'The owner signs the plan; the consultant may record it on the SME’s behalf.',
    },
  ],
};

/** The current catalogue: one entry per kind, at its latest version. */
export const CATALOGUE: Readonly<Record<string, PathwayDefinition>> = {
  [congedoFlessibilita.kind]: congedoFlessibilita,
};

export function findPathway(kind: string): PathwayDefinition | undefined {
  return Object.prototype.hasOwnProperty.call(CATALOGUE, kind) ? CATALOGUE[kind] : undefined;
}
