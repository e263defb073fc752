import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { Client } from '@temporalio/client';
import { onboardingHandle, prepareOnboarding, reject, startOnboarding } from '../src/client/onboarding';
import { KeyRing, newCodecKey } from '../src/codec/key-ring';
import { startCodecServer, type RunningCodecServer } from '../src/codec/server';
import { onboardingWorkflowId } from '../src/shared/messages';
import { onrampDataConverter } from '../src/temporal/data-converter';
import { decodedPayloads, exportHistory } from './helpers/history-export';
import { startOnrampStack, type OnrampStack } from './helpers/onramp-stack';
import { needlesFor, scanForSecrets, storeNeedles, type SecretNeedle } from './helpers/secret-scan';
import { getTestEnv, teardownAll } from './helpers/temporal-env';
import { approveByPolicy } from './onboarding/helpers';

const SPEC = readFileSync('examples/billing.yaml', 'utf8');
/** What the spec, the plan and the secret refs say: none of it may be readable in the server. */
const READABLE = [
  'billing.integration@',
  'Invoice__c',
  'BillingSync',
  'Onramp_Billing',
  'secret://onramp/',
  'jdoe@acme.example',
  'rejected by',
  'Opportunity.StageName',
];

describe('secrets and specs in workflow history', () => {
  let stack: OnrampStack;
  let codec: RunningCodecServer;
  const token = `codec-${'t'.repeat(40)}`;
  const accessTokens = new Set<string>();
  const needles: SecretNeedle[] = [];
  let address: string;

  before(async () => {
    stack = await startOnrampStack();
    address = (await getTestEnv()).address;
    // Every access token the org issues, including those revoked (and so gone from _Session) by the end.
    stack.org.org.db.writeObservers.add((type, id, previous) => {
      if (type === '_Session' && !previous) accessTokens.add(id);
    });
    codec = await startCodecServer({ ring: stack.keyRing, token, corsOrigins: [] });

    const billing = await startOnboarding(
      stack.client,
      stack.config,
      await prepareOnboarding({ text: SPEC }, stack.config, await stack.admin()),
      stack.signoff.submission(),
    );
    await approveByPolicy(stack, 'billing');
    await billing.result();
    const ledger = await startOnboarding(
      stack.client,
      stack.config,
      await prepareOnboarding(
        { text: SPEC.replace('name: billing', 'name: ledger') },
        stack.config,
        await stack.admin(),
      ),
      stack.signoff.submission(),
    );
    await reject(stack.client, 'ledger', stack.signoff.decision('securityApprover', 'no'));
    await ledger.result().catch(() => undefined);
    needles.push(
      ...(await storeNeedles(stack.secrets)),
      ...[...accessTokens].flatMap((t) => needlesFor('access-token', t)),
    );
  });
  after(async () => {
    await codec?.close();
    await stack?.close();
    await teardownAll();
  });

  test('the server holds only ciphertext: no spec value, secret ref or failure text is readable without the codec', async () => {
    for (const integration of ['billing', 'ledger']) {
      const raw = await exportHistory({ address, workflowId: onboardingWorkflowId(integration) });
      const payloads = decodedPayloads(raw);
      assert.ok(payloads.length >= 3, `${integration}: the export has payloads`);
      for (const text of [raw, ...payloads])
        for (const s of READABLE) assert.ok(!text.includes(s), `${integration}: "${s}" readable in raw history`);
      assert.match(raw, /Encoded failure|"encoding":\s*"YmluYXJ5L2VuY3J5cHRlZA=="|binary\/encrypted/);
    }
  });

  test('through the codec server an operator reads the history; with a wrong token the CLI gets nothing', async () => {
    const decoded = await exportHistory({
      address,
      workflowId: onboardingWorkflowId('billing'),
      codec: { endpoint: codec.url, token },
    });
    const texts = [decoded, ...decodedPayloads(decoded)].join('\n');
    assert.match(texts, /secret:\/\/onramp\/billing\/private-key@v1/);
    assert.match(texts, /Invoice__c/);
    const rejected = [
      await exportHistory({
        address,
        workflowId: onboardingWorkflowId('ledger'),
        codec: { endpoint: codec.url, token },
      }),
    ];
    assert.match([...rejected, ...decodedPayloads(rejected[0]!)].join('\n'), /rejected by alice@acme.example/);
    await assert.rejects(
      exportHistory({
        address,
        workflowId: onboardingWorkflowId('billing'),
        codec: { endpoint: codec.url, token: 'wrong' },
      }),
    );
  });

  test('no private key, consumer secret or access token in any history (decoded) or log line', async () => {
    assert.ok(
      needles.some((n) => n.kind === 'private-key') &&
        needles.some((n) => n.kind === 'consumer-secret') &&
        needles.some((n) => n.kind === 'access-token'),
    );
    const texts: Array<{ where: string; text: string }> = [];
    for (const integration of ['billing', 'ledger']) {
      const decoded = await exportHistory({
        address,
        workflowId: onboardingWorkflowId(integration),
        codec: { endpoint: codec.url, token },
      });
      texts.push(
        { where: `${integration} history`, text: decoded },
        ...decodedPayloads(decoded).map((text, i) => ({ where: `${integration} payload ${i}`, text })),
      );
    }
    texts.push(...stack.logLines.map((text, i) => ({ where: `log line ${i}`, text })));
    assert.deepEqual(scanForSecrets(texts, needles), []);
  });

  test('after a key rotation, clients read workflows written under the old key', async () => {
    const rotated = new KeyRing([newCodecKey(), ...stack.keyRing.keys]);
    const client = new Client({
      connection: (await getTestEnv()).connection,
      dataConverter: onrampDataConverter(rotated),
    });
    const result = await onboardingHandle(client, 'billing').result();
    assert.equal(result.provisioned.username, 'billing.integration@integrations.acme.example');
    const stranger = new Client({
      connection: (await getTestEnv()).connection,
      dataConverter: onrampDataConverter(new KeyRing([newCodecKey()])),
    });
    await assert.rejects(onboardingHandle(stranger, 'billing').result(), /not in the key ring/);
  });
});
