export { pathwayWorkflow } from './pathway';
export { emptyWorkflow, evictionBenchWorkflow, reminderBenchWorkflow } from './bench';
export { consultantDigestWorkflow, coordinatorDigestWorkflow, milestoneReportWorkflow } from './scheduled';
