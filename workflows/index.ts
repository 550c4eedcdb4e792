// Every workflow the worker runs; the bundler starts here.
export { contractWorkflow } from './contract';
export { onboardingWorkflow } from './onboarding/workflow';
export { accountWorkflow } from './account/workflow';
export { amendmentWorkflow } from './amendment/workflow';
export { deliverStepNews, deliverDigest, redeliverWebhook, deliveryRound } from './delivery/workflow';
