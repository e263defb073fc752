import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { WorkflowNotFoundError } from '@temporalio/client';
import { readAuditReport } from '../../src/audit/report-files';
import { renderStatus } from '../../src/cli/status-view';
import { startAudit } from '../../src/client/audit';
import { onboardingStatus, type OnboardingHandle } from '../../src/client/onboarding';
import { REGISTRY_LIST_QUERY, registryHandle } from '../../src/client/registry';
import type { OnboardingStep } from '../../src/shared/steps';
import type { StepState } from '../../src/shared/types';
import { startOnrampStack, type OnrampStack } from '../helpers/onramp-stack';
import { teardownAll } from '../helpers/temporal-env';
import {
  approveByPolicy,
  assertCancelled,
  assertNoSecretsStored,
  assertOrgRestored,
  specText,
  startSpec,
} from './helpers';

// issue 10 item 1: a cancel that lands as the runbook is written or the integration registered (the last
// steps) must leave no managed integration behind: no runbook, no registry entry, nothing for the audit.

/** Polls the status query until `step` is in `state`; fails if the onboarding ends first. */
async function until(stack: OnrampStack, name: string, step: OnboardingStep, state: StepState): Promise<boolean> {
  for (;;) {
    const status = await onboardingStatus(stack.client, name);
    if (status.steps.find((s) => s.step === step)?.state === state) return true;
    if (status.phase !== 'provisioning' && status.phase !== 'awaiting-approval') return false;
    await sleep(2);
  }
}

describe('a cancel at the very end leaves no managed integration behind', () => {
  let stack: OnrampStack;
  before(async () => {
    stack = await startOnrampStack();
  });
  after(async () => {
    await stack?.close();
    await teardownAll();
  });

  async function assertNothingLeft(
    name: string,
    handle: OnboardingHandle,
    before: ReturnType<OnrampStack['org']['org']['snapshot']>,
    username: string,
  ) {
    await assertCancelled(handle);
    const status = await onboardingStatus(stack.client, name);
    assert.equal(status.phase, 'cancelled');
    assert.deepEqual(status.failure?.leftBehind, []);
    assert.equal(status.runbookPath, undefined);
    assert.doesNotMatch(renderStatus(status), /Runbook:/);
    assert.equal(existsSync(join(stack.config.runbookDir, `${name}.md`)), false, 'the runbook file is removed');
    const registry = await registryHandle(stack.client, name)
      .describe()
      .then(
        (d) => d.status.name,
        (e: unknown) => (e instanceof WorkflowNotFoundError ? 'absent' : Promise.reject(e)),
      );
    assert.notEqual(registry, 'RUNNING', 'no registry entry');
    assertOrgRestored(stack, before, username);
    await assertNoSecretsStored(stack, name);
    // The visibility store learns of a finished registry asynchronously.
    while ((await stack.client.workflow.count(`${REGISTRY_LIST_QUERY} AND OnrampIntegration = "${name}"`)).count > 0)
      await sleep(100);
    const summary = await (await startAudit(stack.client, stack.config, {})).result();
    const report = await readAuditReport(stack.config.audit.dir, summary.runId);
    assert.deepEqual(
      report!.findings.filter((f) => f.integration === name),
      [],
    );
    assert.doesNotMatch(JSON.stringify(report), new RegExp(`"${name}"`));
  }

  /**
   * Onboards under a new name until the cancel, sent the moment `step` shows `state`, lands before the
   * onboarding completed (the last steps take milliseconds), then checks nothing is left.
   */
  async function cancelWhen(prefix: string, step: OnboardingStep, state: StepState): Promise<OnboardingStep[]> {
    for (let attempt = 1; ; attempt++) {
      const name = `${prefix}-${attempt}`;
      const { handle, integration } = await startSpec(stack, specText('billing', name));
      const before = stack.org.org.snapshot();
      await approveByPolicy(stack, name);
      const caught =
        (await until(stack, name, step, state)) &&
        (await handle.cancel().then(
          () => true,
          () => false,
        ));
      if (!caught || (await onboardingStatus(stack.client, name)).phase === 'completed') {
        assert.ok(attempt < 5, `the cancel never landed after ${step} was ${state} in 5 attempts`);
        continue;
      }
      await assertNothingLeft(name, handle, before, integration.user.username);
      const status = await onboardingStatus(stack.client, name);
      return status.steps.filter((s) => s.state === 'compensated').map((s) => s.step);
    }
  }

  test('cancelled right after the last Salesforce step: the runbook is removed, nothing is registered', async () => {
    const compensated = await cancelWhen('end-cancel-runbook', 'verifyIntegration', 'done');
    assert.ok(compensated.includes('writeRunbook'), `the runbook was written, then removed: ${compensated.join(', ')}`);
  });

  test('cancelled while the integration is registered: the registration and the runbook are undone', async () => {
    const compensated = await cancelWhen('end-cancel-register', 'registerIntegration', 'running');
    assert.ok(
      compensated.includes('registerIntegration') && compensated.includes('writeRunbook'),
      compensated.join(', '),
    );
  });
});
