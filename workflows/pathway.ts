/**
 * One workflow per enrollment: walks the steps of its catalogue entry (received as input, so a
 * catalogue edit never changes a running pathway), reminds participants on working days before
 * and at each due date, escalates when late, warns before the programme's hard end and closes the
 * pathway as expired when it is reached. People act through validated Updates.
 */
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { NotifyInput, PathwayActivities } from '../activities/types';
import { dueAtEndOfDay, parseIsoDate } from '../domain/calendar';
import type { Text } from '../domain/catalogue';
import {
  checkAssignment,
  checkCompletion,
  checkConfirmation,
  checkExtension,
  checkReopen,
  checkWithdrawal,
  type Refusal,
} from '../domain/pathway-rules';
import {
  notificationPlan,
  programmeHardEnd,
  programmeWarningPlan,
  stepDueAt,
  stepDueAtFor,
  type PlannedNotification,
} from '../domain/schedule';
import {
  assignConsultantUpdate,
  completeStepUpdate,
  confirmParticipationUpdate,
  extendDueDateUpdate,
  getStateQuery,
  reopenStepUpdate,
  withdrawUpdate,
  type CompleteStepRequest,
  type PathwayInput,
  type PathwayState,
  type StepState,
} from './messages';

const acts = proxyActivities<PathwayActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

const templateOf: Record<PlannedNotification['type'], NotifyInput['template']> = {
  'reminder-before': 'step-reminder',
  'reminder-due-today': 'step-reminder',
  overdue: 'step-overdue',
  escalation: 'escalation-consultant',
};

/** Patch ids: runs started before a change keep their old path on replay. */
export const PATCHES = {
  /** v2 engine: one agenda of timers (reminders, programme-end warnings, hard end), re-planned on every change. */
  agenda: 'agenda-loop-v2',
  /** The email an Update causes goes after the Update has answered, so SMTP trouble never holds the caller. */
  updateEmailsAfterAnswer: 'update-emails-after-answer',
  /** Reminders and warnings are staged in the outbox ahead of time and sent by the dispatcher. */
  stagedReminders: 'staged-reminders',
} as const;

const DEFAULT_CONTINUE_AS_NEW_AFTER = 2000;

function refuse(refusal: Refusal | null): void {
  if (refusal) {
    throw ApplicationFailure.create({
      type: refusal.code,
      message: refusal.message.en,
      details: [refusal.message],
      nonRetryable: true,
    });
  }
}

export async function pathwayWorkflow(input: PathwayInput): Promise<PathwayState> {
  const { definition, enrollmentId } = input;
  const hardEnd = programmeHardEnd(input.programme.endsOn);
  const city = input.company.city;
  const state: PathwayState = input.carried ?? {
    enrollmentId,
    kind: definition.kind,
    catalogueVersion: definition.version,
    status: 'active',
    currentStep: null,
    steps: definition.steps.map((s) => ({ key: s.key, name: s.name, status: 'pending' })),
    history: [],
    sent: [],
  };
  /** Which engine drives this run: decided once, below, through patched(). */
  let engine: 'legacy' | 'agenda' | undefined = input.carried ? 'agenda' : undefined;
  /** Bumped by every change that invalidates the agenda (completion, reopen, extension, withdrawal). */
  let changes = 0;

  const consultant = () => state.consultant ?? input.consultant;
  const consultantRecipient = () => ({ name: consultant().name, email: consultant().email, locale: 'it' as const });
  const current = (): StepState | undefined => state.steps.find((s) => s.status === 'active');
  const stepDef = (key: string) => definition.steps.find((s) => s.key === key)!;
  const startStep = (step: StepState, at: number, durationWorkingDays: number) => {
    step.status = 'active';
    step.startedAt = at;
    step.dueAt =
      engine === 'agenda'
        ? stepDueAtFor(stepDef(step.key), at, input.programme.endsOn, city)
        : stepDueAt(at, durationWorkingDays, hardEnd, city);
    step.plannedFrom = at;
    state.currentStep = step.key;
    state.history.push({ at, type: 'step-started', stepKey: step.key });
  };
  const baseContext = () => ({
    companyName: input.company.name,
    pathwayName: definition.name,
    consultantName: consultant().name,
    consultantEmail: consultant().email,
  });
  // The current step's due date rides along on every milestone (an activity argument, so replay
  // is unaffected): digests and at-risk reports read it from the enrollment row.
  const milestone = (m: Omit<Parameters<PathwayActivities['recordMilestone']>[0], 'enrollmentId' | 'seq'>) =>
    acts.recordMilestone({
      enrollmentId,
      seq: state.history.length,
      ...m,
      enrollment: {
        ...m.enrollment,
        currentDueAt: m.enrollment.status === 'active' ? (current()?.dueAt ?? null) : null,
      },
    });

  // A new run opens its first step before any handler is registered. An Update sent right after the
  // enrollment can reach this very first activation, where it runs as soon as its handler is set:
  // it must find the step open. (The commands keep their order: the patch marker, then the
  // milestone activity, as before.)
  engine ??= patched(PATCHES.agenda) ? 'agenda' : 'legacy';
  let enrolled: Promise<void> | undefined;
  if (!input.carried) {
    const now = Date.now();
    state.history.push({ at: now, type: 'enrolled' });
    startStep(state.steps[0]!, now, definition.steps[0]!.durationWorkingDays);
    enrolled = milestone({
      eventKey: 'enrolled',
      type: 'enrolled',
      actor: 'system',
      occurredAt: now,
      enrollment: { status: 'active', currentStep: state.currentStep },
    });
  }

  /** Emails sent by Updates that have already answered; the run ends only once they are done. */
  const pendingEmails = new Set<Promise<void>>();
  const settled = () => allHandlersFinished() && pendingEmails.size === 0;
  /**
   * The email an Update causes. It goes in the background: the person who acted gets their answer as
   * soon as the change and its milestone are recorded, even while SMTP is down and the activity
   * retries. Runs whose history predates the patch keep awaiting it, as they recorded.
   */
  const notifyAfterAnswer = async (n: NotifyInput): Promise<void> => {
    if (!patched(PATCHES.updateEmailsAfterAnswer)) {
      await acts.notify(n);
      return;
    }
    const sending: Promise<void> = acts.notify(n).then(
      () => {
        pendingEmails.delete(sending);
      },
      (err: unknown) => {
        pendingEmails.delete(sending);
        log.error('email of an update failed for good', { key: n.key, error: String(err) });
      },
    );
    pendingEmails.add(sending);
  };

  setHandler(getStateQuery, () => state);

  setHandler(
    completeStepUpdate,
    async (req: CompleteStepRequest) => {
      const now = Date.now();
      const index = state.steps.findIndex((s) => s.key === req.stepKey);
      const step = state.steps[index]!;
      // Mutate before any await, so a concurrent duplicate request fails validation.
      step.status = 'done';
      step.completedAt = now;
      step.completedBy = req.actor;
      step.evidence = req.evidence;
      step.onTime = now <= (step.dueAt ?? now);
      state.history.push({
        at: now,
        type: 'step-completed',
        stepKey: step.key,
        actor: req.actor,
        detail: req.evidence,
      });
      const next = state.steps[index + 1];
      const nextDef = definition.steps[index + 1];
      if (next && nextDef) startStep(next, now, nextDef.durationWorkingDays);
      else state.currentStep = null;
      changes++;
      const round = step.round ?? 0;
      await milestone({
        eventKey: round === 0 ? `step:${step.key}` : `step:${step.key}:r${round}`,
        type: 'step_completed',
        stepKey: step.key,
        actor: req.actor.id,
        occurredAt: now,
        dueAt: step.dueAt,
        onTime: step.onTime,
        evidence: req.evidence,
        enrollment: { status: 'active', currentStep: state.currentStep },
      });
      await notifyAfterAnswer({
        key:
          round === 0
            ? `${enrollmentId}:step-completed:${step.key}`
            : `${enrollmentId}:step-completed:${step.key}:r${round}`,
        enrollmentId,
        template: 'step-completed',
        to: input.participants,
        context: {
          ...baseContext(),
          stepName: step.name,
          completedBy: req.actor.name ?? req.actor.id,
          completedAt: now,
          nextStepName: next ? next.name : '',
          nextStepDueAt: next?.dueAt ?? '',
        },
      });
      return state;
    },
    { validator: (req) => refuse(checkCompletion(definition, state.status, state.steps, req)) },
  );

  // The Updates below exist only in the agenda engine; legacy runs refuse them explicitly.
  const requireAgenda = () =>
    engine === 'agenda'
      ? null
      : {
          code: 'not_supported_for_this_run',
          message: {
            it: 'Questo percorso è stato avviato con una versione precedente del servizio e non supporta questa operazione.',
            en: 'This pathway was started by an earlier version of the service and does not support this operation.',
          },
        };

  setHandler(
    reopenStepUpdate,
    async (req) => {
      const now = Date.now();
      const step = state.steps.find((s) => s.key === req.stepKey)!;
      const active = current();
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
      startStep(step, now, stepDef(step.key).durationWorkingDays);
      state.history.push({ at: now, type: 'step-reopened', stepKey: step.key, actor: req.actor, detail: req.reason });
      changes++;
      await milestone({
        eventKey: `reopen:${step.key}:${step.round}`,
        type: 'step_reopened',
        stepKey: step.key,
        actor: req.actor.id,
        occurredAt: now,
        dueAt: step.dueAt,
        note: req.reason,
        enrollment: { status: 'active', currentStep: step.key },
      });
      await notifyAfterAnswer({
        key: `${enrollmentId}:reopened:${step.key}:${step.round}`,
        enrollmentId,
        template: 'step-reopened',
        to: [...input.participants, consultantRecipient()],
        context: {
          ...baseContext(),
          stepName: step.name,
          reason: req.reason,
          actorName: req.actor.name ?? req.actor.id,
          dueAt: step.dueAt!,
        },
      });
      return state;
    },
    { validator: (req) => refuse(requireAgenda() ?? checkReopen(state.status, state.steps, req)) },
  );

  setHandler(
    extendDueDateUpdate,
    async (req) => {
      const now = Date.now();
      const step = state.steps.find((s) => s.key === req.stepKey)!;
      const previousDueAt = step.dueAt!;
      step.dueAt = dueAtEndOfDay(parseIsoDate(req.newDueDate));
      step.plan = (step.plan ?? 0) + 1;
      step.plannedFrom = now;
      state.history.push({ at: now, type: 'due-extended', stepKey: step.key, actor: req.actor, detail: req.reason });
      changes++;
      await milestone({
        eventKey: `extend:${step.key}:r${step.round ?? 0}p${step.plan}`,
        type: 'due_extended',
        stepKey: step.key,
        actor: req.actor.id,
        occurredAt: now,
        dueAt: step.dueAt,
        note: req.reason,
        enrollment: { status: 'active', currentStep: step.key },
      });
      await notifyAfterAnswer({
        key: `${enrollmentId}:extended:${step.key}:r${step.round ?? 0}p${step.plan}`,
        enrollmentId,
        template: 'due-date-extended',
        to: input.participants,
        context: {
          ...baseContext(),
          stepName: step.name,
          previousDueAt,
          dueAt: step.dueAt,
          reason: req.reason,
          actorName: req.actor.name ?? req.actor.id,
        },
      });
      return state;
    },
    {
      validator: (req) => {
        refuse(requireAgenda());
        let newDueAt: number;
        try {
          newDueAt = dueAtEndOfDay(parseIsoDate(req.newDueDate));
        } catch {
          refuse({
            code: 'invalid_date',
            message: {
              it: `Data non valida: "${req.newDueDate}" (formato AAAA-MM-GG).`,
              en: `Invalid date "${req.newDueDate}" (YYYY-MM-DD).`,
            },
          });
          return;
        }
        refuse(checkExtension(state.status, state.steps, { ...req, newDueAt }, hardEnd));
      },
    },
  );

  setHandler(
    assignConsultantUpdate,
    async (req) => {
      const now = Date.now();
      state.consultant = { name: req.consultant.name, email: req.consultant.email };
      state.history.push({ at: now, type: 'consultant-assigned', actor: req.actor, detail: req.consultant.email });
      const n = state.history.filter((h) => h.type === 'consultant-assigned').length;
      await milestone({
        eventKey: `assign:${n}`,
        type: 'consultant_assigned',
        actor: req.actor.id,
        occurredAt: now,
        note: req.consultant.email,
        enrollment: { status: 'active', currentStep: state.currentStep, consultant: state.consultant },
      });
      const step = current();
      await notifyAfterAnswer({
        key: `${enrollmentId}:assigned:${n}`,
        enrollmentId,
        template: 'consultant-assigned',
        to: [consultantRecipient()],
        context: { ...baseContext(), stepName: step ? step.name : '', dueAt: step?.dueAt ?? '' },
      });
      return state;
    },
    { validator: (req) => refuse(requireAgenda() ?? checkAssignment(state.status, consultant().email, req)) },
  );

  setHandler(
    withdrawUpdate,
    async (req) => {
      const now = Date.now();
      state.status = 'withdrawn';
      state.history.push({ at: now, type: 'withdrawn', actor: req.actor, detail: req.reason });
      changes++;
      await milestone({
        eventKey: 'withdrawn',
        type: 'withdrawn',
        stepKey: state.currentStep ?? undefined,
        actor: req.actor.id,
        occurredAt: now,
        note: req.reason,
        enrollment: { status: 'withdrawn', currentStep: state.currentStep },
      });
      await notifyAfterAnswer({
        key: `${enrollmentId}:withdrawn`,
        enrollmentId,
        template: 'enrollment-withdrawn',
        to: [...input.participants, consultantRecipient()],
        context: { ...baseContext(), reason: req.reason, withdrawnAt: now },
      });
      return state;
    },
    { validator: (req) => refuse(requireAgenda() ?? checkWithdrawal(state.status, req)) },
  );

  setHandler(
    confirmParticipationUpdate,
    async (req) => {
      const now = Date.now();
      state.confirmedAt = now;
      state.history.push({ at: now, type: 'participation-confirmed', actor: req.actor });
      await milestone({
        eventKey: 'confirmed',
        type: 'participation_confirmed',
        actor: req.actor.id,
        occurredAt: now,
        enrollment: { status: 'active', currentStep: state.currentStep },
      });
      return state;
    },
    {
      validator: (req) =>
        refuse(requireAgenda() ?? checkConfirmation(state.status, state.confirmedAt !== undefined, req)),
    },
  );

  if (!input.carried) {
    const first = state.steps[0]!;
    await enrolled;
    await acts.notify({
      key: `${enrollmentId}:welcome`,
      enrollmentId,
      template: 'enrollment-welcome',
      to: input.participants,
      context: { ...baseContext(), stepName: first.name, dueAt: first.dueAt! },
    });
  }
  /**
   * A reminder or warning: sent now, or, when staging (`sendAt`), written to the outbox for the
   * dispatcher to send at that time and remembered so that a change can withdraw it.
   */
  const notifyPlanned = async (n: NotifyInput, what: string, stepKey?: string) => {
    const result = await acts.notify(n);
    state.sent.push(n.key);
    if (n.sendAt !== undefined) state.staged = [...(state.staged ?? []), { key: n.key, at: n.sendAt }];
    state.history.push({
      at: Date.now(),
      type: 'notification',
      ...(stepKey ? { stepKey } : {}),
      detail:
        n.sendAt !== undefined
          ? `${what} (${result.scheduled ?? 0} staged for ${new Date(n.sendAt).toISOString()})`
          : stepKey
            ? `${what} (${result.sent} sent)`
            : what,
    });
  };
  const sendStepNotification = (step: StepState, planned: PlannedNotification, key: string, sendAt?: number) =>
    notifyPlanned(
      {
        key,
        enrollmentId,
        template: templateOf[planned.type],
        to: planned.type === 'escalation' ? [consultantRecipient()] : input.participants,
        context: {
          ...baseContext(),
          stepName: step.name,
          dueAt: step.dueAt!,
          when: planned.type === 'reminder-due-today' ? 'due-today' : 'before',
          daysOverdue: Math.max(planned.offset, 0),
        },
        ...(sendAt !== undefined ? { sendAt } : {}),
      },
      planned.type,
      step.key,
    );
  /**
   * Withdraws staged messages not yet due: those of the step that just changed (its plan is
   * obsolete: new keys follow), or all of them once the pathway has ended.
   */
  const cancelStaged = async (all: boolean) => {
    if (!state.staged?.length) return;
    const now = Date.now();
    const future = state.staged.filter((s) => s.at > now);
    const cancel = future.filter((s) => all || !s.key.startsWith(`${enrollmentId}:programme-end:`));
    state.staged = future.filter((s) => !cancel.includes(s));
    if (cancel.length > 0) await acts.cancelScheduled({ keys: cancel.map((s) => s.key) });
  };

  const expire = async (step: StepState) => {
    state.status = 'expired';
    state.history.push({ at: Date.now(), type: 'expired', stepKey: step.key });
    await milestone({
      eventKey: 'expired',
      type: 'expired',
      stepKey: step.key,
      actor: 'system',
      occurredAt: Date.now(),
      enrollment: { status: 'expired', currentStep: step.key },
    });
  };

  if (engine === 'legacy') {
    // Runs started before the agenda engine: exactly the commands they recorded.
    while (state.status === 'active') {
      const step = current();
      if (!step) break;
      const plan = notificationPlan(definition.reminders, step.dueAt!, step.startedAt!, city);
      for (const planned of plan) {
        const key = `${enrollmentId}:${step.key}:${planned.type}:${planned.offset}`;
        if (state.sent.includes(key)) continue;
        const moved = await condition(() => step.status !== 'active', Math.max(0, planned.at - Date.now()));
        if (moved || step.status !== 'active') break;
        await sendStepNotification(step, planned, key);
      }
      const done = await condition(() => step.status !== 'active', Math.max(0, hardEnd - Date.now()));
      if (!done && step.status === 'active') await expire(step);
    }
  } else {
    const continueAfter = input.continueAsNewAfterEvents ?? DEFAULT_CONTINUE_AS_NEW_AFTER;
    const startedAt = state.history.find((h) => h.type === 'enrolled')?.at ?? 0;
    while (state.status === 'active') {
      const step = current();
      if (!step) break;
      if (workflowInfo().historyLength > continueAfter || workflowInfo().continueAsNewSuggested) {
        // Keep the history bounded over an 18-month pathway: carry the state into a fresh run.
        await condition(settled);
        await continueAsNew<typeof pathwayWorkflow>({ ...input, carried: { ...state, runs: (state.runs ?? 1) + 1 } });
      }
      const agenda = buildAgenda(step, startedAt);
      const next = agenda[0];
      const until = next ? next.at : hardEnd;
      const seen = changes;
      const changed = await condition(
        () => changes !== seen || state.status !== 'active',
        Math.max(0, until - Date.now()),
      );
      if (changed || state.status !== 'active') {
        await cancelStaged(false);
        continue;
      }
      if (next) await next.run();
      else await expire(step);
    }
    await cancelStaged(true);
  }

  function buildAgenda(step: StepState, enrolledAt: number): { at: number; run: () => Promise<void> }[] {
    const round = step.round ?? 0;
    const plan = step.plan ?? 0;
    // Staging: each message is written to the outbox `lead` before it is due (`at` is then when the
    // run wakes, `sendAt` when the dispatcher sends it).
    const lead = (input.reminderLeadMs ?? 0) > 0 && patched(PATCHES.stagedReminders) ? input.reminderLeadMs! : 0;
    const sendAtOf = (at: number) => (lead > 0 ? at : undefined);
    const items: { at: number; key: string; run: () => Promise<void> }[] = [];
    for (const planned of notificationPlan(
      definition.reminders,
      step.dueAt!,
      step.plannedFrom ?? step.startedAt!,
      city,
    )) {
      const key =
        round === 0 && plan === 0
          ? `${enrollmentId}:${step.key}:${planned.type}:${planned.offset}`
          : `${enrollmentId}:${step.key}:r${round}p${plan}:${planned.type}:${planned.offset}`;
      items.push({
        at: planned.at - lead,
        key,
        run: () => sendStepNotification(step, planned, key, sendAtOf(planned.at)),
      });
    }
    for (const warning of programmeWarningPlan(input.programme.endsOn, enrolledAt, city)) {
      const key = `${enrollmentId}:programme-end:${warning.workingDaysLeft}`;
      items.push({
        at: warning.at - lead,
        key,
        run: async () => {
          const open = state.steps.filter((s) => s.status !== 'done');
          const join = (locale: keyof Text) => open.map((s) => s.name[locale]).join(', ');
          const sendAt = sendAtOf(warning.at);
          await notifyPlanned(
            {
              key,
              enrollmentId,
              template: 'programme-end-warning',
              to: [...input.participants, consultantRecipient()],
              context: {
                ...baseContext(),
                programmeName: input.programme.name ?? input.programme.code,
                programmeEndAt: hardEnd,
                openSteps: { it: join('it'), en: join('en') },
                workingDaysLeft: warning.workingDaysLeft,
              },
              ...(sendAt !== undefined ? { sendAt } : {}),
            },
            `programme-end-warning (${warning.workingDaysLeft})`,
          );
        },
      });
    }
    return items.filter((i) => i.at + lead < hardEnd && !state.sent.includes(i.key)).sort((a, b) => a.at - b.at);
  }

  if (state.status === 'active') {
    const now = Date.now();
    state.status = 'completed';
    state.currentStep = null;
    state.history.push({ at: now, type: 'completed' });
    await condition(settled);
    await milestone({
      eventKey: 'completed',
      type: 'completed',
      actor: 'system',
      occurredAt: now,
      enrollment: { status: 'completed', currentStep: null },
    });
    await acts.notify({
      key: `${enrollmentId}:completed`,
      enrollmentId,
      template: 'pathway-completed',
      to: [...input.participants, consultantRecipient()],
      context: { ...baseContext(), completedAt: now },
    });
  } else if (state.status === 'expired' && engine === 'agenda') {
    const open = state.steps.find((s) => s.status === 'active');
    await acts.notify({
      key: `${enrollmentId}:expired`,
      enrollmentId,
      template: 'pathway-expired',
      to: [...input.participants, consultantRecipient()],
      context: { ...baseContext(), stepName: open ? open.name : '', expiredAt: hardEnd },
    });
  }
  await condition(settled);
  log.info('pathway finished', { enrollmentId, status: state.status });
  return state;
}
