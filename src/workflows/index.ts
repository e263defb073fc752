export { onboardIntegration } from './onboard';
export { integrationRegistry } from './registry';
export { auditIntegrations } from './audit';
export { rotateCredentials } from './rotate';
export { offboardIntegration } from './offboard';
export { remediateIntegration } from './remediate';
export { changeIntegration } from './change';
export { reviewCampaign } from './review';
