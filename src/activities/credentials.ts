import { randomBytes } from 'node:crypto';
import { heartbeat } from '@temporalio/activity';
import { consumerKeyFor } from '../salesforce/app-settings';
import { generateKeyPairAndCertificate } from '../crypto/certificate';
import { Failure } from '../shared/failures';
import { secretStoreStep } from './failures';
import type { CredentialRecord } from '../shared/types';
import type { ResolvedIntegration } from '../spec/normalize';
import type { ActivityDeps } from './deps';

type KeyPairCredential = Required<
  Pick<CredentialRecord, 'privateKeyRef' | 'certificatePem' | 'certificateFingerprint' | 'certificateExpiresAt'>
>;

/**
 * A new RSA key and certificate for the JWT bearer flow, the key stored as a new version of the
 * integration's private-key secret. The idempotency key makes a retried attempt return what the first
 * one stored, so callers always continue with the certificate that matches the stored key.
 */
export async function storeNewKeyPair(
  deps: ActivityDeps,
  integration: ResolvedIntegration,
  idempotencyKey: string,
): Promise<KeyPairCredential> {
  const cert = await generateKeyPairAndCertificate({
    commonName: integration.names.appApiName,
    organization: 'onramp',
    validityDays: integration.app.certificateValidityDays ?? 365,
  });
  heartbeat();
  const name = integration.names.secretNames.privateKey;
  return secretStoreStep('store the private key', async () => {
    const privateKeyRef = await deps.secrets.put(name, cert.privateKeyPem, {
      idempotencyKey,
      meta: {
        certificatePem: cert.certificatePem,
        fingerprint: cert.fingerprintSha256,
        notAfter: cert.notAfter.toISOString(),
      },
    });
    const meta = (await deps.secrets.versions(name)).find((v) => v.ref === privateKeyRef)?.meta ?? {};
    return {
      privateKeyRef,
      certificatePem: meta.certificatePem!,
      certificateFingerprint: meta.fingerprint!,
      certificateExpiresAt: meta.notAfter!,
    };
  });
}

/**
 * Stores a consumer secret as a new version, with the consumer key it pairs with (and any other labels)
 * in clear beside it: the external system reads both from the store. Returns what the store holds.
 */
export async function storeConsumerSecret(
  deps: ActivityDeps,
  integration: ResolvedIntegration,
  secret: string,
  meta: { consumerKey: string } & Record<string, string>,
  idempotencyKey: string,
): Promise<{ consumerSecretRef: string; consumerKey: string; meta: Record<string, string> }> {
  const name = integration.names.secretNames.consumerSecret;
  return secretStoreStep('store the consumer secret', async () => {
    const consumerSecretRef = await deps.secrets.put(name, secret, { idempotencyKey, meta });
    const stored = (await deps.secrets.versions(name)).find((v) => v.ref === consumerSecretRef)?.meta ?? meta;
    return { consumerSecretRef, consumerKey: stored.consumerKey ?? meta.consumerKey, meta: stored };
  });
}

/**
 * A new consumer key and secret (and, for JWT bearer, key pair and certificate), the secrets stored as new
 * versions. `idempotencyPrefix` names the run (an onboarding's or a migration's id): a retried attempt
 * gets back what the first one stored, so the app is always made with the credentials the store holds.
 */
export async function storeNewCredentials(
  deps: ActivityDeps,
  integration: ResolvedIntegration,
  idempotencyPrefix: string,
): Promise<CredentialRecord> {
  const secret = await storeConsumerSecret(
    deps,
    integration,
    randomBytes(32).toString('hex'),
    { consumerKey: consumerKeyFor(randomBytes(80)) },
    `${idempotencyPrefix}/consumer-secret`,
  );
  const record: CredentialRecord = { consumerSecretRef: secret.consumerSecretRef, consumerKey: secret.consumerKey };
  if (integration.app.flow !== 'jwt-bearer') return record;
  return { ...record, ...(await storeNewKeyPair(deps, integration, `${idempotencyPrefix}/private-key`)) };
}

/**
 * The consumer secret onramp holds for an app, as the `consumerSecret` of an app request: none for an
 * adopted app before its first rotation (whoever made the app was given the secret, never onramp), so
 * the app keeps the secret it has.
 */
export async function heldConsumerSecret(
  deps: ActivityDeps,
  credentials: Pick<CredentialRecord, 'consumerSecretRef'>,
): Promise<{ consumerSecret?: string }> {
  return credentials.consumerSecretRef ? { consumerSecret: await deps.secrets.get(credentials.consumerSecretRef) } : {};
}

/** The consumer secret a client-credentials grant needs; refused, naming the way out, when onramp holds none. */
export async function requiredConsumerSecret(
  deps: ActivityDeps,
  credentials: Pick<CredentialRecord, 'consumerSecretRef'>,
): Promise<string> {
  const { consumerSecret } = await heldConsumerSecret(deps, credentials);
  if (consumerSecret === undefined)
    throw Failure.NoHeldSecret(
      'onramp holds no consumer secret of this adopted app (Salesforce gave it to whoever made the app); rotate the credentials so that onramp issues and holds a new one',
    );
  return consumerSecret;
}
