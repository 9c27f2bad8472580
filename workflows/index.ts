export { pathwayWorkflow } from './pathway';
export { programmeDecreeWorkflow } from './programme-decree';
export { emptyWorkflow, reminderBenchWorkflow } from './bench';
export { consultantDigestWorkflow, coordinatorDigestWorkflow, milestoneReportWorkflow } from './scheduled';
