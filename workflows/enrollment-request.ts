/**
 * A firm's confirmed enrollment request, waiting for the ATS network's decision: the coordinators
 * are told at once, reminded after 3 working days, and the Region's administrators are told after
 * 10 (Europe/Rome working days, at 9:00). The decision arrives as the `decide` Update (which answers
 * with the outcome) or Signal; the activity that applies it is idempotent (the pathway is enrolled
 * under the request's id as idempotency key) and tells the firm.
 */
import { condition, proxyActivities, setHandler, workflowInfo, ApplicationFailure } from '@temporalio/workflow';
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

export async function enrollmentRequestWorkflow(input: RequestWorkflowInput): Promise<RequestOutcome> {
  let decision: RequestDecision | undefined;
  let outcome: RequestOutcome | undefined;
  let stage: 'waiting' | 'reminded' | 'escalated' | 'deciding' | 'decided' = 'waiting';
  const take = (d: RequestDecision) => {
    if (decision) throw ApplicationFailure.nonRetryable('the request was already decided', 'already_decided');
    decision = d;
  };
  setHandler(
    decideUpdate,
    async (d) => {
      take(d);
      await condition(() => outcome !== undefined);
      return outcome!;
    },
    {
      validator: (d) => {
        validDecision(d);
        if (decision) throw ApplicationFailure.nonRetryable('the request was already decided', 'already_decided');
      },
    },
  );
  setHandler(decideSignal, (d) => {
    try {
      validDecision(d);
      take(d);
    } catch {
      // A malformed or late signal changes nothing.
    }
  });
  setHandler(requestStageQuery, () => stage);

  const day = localDateOf(input.confirmedAt);
  const remindAt = workingDayAt(addWorkingDays(day, input.remindAfterWorkingDays ?? 3), 9);
  const escalateAt = workingDayAt(addWorkingDays(day, input.escalateAfterWorkingDays ?? 10), 9);

  await acts.requestNotify({ requestId: input.requestId, stage: 'new' });
  if (!(await condition(() => decision !== undefined, Math.max(0, remindAt - Date.now())))) {
    stage = 'reminded';
    await acts.requestNotify({ requestId: input.requestId, stage: 'reminder' });
    if (!(await condition(() => decision !== undefined, Math.max(0, escalateAt - Date.now())))) {
      stage = 'escalated';
      await acts.requestNotify({ requestId: input.requestId, stage: 'escalation' });
      await condition(() => decision !== undefined);
    }
  }
  stage = 'deciding';
  const applied = await acts.requestApply({
    requestId: input.requestId,
    decision: decision!,
    taskQueue: workflowInfo().taskQueue,
  });
  outcome = applied;
  stage = 'decided';
  return applied;
}
