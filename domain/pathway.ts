/**
 * The pathway of one enrollment as an entity: its state (steps, current step, due dates, history,
 * status) and the transitions people and time make on it. Each transition changes the state at
 * once and returns what to record (milestones) and whom to tell (emails); it does no I/O, so the
 * workflow applies the outcome through activities and a unit test reads it directly. Each action
 * has a `check*` method, the Update's validator, that throws a PathwayRefusal for a request the
 * transition must never see (wrong order, wrong role, missing evidence or reason).
 */
import { dueAtEndOfDay, parseIsoDate } from './calendar';
import type { ActorRole, PathwayDefinition, Text } from './catalogue';
import { DomainError } from './errors';
import { mailKeys, milestoneKeys } from './pathway-keys';
import {
  checkAssignment,
  checkCompletion,
  checkConfirmation,
  checkEngine,
  checkExtension,
  checkProgrammeEndChange,
  checkReopen,
  checkRevival,
  checkWithdrawal,
  parseDueDate,
  type Refusal,
} from './pathway-rules';
import {
  notificationPlan,
  PROGRAMME_END_WARNINGS_WORKING_DAYS,
  programmeHardEnd,
  programmeWarningPlan,
  stepDueAt,
  stepDueAtFor,
  type PlannedNotification,
} from './schedule';
import type { Locale } from './locale';
import { PARTICIPANT_ROLES, reminderRoles } from './participation';
// Types only (erased at run time): the mail registry's declared contexts.
import type { ContextOf } from '../mail/messages';

export interface Recipient {
  name: string;
  email: string;
  locale: Locale;
}

export interface Actor {
  role: ActorRole;
  /** Email or user id of the person acting; recorded in every milestone. */
  id: string;
  name?: string;
}

export type PathwayStatus = 'active' | 'completed' | 'withdrawn' | 'expired';

export interface StepState {
  key: string;
  name: Text;
  status: 'pending' | 'active' | 'done';
  startedAt?: number;
  dueAt?: number;
  completedAt?: number;
  completedBy?: Actor;
  evidence?: string;
  onTime?: boolean;
  /** Times the step was reopened; part of notification keys so a reopened step is reminded again. */
  round?: number;
  /** Times its due date was re-planned (extension); idem. */
  plan?: number;
  /** When the current reminder plan was made (start, reopen or extension). */
  plannedFrom?: number;
}

export interface HistoryEntry {
  at: number;
  type:
    | 'enrolled'
    | 'step-started'
    | 'step-completed'
    | 'notification'
    | 'completed'
    | 'expired'
    | 'step-reopened'
    | 'due-extended'
    | 'consultant-assigned'
    | 'withdrawn'
    | 'participation-confirmed'
    | 'programme-end-changed'
    | 'revived';
  stepKey?: string;
  actor?: Actor;
  detail?: string;
}

export interface PathwayState {
  enrollmentId: string;
  kind: string;
  catalogueVersion: number;
  status: PathwayStatus;
  currentStep: string | null;
  steps: StepState[];
  history: HistoryEntry[];
  /** Idempotency keys of notifications already sent, so a replay or continue-as-new never repeats one. */
  sent: string[];
  /** The consultant now following the pathway (absent in runs started before reassignment existed). */
  consultant?: { name: string; email: string };
  confirmedAt?: number;
  /** How many runs (continue-as-new) this pathway has lived through. */
  runs?: number;
  /** Messages staged in the outbox and the time each is due: withdrawn if the pathway moves first. */
  staged?: { key: string; at: number }[];
  /** The programme's hard end as its decrees have moved it (absent: the end of the terms). */
  programmeEndsOn?: string;
  /** The decrees this pathway has applied, in order; one applied again changes nothing. */
  decrees?: AppliedDecree[];
  /** Times an admin revived the pathway after it expired under an end a decree later moved (absent: none). */
  revivals?: Revival[];
}

/** An expired pathway brought back by an admin, once its edition's end had moved past the expiry. */
export interface Revival {
  at: number;
  /** The edition's end the pathway now runs to (ISO YYYY-MM-DD). */
  endsOn: string;
  reason: string;
  by: string;
}

/** What reviving asks for: the edition's current end, and who does it and why. */
export interface RevivalRequest {
  endsOn: string;
  reason: string;
  actor: Actor;
}

export interface AppliedDecree {
  decree: string;
  previousEndsOn: string;
  endsOn: string;
  at: number;
  forced?: boolean;
}

/** A decree that moves the programme's end (ISO YYYY-MM-DD, Europe/Rome); an earlier end needs `forced`. */
export interface ProgrammeEndChange {
  newEndsOn: string;
  decree: string;
  forced?: boolean;
}

/** What the pathway is about, fixed at enrollment (the workflow's input carries it). */
export interface PathwayTerms {
  enrollmentId: string;
  definition: PathwayDefinition;
  programme: { code: string; endsOn: string; name?: string };
  company: { name: string; city?: string };
  /** The consultant at enrollment; a reassignment overrides it in the state. */
  consultant: { name: string; email: string };
  participants: Recipient[];
}

/**
 * Which engine drives the run. `legacy`: the first one, kept for runs started before the agenda
 * (workflows/pathway-legacy.ts); it plans due dates from the duration alone and knows only completion.
 */
export type Engine = 'legacy' | 'agenda';

/** A milestone for the projection (the recordMilestone activity's input). */
export interface Milestone {
  enrollmentId: string;
  eventKey: string;
  /** Position in the pathway's history; orders milestones written at the same instant. */
  seq: number;
  type:
    | 'enrolled'
    | 'step_completed'
    | 'completed'
    | 'expired'
    | 'withdrawn'
    | 'step_reopened'
    | 'due_extended'
    | 'consultant_assigned'
    | 'participation_confirmed'
    | 'programme_end_changed'
    | 'revived';
  stepKey?: string;
  actor: string;
  occurredAt: number;
  dueAt?: number;
  onTime?: boolean;
  evidence?: string;
  note?: string;
  enrollment: {
    status: PathwayStatus;
    currentStep: string | null;
    /** Rides along so digests and at-risk reports can read it from the enrollment row. */
    currentDueAt: number | null;
    consultant?: { name: string; email: string };
  };
}

/** An email of the pathway (the notify activity's input): a template, its recipients and its context. */
export interface Notice {
  key: string;
  enrollmentId: string;
  template:
    | 'enrollment-welcome'
    | 'step-reminder'
    | 'step-overdue'
    | 'escalation-consultant'
    | 'step-completed'
    | 'pathway-completed'
    | 'programme-end-warning'
    | 'pathway-expired'
    | 'step-reopened'
    | 'due-date-extended'
    | 'consultant-assigned'
    | 'enrollment-withdrawn'
    | 'programme-end-changed'
    | 'pathway-revived';
  to: Recipient[];
  context: Record<string, string | number | Text>;
  /** Staged in the outbox for this instant rather than sent now. */
  sendAt?: number;
  /** The participants by role the outbox resolves at send time (activities/recipients.ts). */
  participantRoles?: string[];
}

/** What a transition asks for, in order: record the milestones, then send the emails. */
export interface Outcome {
  milestones: Milestone[];
  notifications: Notice[];
}

/**
 * A reminder, warning or escalation the pathway has planned. `at` is when the run wakes for it;
 * staged (with a lead), it is `sendAt`, the moment the dispatcher sends it, minus the lead.
 */
export type AgendaItem = { at: number; key: string; sendAt?: number } & (
  { kind: 'step'; step: StepState; planned: PlannedNotification } | { kind: 'programme-end'; workingDaysLeft: number }
);

/** A planned email ready to go, and how the history will name it once it has. */
export interface PlannedNotice {
  notice: Notice;
  what: string;
  stepKey?: string;
}

/** A request the pathway refuses; `code` and both texts reach the person who made it. */
export class PathwayRefusal extends DomainError {}

function refuse(refusal: Refusal | null): void {
  if (refusal) throw new PathwayRefusal(refusal.code, refusal.message);
}

const templateOf: Record<PlannedNotification['type'], Notice['template']> = {
  'reminder-before': 'step-reminder',
  'reminder-due-today': 'step-reminder',
  overdue: 'step-overdue',
  escalation: 'escalation-consultant',
};

export class Pathway {
  readonly state: PathwayState;
  /**
   * Bumped by every change that invalidates the agenda (completion, reopen, extension, withdrawal).
   * Not part of the state: a continued run plans afresh anyway.
   */
  revision = 0;
  /**
   * Reminders and overdue notices go to those the step involves, by role (the consultant alone for
   * a step that involves no participant), resolved by the outbox when it writes the rows. Set by the
   * workflow from patched('recipients-by-role'): runs recorded before keep every participant.
   */
  recipientsByRole = false;

  constructor(
    private readonly terms: PathwayTerms,
    readonly engine: Engine,
    carried?: PathwayState,
  ) {
    const { definition } = terms;
    this.state = carried ?? {
      enrollmentId: terms.enrollmentId,
      kind: definition.kind,
      catalogueVersion: definition.version,
      status: 'active',
      currentStep: null,
      steps: definition.steps.map((s) => ({ key: s.key, name: s.name, status: 'pending' })),
      history: [],
      sent: [],
    };
  }

  /** The programme's last day, as decrees have left it. */
  get endsOn(): string {
    return this.state.programmeEndsOn ?? this.terms.programme.endsOn;
  }

  /** 18:00 Rome on the programme's last day: nothing is due later, and an open pathway expires then. */
  get hardEnd(): number {
    return programmeHardEnd(this.endsOn);
  }

  get active(): boolean {
    return this.state.status === 'active';
  }

  /** The step in progress, if any. */
  current(): StepState | undefined {
    return this.state.steps.find((s) => s.status === 'active');
  }

  /** The state to carry into the next run when the history grows long. */
  carryOver(): PathwayState {
    return { ...this.state, runs: (this.state.runs ?? 1) + 1 };
  }

  /** A new pathway opens its first step. */
  enroll(now: number): Outcome {
    this.state.history.push({ at: now, type: 'enrolled' });
    this.startStep(this.state.steps[0]!, now);
    return this.record({
      eventKey: milestoneKeys.enrolled(),
      type: 'enrolled',
      actor: 'system',
      occurredAt: now,
      enrollment: { status: 'active', currentStep: this.state.currentStep },
    });
  }

  /**
   * The welcome email. Asked for once the enrollment is recorded, after the first Updates have had
   * their chance, so it describes the pathway as it then stands.
   */
  welcome(): Notice {
    const first = this.state.steps[0]!;
    return this.notice('enrollment-welcome', mailKeys.welcome(this.id), this.terms.participants, {
      stepName: first.name,
      dueAt: first.dueAt!,
    });
  }

  checkComplete(req: { stepKey: string; actor: Actor; evidence?: string }): void {
    refuse(checkCompletion(this.terms.definition, this.state.status, this.state.steps, req));
  }

  /** The step is done; the next one opens (or none is left, and the pathway will complete). */
  complete(req: { stepKey: string; actor: Actor; evidence?: string }, now: number): Outcome {
    const { steps } = this.state;
    const index = steps.findIndex((s) => s.key === req.stepKey);
    const step = steps[index]!;
    step.status = 'done';
    step.completedAt = now;
    step.completedBy = req.actor;
    step.evidence = req.evidence;
    step.onTime = now <= (step.dueAt ?? now);
    this.state.history.push({
      at: now,
      type: 'step-completed',
      stepKey: step.key,
      actor: req.actor,
      detail: req.evidence,
    });
    const next = steps[index + 1];
    if (next) this.startStep(next, now);
    else this.state.currentStep = null;
    this.revision++;
    return this.record(
      {
        eventKey: milestoneKeys.stepCompleted(step),
        type: 'step_completed',
        stepKey: step.key,
        actor: req.actor.id,
        occurredAt: now,
        dueAt: step.dueAt,
        onTime: step.onTime,
        evidence: req.evidence,
        enrollment: { status: 'active', currentStep: this.state.currentStep },
      },
      this.notice('step-completed', mailKeys.stepCompleted(this.id, step), this.terms.participants, {
        stepName: step.name,
        completedBy: req.actor.name ?? req.actor.id,
        completedAt: now,
        nextStepName: next ? next.name : '',
        nextStepDueAt: next?.dueAt ?? '',
      }),
    );
  }

  checkReopen(req: { stepKey: string; reason: string; actor: Actor }): void {
    refuse(checkEngine(this.engine) ?? checkReopen(this.state.status, this.state.steps, req));
  }

  /** The last completed step opens again (a new round) and the step in progress goes back to pending. */
  reopen(req: { stepKey: string; reason: string; actor: Actor }, now: number): Outcome {
    const step = this.step(req.stepKey);
    const active = this.current();
    if (active) {
      active.status = 'pending';
      delete active.startedAt;
      delete active.dueAt;
    }
    step.round = (step.round ?? 0) + 1;
    step.plan = 0;
    delete step.completedAt;
    delete step.completedBy;
    delete step.onTime;
    this.startStep(step, now);
    this.state.history.push({
      at: now,
      type: 'step-reopened',
      stepKey: step.key,
      actor: req.actor,
      detail: req.reason,
    });
    this.revision++;
    return this.record(
      this.stepChanged('step_reopened', milestoneKeys.stepReopened(step), step, req, now),
      this.notice(
        'step-reopened',
        mailKeys.stepReopened(this.id, step),
        [...this.terms.participants, this.consultantRecipient()],
        { stepName: step.name, reason: req.reason, actorName: req.actor.name ?? req.actor.id, dueAt: step.dueAt! },
      ),
    );
  }

  checkExtend(req: { stepKey: string; newDueDate: string; reason: string; actor: Actor }): void {
    refuse(checkEngine(this.engine));
    const parsed = parseDueDate(req.newDueDate);
    if ('refusal' in parsed) refuse(parsed.refusal);
    else refuse(checkExtension(this.state.status, this.state.steps, { ...req, newDueAt: parsed.dueAt }, this.hardEnd));
  }

  /** The step in progress is due later; its reminders are planned anew from now. */
  extend(req: { stepKey: string; newDueDate: string; reason: string; actor: Actor }, now: number): Outcome {
    const step = this.step(req.stepKey);
    const previousDueAt = step.dueAt!;
    step.dueAt = dueAtEndOfDay(parseIsoDate(req.newDueDate));
    step.plan = (step.plan ?? 0) + 1;
    step.plannedFrom = now;
    this.state.history.push({ at: now, type: 'due-extended', stepKey: step.key, actor: req.actor, detail: req.reason });
    this.revision++;
    return this.record(
      this.stepChanged('due_extended', milestoneKeys.dueExtended(step), step, req, now),
      this.notice('due-date-extended', mailKeys.dueExtended(this.id, step), this.terms.participants, {
        stepName: step.name,
        previousDueAt,
        dueAt: step.dueAt,
        reason: req.reason,
        actorName: req.actor.name ?? req.actor.id,
      }),
    );
  }

  checkReassign(req: { consultant: { name: string; email: string }; actor: Actor }): void {
    refuse(checkEngine(this.engine) ?? checkAssignment(this.state.status, this.consultant().email, req));
  }

  /** Another consultant follows the pathway from now on; they are told what is in progress. */
  reassign(req: { consultant: { name: string; email: string }; actor: Actor }, now: number): Outcome {
    const { state } = this;
    state.consultant = { name: req.consultant.name, email: req.consultant.email };
    state.history.push({ at: now, type: 'consultant-assigned', actor: req.actor, detail: req.consultant.email });
    const n = state.history.filter((h) => h.type === 'consultant-assigned').length;
    const step = this.current();
    return this.record(
      {
        eventKey: milestoneKeys.consultantAssigned(n),
        type: 'consultant_assigned',
        actor: req.actor.id,
        occurredAt: now,
        note: req.consultant.email,
        enrollment: { status: 'active', currentStep: state.currentStep, consultant: state.consultant },
      },
      this.notice('consultant-assigned', mailKeys.consultantAssigned(this.id, n), [this.consultantRecipient()], {
        stepName: step ? step.name : '',
        dueAt: step?.dueAt ?? '',
      }),
    );
  }

  checkWithdraw(req: { reason: string; actor: Actor }): void {
    refuse(checkEngine(this.engine) ?? checkWithdrawal(this.state.status, req));
  }

  /** The company leaves the programme: the pathway ends here. */
  withdraw(req: { reason: string; actor: Actor }, now: number): Outcome {
    const { state } = this;
    state.status = 'withdrawn';
    state.history.push({ at: now, type: 'withdrawn', actor: req.actor, detail: req.reason });
    this.revision++;
    return this.record(
      {
        eventKey: milestoneKeys.withdrawn(),
        type: 'withdrawn',
        stepKey: state.currentStep ?? undefined,
        actor: req.actor.id,
        occurredAt: now,
        note: req.reason,
        enrollment: { status: 'withdrawn', currentStep: state.currentStep },
      },
      this.notice(
        'enrollment-withdrawn',
        mailKeys.withdrawn(this.id),
        [...this.terms.participants, this.consultantRecipient()],
        { reason: req.reason, withdrawnAt: now },
      ),
    );
  }

  checkConfirm(req: { actor: Actor }): void {
    refuse(checkEngine(this.engine) ?? checkConfirmation(this.state.status, this.state.confirmedAt !== undefined, req));
  }

  /** The SME confirms it takes part; nobody needs telling. */
  confirm(req: { actor: Actor }, now: number): Outcome {
    this.state.confirmedAt = now;
    this.state.history.push({ at: now, type: 'participation-confirmed', actor: req.actor });
    return this.record({
      eventKey: milestoneKeys.participationConfirmed(),
      type: 'participation_confirmed',
      actor: req.actor.id,
      occurredAt: now,
      enrollment: { status: 'active', currentStep: this.state.currentStep },
    });
  }

  checkProgrammeEnd(req: ProgrammeEndChange, now: number): void {
    refuse(checkEngine(this.engine) ?? checkProgrammeEndChange(this.state.status, this.hardEnd, req, now));
  }

  /**
   * A decree moved the programme's end. The step in progress gets the due date it would have had
   * under the new end (a manual extension stays, unless it now lies past the end), its reminders are
   * planned anew from now, the warnings are planned against the new end, and the pathway will expire
   * then. The same decree applied again changes nothing and tells nobody.
   */
  changeProgrammeEnd(req: ProgrammeEndChange & { at: number }): Outcome {
    const { state } = this;
    const decree = req.decree.trim();
    const nothing: Outcome = { milestones: [], notifications: [] };
    if (state.decrees?.some((d) => d.decree === decree)) return nothing;
    const previousEndsOn = this.endsOn;
    const previousEnd = this.hardEnd;
    const applied: AppliedDecree = {
      decree,
      previousEndsOn,
      endsOn: req.newEndsOn,
      at: req.at,
      ...(req.forced ? { forced: true } : {}),
    };
    state.decrees = [...(state.decrees ?? []), applied];
    if (req.newEndsOn === previousEndsOn) return nothing;
    state.programmeEndsOn = req.newEndsOn;
    const newEnd = this.hardEnd;
    const step = this.current();
    const previousDueAt = step?.dueAt;
    if (step) {
      step.dueAt = this.dueUnderNewEnd(step, newEnd);
      step.plan = (step.plan ?? 0) + 1;
      step.plannedFrom = req.at;
    }
    const shortening = newEnd < previousEnd;
    const moved =
      step && previousDueAt !== step.dueAt ? (step.dueAt! < previousDueAt! ? 'earlier' : 'later') : 'unchanged';
    state.history.push({
      at: req.at,
      type: 'programme-end-changed',
      ...(step ? { stepKey: step.key } : {}),
      detail: `${decree}: ${previousEndsOn} -> ${req.newEndsOn}${req.forced ? ' (forced)' : ''}`,
    });
    this.revision++;
    const { programme } = this.terms;
    return this.record(
      {
        eventKey: milestoneKeys.programmeEndChanged(decree),
        type: 'programme_end_changed',
        ...(step ? { stepKey: step.key, dueAt: step.dueAt } : {}),
        actor: 'system',
        occurredAt: req.at,
        note: `${decree}: ${previousEndsOn} -> ${req.newEndsOn}${req.forced ? ' (forced)' : ''}`,
        enrollment: { status: 'active', currentStep: state.currentStep },
      },
      this.notice(
        'programme-end-changed',
        mailKeys.programmeEndChanged(this.id, decree),
        [...this.terms.participants, this.consultantRecipient()],
        {
          programmeName: programme.name ?? programme.code,
          decree,
          change: shortening ? 'shortening' : 'extension',
          previousEndAt: previousEnd,
          programmeEndAt: newEnd,
          stepName: step ? step.name : '',
          previousDueAt: previousDueAt ?? '',
          dueAt: step?.dueAt ?? '',
          dueMoved: moved,
        },
      ),
    );
  }

  /** The programme's hard end came with `step` still open: the pathway closes as expired. */
  expire(step: StepState, now: number): Outcome {
    // A revived pathway that expires again records and tells it anew (runs never revived keep their keys).
    const revivals = this.state.revivals?.length ?? 0;
    this.state.status = 'expired';
    this.state.history.push({ at: now, type: 'expired', stepKey: step.key });
    return this.record(
      {
        eventKey: revivals === 0 ? milestoneKeys.expired() : milestoneKeys.expiredAfterRevival(revivals),
        type: 'expired',
        stepKey: step.key,
        actor: 'system',
        occurredAt: now,
        enrollment: { status: 'expired', currentStep: step.key },
      },
      this.notice(
        'pathway-expired',
        revivals === 0 ? mailKeys.expired(this.id) : mailKeys.expiredAfterRevival(this.id, revivals),
        [...this.terms.participants, this.consultantRecipient()],
        {
          stepName: step.name,
          expiredAt: this.hardEnd,
        },
      ),
    );
  }

  checkRevive(req: RevivalRequest, now: number): void {
    refuse(checkRevival(this.state.status, this.current(), req, now));
  }

  /**
   * An admin brings back a pathway that expired under an end a decree has since moved: the same step
   * is in progress again, planned afresh from now (its reminders too) under the edition's current
   * end, and the pathway will expire then. The participants and the consultant are told once.
   */
  revive(req: RevivalRequest, now: number): Outcome {
    this.checkRevive(req, now);
    const { state } = this;
    const step = this.current()!;
    const previousEndsOn = this.endsOn;
    state.status = 'active';
    state.programmeEndsOn = req.endsOn;
    state.revivals = [...(state.revivals ?? []), { at: now, endsOn: req.endsOn, reason: req.reason, by: req.actor.id }];
    const n = state.revivals.length;
    const def = this.terms.definition.steps.find((s) => s.key === step.key)!;
    step.dueAt = stepDueAtFor(def, now, this.endsOn, this.terms.company.city);
    step.plan = (step.plan ?? 0) + 1;
    step.plannedFrom = now;
    state.currentStep = step.key;
    state.history.push({
      at: now,
      type: 'revived',
      stepKey: step.key,
      actor: req.actor,
      detail: `${previousEndsOn} -> ${req.endsOn}: ${req.reason}`,
    });
    this.revision++;
    const { programme } = this.terms;
    return this.record(
      {
        eventKey: milestoneKeys.revived(n),
        type: 'revived',
        stepKey: step.key,
        dueAt: step.dueAt,
        actor: req.actor.id,
        occurredAt: now,
        note: req.reason,
        enrollment: { status: 'active', currentStep: step.key },
      },
      this.notice(
        'pathway-revived',
        mailKeys.revived(this.id, n),
        [...this.terms.participants, this.consultantRecipient()],
        {
          programmeName: programme.name ?? programme.code,
          programmeEndAt: this.hardEnd,
          stepName: step.name,
          dueAt: step.dueAt,
        },
      ),
    );
  }

  /** Every step is done: the pathway completes. */
  finish(now: number): Outcome {
    const { state } = this;
    state.status = 'completed';
    state.currentStep = null;
    state.history.push({ at: now, type: 'completed' });
    return this.record(
      {
        eventKey: milestoneKeys.completed(),
        type: 'completed',
        actor: 'system',
        occurredAt: now,
        enrollment: { status: 'completed', currentStep: null },
      },
      this.notice(
        'pathway-completed',
        mailKeys.completed(this.id),
        [...this.terms.participants, this.consultantRecipient()],
        { completedAt: now },
      ),
    );
  }

  /**
   * What is still to come for the step in progress, soonest first: its reminders, overdue notice and
   * escalation on its current plan, and the programme-end warnings. Items already sent, and those
   * that would go after the hard end, are left out. With a `lead`, each is staged that much earlier.
   */
  agenda(step: StepState, lead: number): AgendaItem[] {
    const { enrollmentId, definition, company } = this.terms;
    const sendAtOf = (at: number) => (lead > 0 ? { sendAt: at } : {});
    const items: AgendaItem[] = [];
    const from = step.plannedFrom ?? step.startedAt!;
    for (const planned of notificationPlan(definition.reminders, step.dueAt!, from, company.city)) {
      const key = mailKeys.stepNotification(enrollmentId, step, planned.type, planned.offset);
      items.push({ kind: 'step', at: planned.at - lead, key, step, planned, ...sendAtOf(planned.at) });
    }
    const enrolledAt = this.state.history.find((h) => h.type === 'enrolled')?.at ?? 0;
    // Warnings of an end a decree set are planned from the decree on: none is sent late.
    const moves = (this.state.decrees ?? []).filter((d) => d.endsOn !== d.previousEndsOn);
    const warnFrom = moves[moves.length - 1]?.at ?? enrolledAt;
    for (const warning of programmeWarningPlan(this.endsOn, warnFrom, company.city)) {
      const key = this.warningKey(warning.workingDaysLeft);
      items.push({
        kind: 'programme-end',
        at: warning.at - lead,
        key,
        workingDaysLeft: warning.workingDaysLeft,
        ...sendAtOf(warning.at),
      });
    }
    return items
      .filter((i) => i.at + lead < this.hardEnd && !this.state.sent.includes(i.key))
      .sort((a, b) => a.at - b.at);
  }

  /**
   * The email of an agenda item, made when it is due (not when planned), so it reaches the consultant
   * following the pathway then and lists the steps open then.
   */
  due(item: AgendaItem): PlannedNotice {
    const sendAt = item.sendAt !== undefined ? { sendAt: item.sendAt } : {};
    if (item.kind === 'step') return this.stepNotice(item.step, item.planned, item.key, sendAt);
    const open = this.state.steps.filter((s) => s.status !== 'done');
    const join = (locale: keyof Text) => open.map((s) => s.name[locale]).join(', ');
    const { programme } = this.terms;
    return {
      notice: {
        ...this.notice('programme-end-warning', item.key, [...this.terms.participants, this.consultantRecipient()], {
          programmeName: programme.name ?? programme.code,
          programmeEndAt: this.hardEnd,
          openSteps: { it: join('it'), en: join('en') },
          workingDaysLeft: item.workingDaysLeft,
        }),
        ...sendAt,
      },
      what: `programme-end-warning (${item.workingDaysLeft})`,
    };
  }

  /** A reminder, overdue notice or escalation of `step`, under `key`. */
  stepNotice(
    step: StepState,
    planned: PlannedNotification,
    key: string,
    sendAt: { sendAt?: number } = {},
  ): PlannedNotice {
    let to = planned.type === 'escalation' ? [this.consultantRecipient()] : this.terms.participants;
    let byRole: { participantRoles?: string[] } = {};
    if (this.recipientsByRole && planned.type !== 'escalation') {
      const roles = reminderRoles(this.terms.definition, step);
      to = roles ? [] : [this.consultantRecipient()];
      if (roles) byRole = { participantRoles: roles };
    }
    return {
      notice: {
        ...this.notice(templateOf[planned.type], key, to, {
          stepName: step.name,
          dueAt: step.dueAt!,
          when: planned.type === 'reminder-due-today' ? 'due-today' : 'before',
          daysOverdue: Math.max(planned.offset, 0),
        }),
        ...sendAt,
        ...byRole,
      },
      what: planned.type,
      stepKey: step.key,
    };
  }

  /** A planned email went (or was staged): it is never sent again, and a staged one can be withdrawn. */
  noteSent({ notice, what, stepKey }: PlannedNotice, result: { sent: number; scheduled?: number }, now: number): void {
    const { state } = this;
    state.sent.push(notice.key);
    if (notice.sendAt !== undefined) state.staged = [...(state.staged ?? []), { key: notice.key, at: notice.sendAt }];
    state.history.push({
      at: now,
      type: 'notification',
      ...(stepKey ? { stepKey } : {}),
      detail:
        notice.sendAt !== undefined
          ? `${what} (${result.scheduled ?? 0} staged for ${new Date(notice.sendAt).toISOString()})`
          : stepKey
            ? `${what} (${result.sent} sent)`
            : what,
    });
  }

  /**
   * Forgets the staged messages not yet due that must not go, and returns their keys for the outbox:
   * those of the step that just changed (its plan is obsolete: new keys follow), or all of them once
   * the pathway has ended (`all`).
   */
  unstage(all: boolean, now: number): string[] {
    const { state } = this;
    if (!state.staged?.length) return [];
    const future = state.staged.filter((s) => s.at > now);
    // A warning staged for an end a decree has since moved goes too.
    const warnings = new Set(PROGRAMME_END_WARNINGS_WORKING_DAYS.map((w) => this.warningKey(w)));
    const cancel = future.filter((s) => all || !mailKeys.isProgrammeEndWarning(this.id, s.key) || !warnings.has(s.key));
    state.staged = future.filter((s) => !cancel.includes(s));
    return cancel.map((s) => s.key);
  }

  private get id(): string {
    return this.terms.enrollmentId;
  }

  /** The original end keeps the keys runs have recorded; an end a decree set gets its own. */
  private warningKey(workingDaysLeft: number): string {
    return this.endsOn === this.terms.programme.endsOn
      ? mailKeys.programmeEndWarning(this.id, workingDaysLeft)
      : mailKeys.programmeEndWarningFor(this.id, this.endsOn, workingDaysLeft);
  }

  /**
   * The due date of the step in progress under a new hard end. One chosen by hand (an extension
   * since the step started) stays, pulled to the end if it now lies beyond it; otherwise the step is
   * planned as if the new end had always been the end (a cap lifted, a relative deadline moved).
   */
  private dueUnderNewEnd(step: StepState, newEnd: number): number {
    const chosen = this.state.history.some(
      (h) => h.type === 'due-extended' && h.stepKey === step.key && h.at >= step.startedAt!,
    );
    if (chosen) return Math.min(step.dueAt!, newEnd);
    const def = this.terms.definition.steps.find((s) => s.key === step.key)!;
    return stepDueAtFor(def, step.startedAt!, this.endsOn, this.terms.company.city);
  }

  private step(key: string): StepState {
    return this.state.steps.find((s) => s.key === key)!;
  }

  private consultant(): { name: string; email: string } {
    return this.state.consultant ?? this.terms.consultant;
  }

  private consultantRecipient(): Recipient {
    return { name: this.consultant().name, email: this.consultant().email, locale: 'it' };
  }

  private startStep(step: StepState, at: number): void {
    const def = this.terms.definition.steps.find((s) => s.key === step.key)!;
    const { endsOn } = this;
    const city = this.terms.company.city;
    step.status = 'active';
    step.startedAt = at;
    step.dueAt =
      this.engine === 'agenda'
        ? stepDueAtFor(def, at, endsOn, city)
        : stepDueAt(at, def.durationWorkingDays, this.hardEnd, city);
    step.plannedFrom = at;
    this.state.currentStep = step.key;
    this.state.history.push({ at, type: 'step-started', stepKey: step.key });
  }

  /** The milestone of a change to a step that stays in progress (reopened, due later), with its reason. */
  private stepChanged(
    type: 'step_reopened' | 'due_extended',
    eventKey: string,
    step: StepState,
    req: { actor: Actor; reason: string },
    now: number,
  ) {
    return {
      eventKey,
      type,
      stepKey: step.key,
      actor: req.actor.id,
      occurredAt: now,
      dueAt: step.dueAt,
      note: req.reason,
      enrollment: { status: 'active' as const, currentStep: step.key },
    };
  }

  /** The milestone as of now (its position in the history, the due date in progress) and the emails. */
  private record(
    milestone: Omit<Milestone, 'enrollmentId' | 'seq' | 'enrollment'> & {
      enrollment: Omit<Milestone['enrollment'], 'currentDueAt'>;
    },
    ...notifications: Notice[]
  ): Outcome {
    const { status } = milestone.enrollment;
    return {
      milestones: [
        {
          enrollmentId: this.id,
          seq: this.state.history.length,
          ...milestone,
          enrollment: {
            ...milestone.enrollment,
            currentDueAt: status === 'active' ? (this.current()?.dueAt ?? null) : null,
          },
        },
      ],
      notifications,
    };
  }

  /**
   * An email of this pathway. Its context is checked against the message's declaration in the mail
   * registry (a missing, misspelt or mistyped variable fails `tsc`); the enrollment's own fields are
   * added here.
   */
  private notice<N extends Notice['template']>(
    template: N,
    key: string,
    to: Recipient[],
    context: Omit<ContextOf<N>, 'companyName' | 'pathwayName' | 'consultantName' | 'consultantEmail'>,
  ): Notice {
    const consultant = this.consultant();
    // By role, the firm's participants are resolved when the message is written (those of the day,
    // not those of the enrollment): the recipients keep only the staff, and the roles say who else.
    const participants = new Set(this.terms.participants.map((p) => p.email.toLowerCase()));
    const forParticipants = this.recipientsByRole && to.some((r) => participants.has(r.email.toLowerCase()));
    return {
      key,
      enrollmentId: this.id,
      template,
      to: forParticipants ? to.filter((r) => !participants.has(r.email.toLowerCase())) : to,
      context: {
        companyName: this.terms.company.name,
        pathwayName: this.terms.definition.name,
        consultantName: consultant.name,
        consultantEmail: consultant.email,
        ...context,
      },
      ...(forParticipants ? { participantRoles: [...PARTICIPANT_ROLES] } : {}),
    };
  }
}
