export { pathwayWorkflow } from './pathway';
export { programmeDecreeWorkflow } from './programme-decree';
export { emptyWorkflow, evictionBenchWorkflow, reminderBenchWorkflow, updateBenchWorkflow } from './bench';
export { consultantDigestWorkflow, coordinatorDigestWorkflow, milestoneReportWorkflow } from './scheduled';
export { enrollmentRequestWorkflow } from './enrollment-request';
export { anonymiseWorkflow } from './anonymise';
