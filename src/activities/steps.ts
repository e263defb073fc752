import type { ResolvedIntegration } from '../spec/normalize';

/** The part of an onboarding that every activity needs to find (or prove it made) its objects. */
export interface StepInput {
  integration: ResolvedIntegration;
  onboardingId: string;
}

export const permissionSetMarker = (input: StepInput) =>
  `${input.integration.names.marker} onboarding ${input.onboardingId}`;
export const appMarker = permissionSetMarker;
