/**
 * One workflow per enrollment: walks the steps of its catalogue entry (received as input),
 * reminds participants on working days before and at each due date, escalates when late, and
 * accepts step completions through a validated Update.
 */
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  log,
  proxyActivities,
  setHandler,
} from '@temporalio/workflow';
import type { PathwayActivities, NotifyInput } from '../activities/types';
import { checkCompletion } from '../domain/pathway-rules';
import { notificationPlan, programmeHardEnd, stepDueAt, type PlannedNotification } from '../domain/schedule';
import {
  completeStepUpdate,
  getStateQuery,
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

  const current = (): StepState | undefined => state.steps.find((s) => s.status === 'active');
  const startStep = (step: StepState, at: number, durationWorkingDays: number) => {
    step.status = 'active';
    step.startedAt = at;
    step.dueAt = stepDueAt(at, durationWorkingDays, hardEnd, city);
    state.currentStep = step.key;
    state.history.push({ at, type: 'step-started', stepKey: step.key });
  };
  const baseContext = () => ({
    companyName: input.company.name,
    pathwayName: definition.name,
    consultantName: input.consultant.name,
    consultantEmail: input.consultant.email,
  });
  const consultantRecipient = { name: input.consultant.name, email: input.consultant.email, locale: 'it' as const };

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
      await acts.recordMilestone({
        enrollmentId,
        eventKey: `step:${step.key}`,
        seq: state.history.length,
        type: 'step_completed',
        stepKey: step.key,
        actor: req.actor.id,
        occurredAt: now,
        dueAt: step.dueAt,
        onTime: step.onTime,
        evidence: req.evidence,
        enrollment: { status: 'active', currentStep: state.currentStep },
      });
      await acts.notify({
        key: `${enrollmentId}:step-completed:${step.key}`,
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
    {
      validator: (req: CompleteStepRequest) => {
        const refusal = checkCompletion(definition, state.status, state.steps, req);
        if (refusal) {
          throw ApplicationFailure.create({
            type: refusal.code,
            message: refusal.message.en,
            details: [refusal.message],
            nonRetryable: true,
          });
        }
      },
    },
  );

  if (!input.carried) {
    const now = Date.now();
    state.history.push({ at: now, type: 'enrolled' });
    const first = state.steps[0]!;
    startStep(first, now, definition.steps[0]!.durationWorkingDays);
    await acts.recordMilestone({
      enrollmentId,
      eventKey: 'enrolled',
      seq: state.history.length,
      type: 'enrolled',
      actor: 'system',
      occurredAt: now,
      enrollment: { status: 'active', currentStep: state.currentStep },
    });
    await acts.notify({
      key: `${enrollmentId}:welcome`,
      enrollmentId,
      template: 'enrollment-welcome',
      to: input.participants,
      context: { ...baseContext(), stepName: first.name, dueAt: first.dueAt! },
    });
  }

  // One pass per step: sleep until the next planned notification unless the step is completed first.
  while (state.status === 'active') {
    const step = current();
    if (!step) break;
    const plan = notificationPlan(definition.reminders, step.dueAt!, step.startedAt!, city);
    for (const planned of plan) {
      const key = `${enrollmentId}:${step.key}:${planned.type}:${planned.offset}`;
      if (state.sent.includes(key)) continue;
      const moved = await condition(() => step.status !== 'active', Math.max(0, planned.at - Date.now()));
      if (moved || step.status !== 'active') break;
      const toConsultant = planned.type === 'escalation';
      const result = await acts.notify({
        key,
        enrollmentId,
        template: templateOf[planned.type],
        to: toConsultant ? [consultantRecipient] : input.participants,
        context: {
          ...baseContext(),
          stepName: step.name,
          dueAt: step.dueAt!,
          when: planned.type === 'reminder-due-today' ? 'due-today' : 'before',
          daysOverdue: Math.max(planned.offset, 0),
        },
      });
      state.sent.push(key);
      state.history.push({
        at: Date.now(),
        type: 'notification',
        stepKey: step.key,
        detail: `${planned.type} (${result.sent} sent)`,
      });
    }
    // All reminders are out: wait for completion, but never past the programme's hard end.
    const done = await condition(() => step.status !== 'active', Math.max(0, hardEnd - Date.now()));
    if (!done && step.status === 'active') {
      state.status = 'expired';
      state.history.push({ at: Date.now(), type: 'expired', stepKey: step.key });
      await acts.recordMilestone({
        enrollmentId,
        eventKey: 'expired',
        seq: state.history.length,
        type: 'expired',
        stepKey: step.key,
        actor: 'system',
        occurredAt: Date.now(),
        enrollment: { status: 'expired', currentStep: step.key },
      });
    }
  }

  if (state.status === 'active') {
    const now = Date.now();
    state.status = 'completed';
    state.currentStep = null;
    state.history.push({ at: now, type: 'completed' });
    await condition(allHandlersFinished);
    await acts.recordMilestone({
      enrollmentId,
      eventKey: 'completed',
      seq: state.history.length,
      type: 'completed',
      actor: 'system',
      occurredAt: now,
      enrollment: { status: 'completed', currentStep: null },
    });
    await acts.notify({
      key: `${enrollmentId}:completed`,
      enrollmentId,
      template: 'pathway-completed',
      to: [...input.participants, consultantRecipient],
      context: { ...baseContext(), completedAt: now },
    });
  }
  await condition(allHandlersFinished);
  log.info('pathway finished', { enrollmentId, status: state.status });
  return state;
}
