/**
 * The daily anonymisation run (a Temporal Schedule, client/schedules.ts): one activity that replaces
 * the personal data of editions past their retention period with placeholders. The workflow's clock
 * gives the run its day, so a retry judges the same day; a second run finds nothing left to do.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { AnonymiseActivities, AnonymiseResult } from '../activities/types';

const acts = proxyActivities<AnonymiseActivities>({
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

export async function anonymiseWorkflow(): Promise<AnonymiseResult> {
  return acts.anonymiseEndedEditions({ asOf: Date.now() });
}
