import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { approve, onboardingStatus, prepareOnboarding, startOnboarding } from './client/onboarding';
import { stepState } from './cli/status-view';
import { embeddedLogger, startEmbeddedStack } from './embedded-stack';
import { formatIssues } from './spec/load';
import { devSignoff } from './signoff/dev-signer';
import { renderPlan } from './spec/plan';

/**
 * `npm run demo`: a full onboarding on the embedded stack. An ops engineer's spec is validated and
 * planned, a second person approves, onramp provisions and proves the integration, and prints the runbook.
 */
async function demo(): Promise<void> {
  const logger = embeddedLogger('onramp-demo', 'warn');
  // Everything the demo writes is thrown away at the end; its secrets key never touches the disk.
  const dir = mkdtempSync(join(tmpdir(), 'onramp-demo-'));
  const say = (text: string) => process.stdout.write(`${text}\n`);
  say('Starting the embedded stack: Temporal dev server, local Salesforce org, onramp worker...');
  const secretsKey = randomBytes(32).toString('base64');
  const stack = await startEmbeddedStack({ dir, logger, persist: false, freePorts: true, secretsKey }).catch(
    (error: unknown) => {
      rmSync(dir, { recursive: true, force: true });
      throw error;
    },
  );
  try {
    say(`  Temporal UI: ${stack.temporal.uiUrl} (payloads decoded through ${stack.codec.url})`);
    say(`  Local org:   ${stack.org.instanceUrl}\n`);
    const prepared = await prepareOnboarding('examples/billing.yaml', stack.config, await adminConnection(stack));
    if (!prepared.plan || prepared.issues.some((i) => i.severity === 'error')) {
      throw new Error(`the example spec does not validate:\n${formatIssues(prepared.issues)}`);
    }
    say(renderPlan(prepared.plan));
    // The dev signer stands in for the onramp server: seeded people, the key `onramp dev` created.
    const dev = await devSignoff(stack.config);
    const handle = await startOnboarding(stack.client, stack.config, prepared, dev.submission('requester'));
    say(`\nStarted workflow ${handle.workflowId}; requested by jdoe@acme.example, waiting for sign-off.`);
    // deploy/policy.yaml: the local org is not a sandbox and billing calls Apex, so two security approvers.
    for (const who of ['alice@acme.example', 'bob@acme.example']) {
      const record = await approve(stack.client, 'billing', dev.decision(who, 'reviewed the plan'));
      say(`Approved by ${record.approver} at ${record.at}.`);
    }
    say('');
    const result = await handle.result();
    const status = await onboardingStatus(stack.client, 'billing');
    for (const step of status.steps) {
      say(`  ${stepState(step, status.phase).padEnd(11)} ${step.step.padEnd(28)} ${step.detail ?? ''}`);
    }
    say('\nRunbook:\n');
    say(readFileSync(result.runbookPath, 'utf8'));
  } finally {
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function adminConnection(stack: Awaited<ReturnType<typeof startEmbeddedStack>>) {
  const { AdminSession } = await import('./activities/deps');
  return new AdminSession(stack.config).get();
}

demo().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
