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
  handOverCredentials: {
    label: "Hand the credential over at the external system's handover path",
    undo: 'delete the handed-over secret',
  },
  writeRunbook: { label: 'Write the runbook', undo: 'remove the runbook file' },
  registerIntegration: {
    label: 'Register the integration for audits, rotation and offboarding',
    undo: 'deregister the integration',
  },
} as const satisfies Record<string, { label: string; undo?: string }>;

export type OnboardingStep = keyof typeof ONBOARDING_STEP_CATALOGUE;

/** The steps in the order the workflow runs them. */
export const ONBOARDING_STEPS = Object.keys(ONBOARDING_STEP_CATALOGUE) as OnboardingStep[];

/** The steps an onboarding of this spec shows: the handover only where the spec names a handover path. */
export function onboardingStepsFor(spec: { handover?: unknown }): OnboardingStep[] {
  return ONBOARDING_STEPS.filter((step) => step !== 'handOverCredentials' || spec.handover !== undefined);
}

/** How a step is undone on rollback; undefined for the steps that change nothing. */
export function undoOf(step: OnboardingStep): string | undefined {
  const entry: { label: string; undo?: string } = ONBOARDING_STEP_CATALOGUE[step];
  return entry.undo;
}

/** The steps of a change request (changeIntegration), under their activities' names, as for onboarding. */
export const CHANGE_STEP_CATALOGUE = {
  updatePermissionSet: {
    label: "Change the permission set's access in place (same permission set, same assignment)",
    undo: "put the permission set's previous access back",
  },
  updateAppSettings: {
    label: "Change the app's OAuth settings in place (same app, consumer key and credentials)",
    undo: "put the app's previous settings back",
  },
  verifyChange: { label: 'Prove the integration still signs in, and that it cannot overreach' },
  recordChange: { label: "Move the registry's approved baseline to this spec" },
  rewriteRunbook: { label: 'Write the runbook again: the new grants, the change in its history' },
} as const satisfies Record<string, { label: string; undo?: string }>;

export type ChangeStep = keyof typeof CHANGE_STEP_CATALOGUE;
export const CHANGE_STEPS = Object.keys(CHANGE_STEP_CATALOGUE) as ChangeStep[];

/**
 * The steps of a Connected App to External Client App migration (migrateIntegration), under their
 * activities' names. Everything up to removeConnectedApp is undone on failure, rejection or cancel; the
 * steps after it finish forward (the Connected App cannot come back: new ones are blocked since Spring '26).
 */
export const MIGRATION_STEP_CATALOGUE = {
  checkConnectedApp: { label: "Check that the Connected App is onramp's and carries the approved policy" },
  generateMigrationCredentials: {
    label: "Generate the new app's credentials into the secret store",
    undo: 'delete the new secret versions',
  },
  createMigrationApp: {
    label: 'Create the External Client App beside the Connected App, with the same OAuth policy',
    undo: 'delete the External Client App',
  },
  proveMigrationApp: { label: 'Prove a token grant through the new app as the integration, within its grants' },
  handOverMigrationCredentials: {
    label: "Hand the new credential over at the external system's handover path",
    undo: 'hand the Connected App credential over again',
  },
  awaitSwitch: { label: 'Wait for the external system to sign in through the new app (or be told it switched)' },
  removeConnectedApp: { label: 'Delete the Connected App onramp created (its tokens go with it)' },
  recordMigration: { label: 'Record the External Client App and its credential in the registry' },
  rewriteRunbook: { label: 'Rewrite the runbook for the new app' },
  retireOldCredentials: { label: "Delete the Connected App's secret versions" },
} as const satisfies Record<string, { label: string; undo?: string }>;

export type MigrationStep = keyof typeof MIGRATION_STEP_CATALOGUE;
export const MIGRATION_STEPS = Object.keys(MIGRATION_STEP_CATALOGUE) as MigrationStep[];

/** The steps of an adoption (adoptIntegration): nothing in the org changes, only the registry learns of it. */
export const ADOPTION_STEP_CATALOGUE = {
  checkAdoptedState: { label: 'Read the org again: the user, permission set and app are still what was approved' },
  registerAdoption: {
    label: 'Register the integration, as the org holds it, for audits, rotation, change and offboarding',
  },
} as const satisfies Record<string, { label: string; undo?: string }>;

export type AdoptionStep = keyof typeof ADOPTION_STEP_CATALOGUE;
export const ADOPTION_STEPS = Object.keys(ADOPTION_STEP_CATALOGUE) as AdoptionStep[];
