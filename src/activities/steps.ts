import { adoptedMarker } from '../salesforce/ownership';
import { userMarker } from '../salesforce/users';
import type { StepInput } from '../shared/registry';

export type { StepInput } from '../shared/registry';

/**
 * What proves the permission set (and the app) is this integration's: the marker its onboarding wrote, or
 * for an adopted integration the identity recorded at adoption (src/salesforce/ownership.ts).
 */
export const permissionSetMarker = (input: StepInput) =>
  input.adopted
    ? adoptedMarker(input.adopted.permissionSetId)
    : `${input.integration.names.marker} onboarding ${input.onboardingId}`;

export const appMarker = (input: StepInput) =>
  input.adopted
    ? adoptedMarker(input.adopted.app)
    : `${input.integration.names.marker} onboarding ${input.onboardingId}`;

export const integrationUserMarker = (input: StepInput) =>
  input.adopted ? adoptedMarker(input.adopted.userId) : userMarker(input.integration.names.name, input.onboardingId);
