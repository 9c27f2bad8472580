export { pathwayWorkflow } from './pathway';
