export { pathwayWorkflow } from './pathway';
export { emptyWorkflow, reminderBenchWorkflow } from './bench';
export { consultantDigestWorkflow, coordinatorDigestWorkflow, milestoneReportWorkflow } from './scheduled';
