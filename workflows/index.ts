export { pathwayWorkflow } from './pathway';
export { programmeDecreeWorkflow } from './programme-decree';
export { emptyWorkflow, reminderBenchWorkflow, updateBenchWorkflow } from './bench';
export { consultantDigestWorkflow, coordinatorDigestWorkflow, milestoneReportWorkflow } from './scheduled';
