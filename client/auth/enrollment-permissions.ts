/**
 * What a principal may do on one enrollment, as a pure function of the caller and the stored row:
 * the dashboard shows a button only when this says yes, and the API refuses (403, before the
 * workflow is asked) what this says no to. The role lists are those of the pathway's own rules
 * (domain/pathway-rules.ts), which keep the last word on order, dates and reasons.
 */
import type { ActorRole, PathwayDefinition } from '../../domain/catalogue';
import { DomainError } from '../../domain/errors';
import { canSeeEnrollment, type Principal } from './principal';

export const PATHWAY_ACTIONS = ['complete', 'reopen', 'extend', 'reassign', 'withdraw', 'confirm'] as const;
export type PathwayAction = (typeof PATHWAY_ACTIONS)[number];

const STAFF: readonly ActorRole[] = ['consultant', 'coordinator', 'admin'];
/** Who may take each action, whatever the step (completion also depends on the step's completedBy). */
export const ACTION_ROLES: Record<PathwayAction, readonly ActorRole[]> = {
  complete: ['consultant', 'sme', 'coordinator', 'admin'],
  reopen: STAFF,
  extend: STAFF,
  reassign: STAFF,
  withdraw: ['sme', 'consultant', 'admin'],
  confirm: ['sme'],
};

/** Bulk reassignment of a consultant's pathways: coordinators (in their network) and admins. */
export const BULK_REASSIGN_ROLES: readonly ActorRole[] = ['coordinator', 'admin'];

export interface EnrollmentForPermissions {
  status: string;
  currentStep: string | null;
  consultantEmail: string;
  companyId: string;
  company: { atsCode: string; networkId: string | null };
}

export interface EnrollmentPermissions {
  /** The step the caller may complete now, or null. */
  complete: string | null;
  reopen: boolean;
  extend: boolean;
  reassign: boolean;
  withdraw: boolean;
  confirm: boolean;
}

const NONE: EnrollmentPermissions = {
  complete: null,
  reopen: false,
  extend: false,
  reassign: false,
  withdraw: false,
  confirm: false,
};

/** The role may complete this step of this pathway (its catalogue's completedBy). */
export function mayCompleteStep(role: ActorRole, definition: PathwayDefinition | undefined, stepKey: string): boolean {
  const step = definition?.steps.find((s) => s.key === stepKey);
  return step ? step.completedBy.includes(role) : false;
}

/**
 * What `p` may do on `e` now. A pathway no longer active allows nothing; one the caller may not
 * see allows nothing either (the API answers 404 for it before asking).
 */
export function enrollmentPermissions(
  p: Principal,
  e: EnrollmentForPermissions,
  definition: PathwayDefinition | undefined,
): EnrollmentPermissions {
  if (!canSeeEnrollment(p, e) || e.status !== 'active') return NONE;
  const role = p.role as ActorRole;
  const may = (a: PathwayAction) => ACTION_ROLES[a].includes(role);
  return {
    complete:
      e.currentStep && may('complete') && mayCompleteStep(role, definition, e.currentStep) ? e.currentStep : null,
    reopen: may('reopen'),
    extend: may('extend') && e.currentStep !== null,
    reassign: may('reassign'),
    withdraw: may('withdraw'),
    confirm: may('confirm'),
  };
}

/** The refusal for an action the caller's role may not take, in the words of the pathway's rules. */
export function actionForbidden(role: string, action: PathwayAction): DomainError {
  const what = {
    complete: { it: 'completare questa attività', en: 'complete this step' },
    reopen: { it: 'riaprire un passo', en: 'reopen a step' },
    extend: { it: 'prorogare una scadenza', en: 'extend a due date' },
    reassign: { it: 'assegnare il consulente', en: 'assign the consultant' },
    withdraw: { it: "ritirare l'iscrizione", en: 'withdraw the enrollment' },
    confirm: { it: 'confermare la partecipazione', en: 'confirm participation' },
  }[action];
  return new DomainError('role_not_allowed', {
    it: `Il ruolo "${role}" non può ${what.it}.`,
    en: `Role "${role}" cannot ${what.en}.`,
  });
}

/**
 * The role check the API makes before the Update: only the role (and for completion the step's
 * completedBy), so order, dates, reasons and a closed pathway are still explained by the workflow.
 */
export function checkActionRole(
  p: Principal,
  action: PathwayAction,
  definition: PathwayDefinition | undefined,
  stepKey?: string,
): void {
  const role = p.role as ActorRole;
  if (!ACTION_ROLES[action].includes(role)) throw actionForbidden(p.role, action);
  if (action === 'complete' && stepKey && definition?.steps.some((s) => s.key === stepKey)) {
    if (!mayCompleteStep(role, definition, stepKey)) throw actionForbidden(p.role, action);
  }
}
