import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OnrampApi } from './cli/api-client';
import { seededPersonToken } from './cli/login';
import { untilClosed } from './cli/onboarding';
import { stepState } from './cli/status-view';
import { embeddedLogger, startEmbeddedStack } from './embedded-stack';
import type { ApprovalRecord } from './shared/types';

/**
 * `npm run demo`: a full onboarding on the embedded stack, through the onramp server as people use it. The
 * requester signs in and submits the example spec (the server validates and plans it against the org),
 * two security approvers sign in and approve as the default policy requires, onramp provisions and proves
 * the integration, and prints the runbook.
 */
async function demo(): Promise<void> {
  const logger = embeddedLogger('onramp-demo', 'warn');
  // Everything the demo writes is thrown away at the end; its secrets key never touches the disk.
  const dir = mkdtempSync(join(tmpdir(), 'onramp-demo-'));
  const say = (text: string) => process.stdout.write(`${text}\n`);
  say('Starting the embedded stack: Temporal dev server, local Salesforce org, onramp worker and server...');
  const secretsKey = randomBytes(32).toString('base64');
  const stack = await startEmbeddedStack({ dir, logger, persist: false, freePorts: true, secretsKey }).catch(
    (error: unknown) => {
      rmSync(dir, { recursive: true, force: true });
      throw error;
    },
  );
  try {
    const server = stack.server.url;
    say(`  Temporal UI: ${stack.temporal.uiUrl} (payloads decoded through ${stack.codec.url})`);
    say(`  Local org:   ${stack.org.instanceUrl}`);
    say(`  Console:     ${server} (sign-in at ${stack.server.idp?.issuer})\n`);
    // Each person signs in at the embedded provider and gets an API token from the console, as `onramp login --person` does.
    const as = async (email: string) => new OnrampApi(server, await seededPersonToken(server, email));
    const requester = await as('jdoe@acme.example');
    const spec = readFileSync('examples/billing.yaml', 'utf8');
    const planned = await requester.post<{ planText: string }>('/api/plan', { spec });
    say(planned.planText);
    const started = await requester.post<{ workflowId: string; requirementText: string }>('/api/requests', { spec });
    say(`\nStarted workflow ${started.workflowId}; requested by jdoe@acme.example (signed in).`);
    say(`Policy asks: ${started.requirementText}.`);
    // deploy/policy.yaml: the local org is not a sandbox and billing calls Apex, so two security approvers.
    for (const email of ['alice@acme.example', 'bob@acme.example']) {
      const approver = await as(email);
      const record = await approver.post<ApprovalRecord>('/api/requests/billing/approve', {
        comment: 'reviewed the plan',
      });
      say(`Approved by ${record.approver} (signed in) at ${record.at}.`);
    }
    say('');
    const status = await untilClosed(requester, 'billing');
    for (const step of status.steps) {
      say(`  ${stepState(step, status.phase).padEnd(11)} ${step.step.padEnd(28)} ${step.detail ?? ''}`);
    }
    if (status.phase !== 'completed') throw new Error(`the onboarding ended ${status.phase}`);
    say('\nRunbook:\n');
    say(await requester.text('/api/requests/billing/runbook'));
  } finally {
    await stack.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

demo().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
