/**
 * Workflows started by Temporal Schedules: the consultants' daily digest, the coordinators'
 * weekly digest and the milestone reports (weekly per network, monthly for the Region). Each is
 * one activity call; the workflow's clock gives the run its day, so a retry sees the same day.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { ScheduledActivities } from '../activities/types';
import type { DigestResult } from '../activities/digests';
import type { ReportDeliveryResult, ReportScope } from '../activities/report-delivery';

const acts = proxyActivities<ScheduledActivities>({
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

export async function consultantDigestWorkflow(): Promise<DigestResult> {
  return acts.sendConsultantDigests({ asOf: Date.now() });
}

export async function coordinatorDigestWorkflow(): Promise<DigestResult> {
  return acts.sendCoordinatorDigests({ asOf: Date.now() });
}

export async function milestoneReportWorkflow(target: ReportScope): Promise<ReportDeliveryResult> {
  return acts.sendMilestoneReport({ target, asOf: Date.now() });
}
