export { pathwayWorkflow } from './pathway';
export { emptyWorkflow } from './bench';
