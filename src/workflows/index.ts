export { onboardIntegration } from './onboard';
