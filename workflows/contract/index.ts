export { contractWorkflow } from './workflow';
