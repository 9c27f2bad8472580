/**
 * Reviving a pathway that expired under the old end of its edition before a decree moved it. The
 * closed run's result is the pathway's state; a new run of the same workflow id starts with that
 * state and the edition's current end (`revival` in its input), records the `revived` milestone
 * (the enrollment is active again) and emails its participants and consultant once. A second call
 * meets the running workflow (or the active row) and answers 409, with no second email.
 */
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { DomainError } from '../domain/errors';
import { milestoneKeys } from '../domain/pathway-keys';
import { checkRevival } from '../domain/pathway-rules';
import type { Db } from '../infra/db';
import type { PathwayInput, PathwayState } from '../workflows/messages';
import { pathwayWorkflow } from '../workflows/pathway';
import { audit, type AuditActor } from './audit';

export interface RevivalDeps<V> {
  db: Db;
  temporal: Client;
  taskQueue: string;
  getEnrollment: (id: string, live?: boolean) => Promise<V>;
  /** The service's clock (epoch ms): a revival needs the edition's end after it. */
  now: () => number;
}

/** How long the answer waits for the run's `revived` milestone to be written (it needs a worker). */
const MILESTONE_WAIT_MS = 10_000;

function alreadyActive(): DomainError {
  return new DomainError('already_active', {
    it: 'Il percorso è già attivo: non c’è nulla da riattivare.',
    en: 'The pathway is already active: there is nothing to revive.',
  });
}

function notRevivable(status: string): DomainError {
  return new DomainError(
    'not_revivable',
    {
      it: `Solo un percorso scaduto può essere riattivato (stato: ${status}).`,
      en: `Only an expired pathway can be revived (status: ${status}).`,
    },
    { status },
  );
}

export async function revivePathway<E extends { id: string; status: string; workflowId: string }, V>(
  deps: RevivalDeps<V>,
  target: { enrollment: Promise<E>; inputOf: (e: E) => Promise<PathwayInput> },
  req: { reason: string; actor: AuditActor & { name?: string } },
) {
  const { db, temporal, taskQueue } = deps;
  const e = await target.enrollment;
  if (e.status === 'active') throw alreadyActive();
  if (e.status !== 'expired') throw notRevivable(e.status);
  const handle = temporal.workflow.getHandle<typeof pathwayWorkflow>(e.workflowId);
  const described = await handle.describe();
  // A revival under way (its milestone not written yet): the same answer as an active pathway.
  if (described.status.name === 'RUNNING') throw alreadyActive();
  if (described.status.name !== 'COMPLETED') throw notRevivable(described.status.name.toLowerCase());
  const closed: PathwayState = await handle.result();
  // The terms as now stored (participants removed since are not written to), the edition's current end.
  const input = await target.inputOf(e);
  const revival = {
    endsOn: input.programme.endsOn,
    reason: req.reason.trim(),
    actor: { role: 'admin' as const, id: req.actor.id, ...(req.actor.name ? { name: req.actor.name } : {}) },
  };
  const current = closed.steps.find((s) => s.status === 'active');
  const refusal = checkRevival(closed.status, current, revival, deps.now());
  if (refusal) throw new DomainError(refusal.code === 'not_expired' ? 'not_revivable' : refusal.code, refusal.message);
  const n = (closed.revivals?.length ?? 0) + 1;
  let runId: string;
  try {
    const started = await temporal.workflow.start(pathwayWorkflow, {
      taskQueue,
      workflowId: e.workflowId,
      args: [{ ...input, carried: closed, revival }],
      // The run is closed: a new one of the same id carries the pathway on. Two revivals at once:
      // the second finds the first running and is refused.
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    });
    runId = started.firstExecutionRunId;
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) throw alreadyActive();
    throw err;
  }
  await audit(db, {
    actor: req.actor,
    action: 'enrollment.revive',
    entity: 'enrollment',
    entityId: e.id,
    before: { status: 'expired', programmeEndsOn: closed.programmeEndsOn ?? null, currentStep: current?.key ?? null },
    after: { status: 'active', programmeEndsOn: revival.endsOn, reason: revival.reason, runId, revival: n },
  });
  // The answer follows the projection: wait (bounded) for the run's `revived` milestone.
  const deadline = Date.now() + MILESTONE_WAIT_MS;
  const eventKey = milestoneKeys.revived(n);
  while (Date.now() < deadline) {
    const written = await db.milestone.findUnique({
      where: { enrollmentId_eventKey: { enrollmentId: e.id, eventKey } },
      select: { id: true },
    });
    if (written) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return { revival: { n, runId, programmeEndsOn: revival.endsOn }, enrollment: await deps.getEnrollment(e.id) };
}
