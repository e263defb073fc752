import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { startAudit } from '../../src/client/audit';
import { startRotation } from '../../src/client/lifecycle';
import { rotationWorkflowId } from '../../src/shared/lifecycle';
import { parseCertificate } from '../../src/crypto/certificate';
import { registryRecord } from '../../src/client/registry';
import { LocalOrgAdmin, appByName } from '@onramp/local-org';
import { connectWithClientCredentials, connectWithJwt } from '../../src/salesforce/connection';
import { useOnrampStack } from '../helpers/onramp-stack';
import { CLIENT_CREDENTIALS, onboardManaged } from './helpers';

describe('credential rotation', () => {
  const stack = useOnrampStack();

  const sf = () => stack.config.salesforce;
  const jwtGrant = (consumerKey: string, username: string, privateKeyPem: string) =>
    connectWithJwt({
      loginUrl: sf().instanceUrl,
      audience: sf().audience,
      consumerKey,
      username,
      privateKeyPem,
      apiVersion: sf().apiVersion,
    });
  const ccGrant = (consumerKey: string, consumerSecret: string) =>
    connectWithClientCredentials({
      loginUrl: sf().instanceUrl,
      consumerKey,
      consumerSecret,
      apiVersion: sf().apiVersion,
    });

  test('JWT bearer: a new key and certificate replace the old ones, proven by a grant; the old key is refused and deleted', async () => {
    const desired = await onboardManaged(stack, 'examples/billing.yaml', 'ledger');
    const { consumerKey } = desired.provisioned.app;
    const username = desired.provisioned.username;
    const old = desired.provisioned.credentials;
    const oldKey = await stack.secrets.get(old.privateKeyRef!);
    await jwtGrant(consumerKey, username, oldKey);

    const handle = await startRotation(stack.client, 'ledger', 'certificate expires soon', 'ops@acme.example');
    const result = await handle.result();

    assert.equal(result.strategy, 'certificate');
    assert.notEqual(result.credentials.privateKeyRef, old.privateKeyRef);
    assert.notEqual(result.credentials.certificateFingerprint, old.certificateFingerprint);
    assert.equal(result.evidence.tokenUserId, desired.provisioned.userId);
    assert.equal(
      parseCertificate(appByName(stack.org.org, desired.integration.app.apiName)!.certificate!).fingerprintSha256,
      result.credentials.certificateFingerprint,
    );
    await jwtGrant(consumerKey, username, await stack.secrets.get(result.credentials.privateKeyRef!));
    await assert.rejects(jwtGrant(consumerKey, username, oldKey), /invalid_grant/);
    const versions = await stack.secrets.versions(desired.integration.names.secretNames.privateKey);
    assert.deepEqual(
      versions.map((v) => v.ref),
      [result.credentials.privateKeyRef],
    );

    // The runbook describes what is in use now (issue 10 item 2): the new key version, certificate and proof.
    const runbook = readFileSync(desired.runbookPath!, 'utf8');
    for (const now of [
      result.credentials.privateKeyRef!,
      result.credentials.certificateFingerprint!,
      result.credentials.certificateExpiresAt!,
      result.evidence.tokenObtainedAt,
    ]) {
      assert.ok(runbook.includes(now), `the runbook shows ${now}`);
    }
    for (const before of [old.privateKeyRef!, old.certificateFingerprint!])
      assert.ok(!runbook.includes(before), `the runbook no longer shows ${before}`);
    assert.ok(
      runbook.startsWith(`<!-- onramp onboarding ${desired.onboardingId} -->`),
      "still the onboarding's runbook",
    );

    const record = await registryRecord(stack.client, 'ledger');
    assert.equal(record.desired.provisioned.credentials.privateKeyRef, result.credentials.privateKeyRef);
    assert.equal(record.desired.provisioned.credentials.certificateExpiresAt, result.credentials.certificateExpiresAt);
    assert.match(record.changes.at(-1)!.note ?? '', /rotated \(certificate\): certificate expires soon/);
  });

  test('the audit starts a rotation for a certificate that nears expiry', async () => {
    const desired = await onboardManaged(stack, 'examples/billing.yaml', 'almanac');
    stack.config.audit.autoRotate = true;
    try {
      // The certificate is valid for 365 days: with a 400-day threshold the audit sees it as expiring.
      const summary = await (await startAudit(stack.client, stack.config, { certificateExpiryDays: 400 })).result();
      assert.ok(summary.certificateRotationsDue.includes('almanac'));
      const rotation = await stack.client.workflow.getHandle(rotationWorkflowId('almanac')).result();
      assert.equal(rotation.strategy, 'certificate');
      assert.notEqual(
        rotation.credentials.certificateFingerprint,
        desired.provisioned.credentials.certificateFingerprint,
      );
      const record = await registryRecord(stack.client, 'almanac');
      assert.match(record.changes.at(-1)!.note ?? '', /rotated \(certificate\): audit /);
    } finally {
      stack.config.audit.autoRotate = false;
    }
  });

  test('client credentials on an External Client App: staged pair valid beside the old one, then promoted; only the new one remains', async () => {
    const desired = await onboardManaged(stack, 'examples/billing.yaml', 'depot', CLIENT_CREDENTIALS);
    const old = desired.provisioned.credentials;
    const oldSecret = await stack.secrets.get(old.consumerSecretRef!);
    await ccGrant(old.consumerKey, oldSecret);

    // The org refuses the promotion (503, retried) until the test has signed in with both pairs: the
    // "during" window without relying on timing.
    const admin = new LocalOrgAdmin(stack.org.instanceUrl);
    const fault = await admin.addFault({ kind: 'unavailable', method: 'PATCH', pattern: '/staged/', style: 'busy' });
    const handle = await startRotation(stack.client, 'depot', 'quarterly rotation');
    const secretName = desired.integration.names.secretNames.consumerSecret;
    for (;;) {
      const rules = await admin.faults();
      if ((rules.rules.find((r) => r.id === fault.id)?.hits ?? 0) > 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const [, staged] = await stack.secrets.versions(secretName);
    assert.ok(staged, 'the staged secret is stored as a new version before promotion');
    assert.notEqual(staged.meta.consumerKey, old.consumerKey);
    await ccGrant(old.consumerKey, oldSecret);
    await ccGrant(staged.meta.consumerKey!, await stack.secrets.get(staged.ref));
    await admin.removeFault(fault.id);

    const result = await handle.result();
    assert.equal(result.strategy, 'staged-secret');
    assert.equal(result.credentials.consumerSecretRef, staged.ref);
    assert.equal(result.app.consumerKey, staged.meta.consumerKey);
    await ccGrant(result.app.consumerKey, await stack.secrets.get(result.credentials.consumerSecretRef));
    await assert.rejects(ccGrant(old.consumerKey, oldSecret), /invalid_client/);
    assert.deepEqual(
      (await stack.secrets.versions(secretName)).map((v) => v.ref),
      [staged.ref],
    );
    assert.deepEqual(appByName(stack.org.org, desired.integration.app.apiName)?.stagedCredentials, []);
    const record = await registryRecord(stack.client, 'depot');
    assert.equal(record.desired.provisioned.app.consumerKey, result.app.consumerKey);
    assert.equal(record.desired.provisioned.credentials.consumerSecretRef, staged.ref);
  });
});
