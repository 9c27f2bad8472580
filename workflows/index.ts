export { pathwayWorkflow } from './pathway';
export { emptyWorkflow, reminderBenchWorkflow, updateBenchWorkflow } from './bench';
export { consultantDigestWorkflow, coordinatorDigestWorkflow, milestoneReportWorkflow } from './scheduled';
