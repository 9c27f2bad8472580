/**
 * The first engine of the pathway workflow, before the agenda (PATCHES.agenda): per step, one timer
 * per planned reminder, then one to the programme's hard end. Only runs whose history started
 * before the agenda patch take this path, and they replay exactly the commands they recorded, so
 * nothing here changes. (Their other differences are rules of the entity for engine `legacy`: due
 * dates from the step's duration alone, and no action but completion.)
 *
 * On its way out. Pathways started here end at their programme's hard end at the latest, and no
 * pathway lives more than 18 months, so none can remain 18 months after the agenda engine reached
 * production (commit 41e6ed3 of 2026-11-23: not before 2028-05-23). Once the worker's namespace
 * answers no run to `WorkflowType = 'pathwayWorkflow' AND ExecutionStatus = 'Running' AND
 * StartTime < <that deploy>`: replace `patched(PATCHES.agenda)` with `deprecatePatch(PATCHES.agenda)`
 * in workflows/pathway.ts, delete this file, the `legacy` engine of domain/pathway.ts and the v1
 * histories in test/replay/histories/ (they can no longer replay); when no run started before that
 * release remains either, drop the `deprecatePatch` call too.
 */
import { condition } from '@temporalio/workflow';
import type { Outcome, Pathway, PlannedNotice } from '../domain/pathway';
import { mailKeys } from '../domain/pathway-keys';
import { notificationPlan } from '../domain/schedule';
import type { PathwayTerms } from '../domain/pathway';

export interface LegacyEffects {
  record(outcome: Outcome): Promise<void>;
  sendPlanned(planned: PlannedNotice): Promise<void>;
}

export async function runLegacyEngine(pathway: Pathway, input: PathwayTerms, io: LegacyEffects): Promise<void> {
  const { state, hardEnd } = pathway;
  while (pathway.active) {
    const step = pathway.current();
    if (!step) break;
    for (const planned of notificationPlan(
      input.definition.reminders,
      step.dueAt!,
      step.startedAt!,
      input.company.city,
    )) {
      const key = mailKeys.stepNotification(state.enrollmentId, step, planned.type, planned.offset);
      if (state.sent.includes(key)) continue;
      const moved = await condition(() => step.status !== 'active', Math.max(0, planned.at - Date.now()));
      if (moved || step.status !== 'active') break;
      await io.sendPlanned(pathway.stepNotice(step, planned, key));
    }
    const done = await condition(() => step.status !== 'active', Math.max(0, hardEnd - Date.now()));
    // These runs never sent the expiry email: they record the milestone only.
    if (!done && step.status === 'active') await io.record({ ...pathway.expire(step, Date.now()), notifications: [] });
  }
}
