import { randomBytes, randomUUID } from 'node:crypto';
import type { Connection } from 'jsforce';
import { permissionSetMarker, appMarker } from '../../src/activities/steps';
import type { OnrampConfig } from '../../src/config';
import { generateKeyPairAndCertificate } from '../../src/crypto/certificate';
import { consumerKeyFor } from '../../src/salesforce/app-settings';
import { connectWithJwt } from '../../src/salesforce/connection';
import { ensureExternalClientApp } from '../../src/salesforce/external-client-app';
import { assignPermissionSetLicense, checkIntegrationCapacity } from '../../src/salesforce/licenses';
import { assignPermissionSet, ensurePermissionSet } from '../../src/salesforce/permission-sets';
import { ensureIntegrationUser, userMarker } from '../../src/salesforce/users';
import { verifyIntegration } from '../../src/salesforce/verification';
import type { ResolvedIntegration } from '../../src/spec/normalize';

/**
 * The baseline of the overhead benchmark: the same onboarding as a plain script, without Temporal. It
 * calls the same src/salesforce functions in the workflow's order with the same arguments, and generates
 * the same key pair and certificate; it has no approval, no durability, no secret store, no compensation
 * and no runbook. For the External Client App with JWT bearer (the billing example).
 */
export async function plainOnboarding(
  admin: Connection,
  config: OnrampConfig,
  integration: ResolvedIntegration,
): Promise<void> {
  const step = { integration, onboardingId: randomUUID() };
  const capacity = await checkIntegrationCapacity(admin);
  const user = await ensureIntegrationUser(
    admin,
    integration.user,
    capacity.profileId,
    userMarker(integration.names.name, step.onboardingId),
  );
  await assignPermissionSetLicense(admin, user.userId, capacity.permissionSetLicense.id);
  const { permissionSetId } = await ensurePermissionSet(admin, {
    name: integration.names.permissionSetName,
    label: integration.names.permissionSetLabel,
    marker: permissionSetMarker(step),
    objects: integration.access.objects,
    fields: integration.access.fields,
    apexClasses: integration.access.apexClasses,
  });
  await assignPermissionSet(admin, user.userId, permissionSetId);

  const consumerKey = consumerKeyFor(randomBytes(80));
  const cert = await generateKeyPairAndCertificate({
    commonName: integration.names.appApiName,
    organization: 'onramp',
    validityDays: integration.app.certificateValidityDays ?? 365,
  });
  await ensureExternalClientApp(
    admin,
    {
      app: integration.app,
      marker: appMarker(step),
      consumerKey,
      consumerSecret: randomBytes(32).toString('hex'),
      certificatePem: cert.certificatePem,
    },
    { onPoll: () => undefined },
  );

  const sf = config.salesforce;
  const conn = await connectWithJwt({
    loginUrl: sf.loginUrl ?? sf.instanceUrl,
    audience: sf.audience,
    consumerKey,
    username: integration.user.username,
    privateKeyPem: cert.privateKeyPem,
    apiVersion: sf.apiVersion,
  });
  await verifyIntegration({
    integration: conn,
    admin,
    flow: integration.app.flow,
    userId: user.userId,
    appApiName: integration.app.apiName,
    grantedObjects: integration.access.objects.filter((o) => o.read).map((o) => o.name),
    grantedFields: integration.access.fields.map((f) => f.name),
  });
}
