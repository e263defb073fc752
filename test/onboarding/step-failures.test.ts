import assert from 'node:assert/strict';
import { existsSync, mkdirSync, renameSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { RetryState } from '@temporalio/common';
import type { OnboardingHandle } from '../../src/client/onboarding';
import { LocalOrgAdmin, type FaultRuleInput } from '@onramp/local-org';
import { ONBOARDING_STEPS, type OnboardingStep } from '../../src/shared/steps';
import type { ResolvedIntegration } from '../../src/spec/normalize';
import { startOnrampStack, type OnrampStack } from '../helpers/onramp-stack';
import { teardownAll } from '../helpers/temporal-env';
import { recordStoredSecrets, type SecretNeedle } from '../helpers/secret-scan';
import {
  FAST,
  approveByPolicy,
  assertNoSecretsStored,
  assertOrgRestored,
  captureAccessTokens,
  failureOf,
  leakedSecrets,
  secretsLeftInOrg,
  specText,
  startSpec,
} from './helpers';

/** A fault that never stops: the step's retries run out. */
const always = (rule: Omit<FaultRuleInput, 'kind'>, kind: FaultRuleInput['kind'] = 'server-error'): FaultRuleInput => ({
  kind,
  ...rule,
});

interface StepFailure {
  step: OnboardingStep;
  example?: 'billing' | 'warehouse-cc';
  /** Breaks the step before the approval: fault rules, or drift written behind onramp's back. Returns the repair. */
  inject(stack: OnrampStack, admin: LocalOrgAdmin, integration: ResolvedIntegration): Promise<() => Promise<void>>;
  reason: RegExp;
  /** How the step's activity failed, where that is the point (a permanent fault must not be retried). */
  stepFailure?: { type: string; retryState: RetryState };
  /** Whether the user was created by the time the step failed (it must then be retired). */
  userCreated: boolean;
  /** Drift the re-validation before the first write already sees: it stops there, before the step. */
  caughtBy?: 'revalidatePlan';
  undone: RegExp[];
}

const faults =
  (...rules: FaultRuleInput[]) =>
  async (_stack: OnrampStack, admin: LocalOrgAdmin) => {
    await admin.setFaults(rules);
    return () => admin.clearFaults();
  };

const USER_RETIRED = /^deactivate the user and free its username \(.*: deactivated, username freed\)$/;
const PS_DELETED = /^delete the permission set \(.*: deleted\)$/;
const SECRETS_DELETED = /^delete stored secrets \(deleted [12] secret version\(s\)\)$/;

const STEP_FAILURES: StepFailure[] = [
  {
    step: 'checkLicenseCapacity',
    // Someone hands out the last Integration seat between validation and approval.
    async inject(stack, admin) {
      const license = [...stack.org.org.db.rows('UserLicense')].find((l) => l.Name === 'Salesforce Integration')!;
      await admin.updateRecord('UserLicense', license.Id, { TotalLicenses: license.UsedLicenses });
      return async () =>
        void (await admin.updateRecord('UserLicense', license.Id, { TotalLicenses: license.TotalLicenses }));
    },
    reason: /no Salesforce Integration license left/,
    userCreated: false,
    caughtBy: 'revalidatePlan',
    undone: [],
  },
  {
    step: 'createIntegrationUser',
    // Someone creates a user with the integration's username by hand.
    async inject(_stack, admin, integration) {
      const { id } = await admin.insertRecord('User', {
        Username: integration.user.username,
        LastName: 'Handmade',
        Email: 'ops@acme.example',
        Alias: 'handmade',
        IsActive: true,
      });
      return () => admin.deleteRecord('User', id);
    },
    reason: /user\.username: a user .* already exists/,
    userCreated: false,
    caughtBy: 'revalidatePlan',
    undone: [],
  },
  {
    step: 'assignIntegrationLicense',
    inject: faults(always({ method: 'POST', pattern: 'sobjects/PermissionSetLicenseAssign$' })),
    reason: /assign the Salesforce API Integration permission set license: .*UNKNOWN_EXCEPTION/,
    userCreated: true,
    undone: [/^remove the permission set license \(no license assignment\)$/, USER_RETIRED],
  },
  {
    step: 'createPermissionSet',
    // Someone creates a permission set with onramp's name by hand.
    async inject(_stack, admin, integration) {
      const { id } = await admin.insertRecord('PermissionSet', {
        Name: integration.names.permissionSetName,
        Label: 'Handmade',
        Description: 'made in Setup',
        IsOwnedByProfile: false,
      });
      return () => admin.deleteRecord('PermissionSet', id);
    },
    reason: /a permission set named .* already exists/,
    userCreated: false,
    caughtBy: 'revalidatePlan',
    undone: [],
  },
  {
    step: 'assignIntegrationPermissionSet',
    inject: faults(always({ method: 'POST', pattern: 'sobjects/PermissionSetAssignment$' })),
    reason: /assign the permission set: .*UNKNOWN_EXCEPTION/,
    userCreated: true,
    undone: [/^remove permission set assignments \(removed 0 assignment\(s\)\)$/, PS_DELETED, USER_RETIRED],
  },
  {
    step: 'generateCredentials',
    // A directory where the secret store's file belongs, as `docker run -v` leaves when the host file it
    // mounts does not exist: no secret can be written there, and no retry changes that.
    async inject(stack) {
      const file = stack.config.secrets.file;
      const aside = `${file}.aside`;
      if (existsSync(file)) renameSync(file, aside);
      mkdirSync(file);
      return async () => {
        // Not recursive: fails if anything was written into the directory.
        rmdirSync(file);
        if (existsSync(aside)) renameSync(aside, file);
      };
    },
    reason: /^store the consumer secret: cannot read .*secrets\.json: EISDIR/,
    stepFailure: { type: 'SecretStoreError', retryState: RetryState.NON_RETRYABLE_FAILURE },
    userCreated: true,
    undone: [
      /^remove permission set assignments \(removed 1 assignment\(s\)\)$/,
      PS_DELETED,
      /^remove the permission set license \(license assignment removed\)$/,
      USER_RETIRED,
      /^delete stored secrets \(deleted 0 secret version\(s\)\)$/,
    ],
  },
  {
    step: 'createApp',
    inject: faults(always({ operation: 'deploy' })),
    reason: /create the External Client App: .*UNKNOWN_EXCEPTION/,
    userCreated: true,
    undone: [
      /^revoke the integration's tokens and delete the app \(revoked 0 token\(s\); .*: absent\)$/,
      /^remove permission set assignments \(removed 1 assignment\(s\)\)$/,
      PS_DELETED,
      USER_RETIRED,
      SECRETS_DELETED,
    ],
  },
  {
    step: 'verifyIntegration',
    // The client-credentials External Client App, so its undo (a destructive deploy) is exercised too.
    example: 'warehouse-cc',
    inject: faults(always({ method: 'POST', path: '/services/oauth2/token' }, 'unavailable')),
    reason: /could not obtain a token: ERROR_HTTP_503/,
    userCreated: true,
    undone: [
      /^revoke the integration's tokens and delete the app \(revoked 0 token\(s\); .*: deleted\)$/,
      PS_DELETED,
      USER_RETIRED,
      SECRETS_DELETED,
    ],
  },
  {
    step: 'writeRunbook',
    // The runbook directory cannot be created: a file is in the way.
    async inject(stack) {
      rmSync(stack.config.runbookDir, { recursive: true, force: true });
      writeFileSync(stack.config.runbookDir, 'not a directory');
      return async () => rmSync(stack.config.runbookDir, { force: true });
    },
    reason: /EEXIST|ENOTDIR/,
    userCreated: true,
    undone: [
      /^revoke the integration's tokens and delete the app \(.*: deleted\)$/,
      PS_DELETED,
      USER_RETIRED,
      SECRETS_DELETED,
    ],
  },
];

/** Steps that run once the credentials were generated: their failures have secret values to leak. */
const afterCredentials = (step: OnboardingStep) =>
  ONBOARDING_STEPS.indexOf(step) >= ONBOARDING_STEPS.indexOf('generateCredentials');

describe('a failure at any step undoes everything before it', () => {
  let stack: OnrampStack;
  let admin: LocalOrgAdmin;
  /** Every secret value put into the store, kept after an undo deletes it from the store. */
  let recorded: SecretNeedle[];
  let tokens: Set<string>;
  before(async () => {
    stack = await startOnrampStack({ orgSettings: { connectedAppCreationAllowed: true } });
    admin = new LocalOrgAdmin(stack.org.instanceUrl);
    recorded = recordStoredSecrets(stack.secrets);
    tokens = captureAccessTokens(stack);
  });

  /** No secret of a failed (undone) onboarding in its history, status, the logs or the org's rows. */
  const assertNoSecretLeaked = async (handle: OnboardingHandle, step: OnboardingStep, recordedBefore: number) => {
    if (afterCredentials(step))
      assert.ok(recorded.length > recordedBefore, 'the scan knows the secrets this onboarding generated');
    assert.deepEqual(await leakedSecrets(stack, handle, tokens, undefined, recorded), []);
    assert.deepEqual(secretsLeftInOrg(stack, recorded.slice(recordedBefore)), []);
  };
  after(async () => {
    await admin?.clearFaults();
    await stack?.close();
    await teardownAll();
  });

  for (const f of STEP_FAILURES) {
    test(`${f.step}: OnboardingFailed says where and why, the org is as before, no secret is kept`, async () => {
      const name = `fail-${f.step.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`.slice(0, 40);
      const { handle, integration } = await startSpec(stack, specText(f.example ?? 'billing', name), FAST);
      const recordedBefore = recorded.length;
      const repair = await f.inject(stack, admin, integration);
      try {
        const before = stack.org.org.snapshot();
        await approveByPolicy(stack, name);
        const failure = await failureOf(handle);
        assert.equal(failure.type, 'OnboardingFailed');
        assert.equal(failure.details.failedStep, f.caughtBy ?? f.step);
        assert.match(failure.details.reason, f.reason);
        assert.match(
          failure.message,
          f.caughtBy ? /stopped before its first write/ : new RegExp(`failed at ${f.step}`),
        );
        if (f.stepFailure) assert.deepEqual(failure.stepFailure, f.stepFailure);
        assert.deepEqual(failure.details.leftBehind, []);
        for (const undone of f.undone)
          assert.ok(
            failure.details.undone.some((u) => undone.test(u)),
            `${undone} in ${JSON.stringify(failure.details.undone)}`,
          );
        await admin.clearFaults();
        assertOrgRestored(stack, before, f.userCreated ? integration.user.username : undefined);
      } finally {
        await repair();
      }
      // After the repair: a broken store cannot be listed.
      await assertNoSecretsStored(stack, name);
      await assertNoSecretLeaked(handle, f.step, recordedBefore);
    });
  }

  test('transient 503s are retried and the onboarding succeeds with exactly one of everything', async () => {
    const name = 'flaky-org';
    // Production's attempts, quicker pauses between them.
    const { handle, integration } = await startSpec(stack, specText('billing', name), {
      retryInitialInterval: '200ms',
      retryMaximumInterval: '1s',
    });
    await admin.setFaults([
      { kind: 'unavailable', method: 'POST', pattern: 'sobjects/User$', times: 2 },
      { kind: 'unavailable', style: 'busy', method: 'POST', pattern: 'sobjects/PermissionSetAssignment$', times: 1 },
      { kind: 'unavailable', operation: 'deploy', times: 1 },
    ]);
    try {
      await approveByPolicy(stack, name);
      const result = await handle.result();
      assert.deepEqual(
        (await admin.faults()).rules.map((r) => r.hits),
        [2, 1, 1],
      );
      const db = stack.org.org.db;
      assert.equal(db.filter('User', (u) => u.Username === integration.user.username).length, 1);
      assert.equal(db.filter('PermissionSet', (p) => p.Name === integration.names.permissionSetName).length, 1);
      assert.equal(db.filter('PermissionSetAssignment', (a) => a.AssigneeId === result.provisioned.userId).length, 1);
      assert.equal(result.evidence.loginHistory.status, 'Success');
    } finally {
      await admin.clearFaults();
    }
  });

  test('a compensation that hits transient faults still completes', async () => {
    const name = 'flaky-undo';
    const { handle, integration } = await startSpec(
      stack,
      specText('billing', name, (spec) => (spec.app.kind = 'connected-app')),
      FAST,
    );
    const recordedBefore = recorded.length;
    const before = stack.org.org.snapshot();
    // The forward run fails at verify; every undo route then answers 503 or 500 a few times first.
    await admin.setFaults([
      always({ method: 'POST', path: '/services/oauth2/token' }, 'unavailable'),
      { kind: 'server-error', operation: 'deleteMetadata', times: 2 },
      { kind: 'unavailable', method: 'DELETE', pattern: 'sobjects/PermissionSetAssignment/', times: 2 },
      {
        kind: 'unavailable',
        style: 'busy',
        method: 'DELETE',
        pattern: 'sobjects/PermissionSetLicenseAssign/',
        times: 2,
      },
      { kind: 'unavailable', method: 'PATCH', pattern: 'sobjects/User/', times: 3 },
    ]);
    try {
      await approveByPolicy(stack, name);
      const failure = await failureOf(handle);
      assert.equal(failure.details.failedStep, 'verifyIntegration');
      assert.deepEqual(failure.details.leftBehind, []);
      assert.deepEqual(
        (await admin.faults()).rules.slice(1).map((r) => r.hits),
        [2, 2, 2, 3],
      );
      await admin.clearFaults();
      assertOrgRestored(stack, before, integration.user.username);
      await assertNoSecretsStored(stack, name);
      await assertNoSecretLeaked(handle, 'verifyIntegration', recordedBefore);
    } finally {
      await admin.clearFaults();
    }
  });
});
