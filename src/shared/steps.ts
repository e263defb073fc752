/**
 * The steps of an onboarding, each under one name from plan to status to history: the key is the name
 * of the activity that performs it (activity types are recorded in workflow history, so a key never
 * changes without `patched()`), the label is what people read, the undo says how a rollback reverses it.
 * The plan, the status table and the onboarding workflow all read this catalogue.
 */
export const ONBOARDING_STEP_CATALOGUE = {
  checkLicenseCapacity: { label: 'Check that an Integration user license and API Integration PSL seat are free' },
  createIntegrationUser: {
    label: 'Create the API-only integration user',
    undo: 'deactivate the user and free its username',
  },
  assignIntegrationLicense: {
    label: 'Assign the Salesforce API Integration permission set license',
    undo: 'remove the permission set license',
  },
  createPermissionSet: {
    label: 'Create the permission set with the approved access',
    undo: 'delete the permission set',
  },
  assignIntegrationPermissionSet: {
    label: 'Assign the permission set to the user',
    undo: 'remove permission set assignments',
  },
  generateCredentials: { label: 'Generate the credentials into the secret store', undo: 'delete stored secrets' },
  createApp: { label: 'Create the app', undo: "revoke the integration's tokens and delete the app" },
  verifyIntegration: { label: 'Prove a login as the integration user, and that it cannot overreach' },
  writeRunbook: { label: 'Write the runbook', undo: 'remove the runbook file' },
  registerIntegration: {
    label: 'Register the integration for audits, rotation and offboarding',
    undo: 'deregister the integration',
  },
} as const satisfies Record<string, { label: string; undo?: string }>;

export type OnboardingStep = keyof typeof ONBOARDING_STEP_CATALOGUE;

/** The steps in the order the workflow runs them. */
export const ONBOARDING_STEPS = Object.keys(ONBOARDING_STEP_CATALOGUE) as OnboardingStep[];

/** How a step is undone on rollback; undefined for the steps that change nothing. */
export function undoOf(step: OnboardingStep): string | undefined {
  const entry: { label: string; undo?: string } = ONBOARDING_STEP_CATALOGUE[step];
  return entry.undo;
}
