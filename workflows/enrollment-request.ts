/**
 * A firm's confirmed enrollment request, waiting for the ATS network's decision: the coordinators
 * are told at once, reminded after 3 working days, and the Region's administrators are told after
 * 10 (Europe/Rome working days, at 9:00). The decision arrives as the `decide` Update (which answers
 * with the outcome) or Signal; the activity that applies it is idempotent (the pathway is enrolled
 * under the request's id as idempotency key) and tells the firm.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { RequestActivities } from '../activities/enrollment-request';
import { addWorkingDays, localDateOf, workingDayAt } from '../domain/calendar';
import {
  decideSignal,
  decideUpdate,
  requestStageQuery,
  type RequestDecision,
  type RequestOutcome,
  type RequestWorkflowInput,
} from './enrollment-request-messages';

const acts = proxyActivities<RequestActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

function validDecision(d: RequestDecision): void {
  const ok =
    d &&
    typeof d.by?.id === 'string' &&
    ((d.decision === 'accept' && typeof d.consultantEmail === 'string' && d.consultantEmail.includes('@')) ||
      (d.decision === 'decline' && typeof d.reason === 'string' && d.reason.trim().length >= 5));
  if (!ok) throw ApplicationFailure.nonRetryable('invalid decision', 'invalid_decision');
}

/** The refusal of a decision the activity could not apply (the firm no longer eligible, say): its words. */
interface Refusal {
  seq: number;
  code: string;
  it: string;
  en: string;
}

function refusalOf(err: unknown, seq: number): Refusal {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure && cause.type === 'decision_refused') {
    const d = (cause.details?.[0] ?? {}) as Partial<Refusal>;
    return { seq, code: d.code ?? 'decision_refused', it: d.it ?? cause.message, en: d.en ?? cause.message };
  }
  throw err;
}

export async function enrollmentRequestWorkflow(input: RequestWorkflowInput): Promise<RequestOutcome> {
  let decision: RequestDecision | undefined = undefined;
  let outcome: RequestOutcome | undefined = undefined;
  let refusal: Refusal | undefined = undefined;
  let seq = 0;
  let stage: 'waiting' | 'reminded' | 'escalated' | 'deciding' | 'decided' = 'waiting';
  const alreadyDecided = () => ApplicationFailure.nonRetryable('the request was already decided', 'already_decided');
  setHandler(
    decideUpdate,
    async (d) => {
      if (decision || outcome) throw alreadyDecided();
      decision = d;
      const mine = ++seq;
      await condition(() => outcome !== undefined || refusal?.seq === mine);
      if (outcome) return outcome;
      throw ApplicationFailure.nonRetryable(refusal!.en, 'decision_refused', refusal);
    },
    {
      validator: (d) => {
        validDecision(d);
        if (decision || outcome) throw alreadyDecided();
      },
    },
  );
  setHandler(decideSignal, (d) => {
    try {
      validDecision(d);
    } catch {
      return; // A malformed signal changes nothing.
    }
    if (decision || outcome) return;
    decision = d;
    seq++;
  });
  setHandler(requestStageQuery, () => stage);

  const day = localDateOf(input.confirmedAt);
  const remindAt = workingDayAt(addWorkingDays(day, input.remindAfterWorkingDays ?? 3), 9);
  const escalateAt = workingDayAt(addWorkingDays(day, input.escalateAfterWorkingDays ?? 10), 9);
  const decided = (until: number) => condition(() => decision !== undefined, Math.max(0, until - Date.now()));

  await acts.requestNotify({ requestId: input.requestId, stage: 'new' });
  for (;;) {
    if (stage === 'waiting' && !(await decided(remindAt))) {
      stage = 'reminded';
      await acts.requestNotify({ requestId: input.requestId, stage: 'reminder' });
    }
    if (stage === 'reminded' && !(await decided(escalateAt))) {
      stage = 'escalated';
      await acts.requestNotify({ requestId: input.requestId, stage: 'escalation' });
    }
    await condition(() => decision !== undefined);
    const taken: RequestDecision = decision!;
    const takenSeq = seq;
    try {
      const applied = await acts.requestApply({
        requestId: input.requestId,
        decision: taken,
        taskQueue: workflowInfo().taskQueue,
      });
      outcome = applied;
      stage = 'decided';
      return applied;
    } catch (err) {
      // Refused for a reason a person can act on: the request waits for another decision.
      refusal = refusalOf(err, takenSeq);
      decision = undefined;
    }
  }
}
