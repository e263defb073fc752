import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { approve, onboardingStatus, prepareOnboarding, startOnboarding } from './client/onboarding';
import { startEmbeddedStack } from './embedded-stack';
import { createLogger } from './logger';
import { formatIssues } from './spec/load';
import { renderPlan } from './spec/plan';

/**
 * `npm run demo`: a full onboarding on the embedded stack. An ops engineer's spec is validated and
 * planned, a second person approves, onramp provisions and proves the integration, and prints the runbook.
 */
async function demo(): Promise<void> {
  const logger = createLogger({ name: 'onramp-demo', level: 'warn' });
  const dir = mkdtempSync(join(tmpdir(), 'onramp-demo-'));
  const say = (text: string) => process.stdout.write(`${text}\n`);
  say('Starting the embedded stack: Temporal dev server, local Salesforce org, onramp worker...');
  const stack = await startEmbeddedStack({ dir, logger, persist: false, freePorts: true });
  try {
    say(`  Temporal UI: ${stack.temporal.uiUrl}\n  Local org:   ${stack.org.instanceUrl}\n`);
    const prepared = await prepareOnboarding('examples/billing.yaml', stack.config, await adminConnection(stack));
    if (!prepared.plan || prepared.issues.some((i) => i.severity === 'error')) {
      throw new Error(`the example spec does not validate:\n${formatIssues(prepared.issues)}`);
    }
    say(renderPlan(prepared.plan));
    const handle = await startOnboarding(stack.client, stack.config, prepared);
    say(`\nStarted workflow ${handle.workflowId}; requested by jdoe@acme.example, waiting for sign-off.`);
    const record = await approve(stack.client, 'billing', { approver: 'security@acme.example', comment: 'reviewed the plan' });
    say(`Approved by ${record.approver} at ${record.at}.\n`);
    const result = await handle.result();
    for (const step of (await onboardingStatus(stack.client, 'billing')).steps) {
      say(`  ${step.state.padEnd(11)} ${step.step.padEnd(28)} ${step.detail ?? ''}`);
    }
    say(`\nRunbook (${result.runbookPath}):\n`);
    say(readFileSync(result.runbookPath, 'utf8'));
  } finally {
    await stack.stop();
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
