import type { Connection } from 'jsforce';
import { orgSettings } from '../config';
import { connectWithClientCredentials, connectWithJwt } from '../salesforce/connection';
import { asSalesforceError } from '../salesforce/errors';
import { verifyIntegration } from '../salesforce/verification';
import { Failure } from '../shared/failures';
import type { AppRecord, CredentialRecord, VerificationEvidence } from '../shared/types';
import { requiredConsumerSecret } from './credentials';
import type { ActivityDeps, AdminSession } from './deps';
import { salesforceStep } from './failures';
import type { StepInput } from './steps';

export function verificationActivities(deps: ActivityDeps, admin: AdminSession) {
  return {
    /**
     * Signs in exactly as the external system will (the stored key or secret, the app's consumer key),
     * then proves what the integration can and cannot do. A grant refused right after the app was
     * created is retried: real orgs take a while to propagate new apps.
     */
    async verifyIntegration(
      input: StepInput,
      userId: string,
      app: AppRecord,
      credentials: CredentialRecord,
    ): Promise<VerificationEvidence> {
      const { integration } = input;
      const sf = orgSettings(deps.config, integration.org);
      let conn: Connection;
      try {
        conn =
          integration.app.flow === 'jwt-bearer'
            ? await connectWithJwt({
                loginUrl: sf.loginUrl ?? sf.instanceUrl,
                audience: sf.audience,
                consumerKey: app.consumerKey,
                username: integration.user.username,
                privateKeyPem: await deps.secrets.get(credentials.privateKeyRef!),
                apiVersion: sf.apiVersion,
              })
            : await connectWithClientCredentials({
                loginUrl: sf.instanceUrl,
                consumerKey: app.consumerKey,
                consumerSecret: await requiredConsumerSecret(deps, credentials),
                apiVersion: sf.apiVersion,
              });
      } catch (error) {
        const sf = asSalesforceError(error);
        // invalid_client_id is what a not-yet-propagated app answers; it and a busy or unreachable org are
        // worth retrying.
        const retryable = sf.transient || sf.errorCode === 'invalid_client_id';
        const failure = retryable ? Failure.TokenGrantNotYet : Failure.TokenGrantFailed;
        throw failure(`the integration could not obtain a token: ${sf.errorCode}: ${sf.message}`);
      }
      return salesforceStep('verify the integration', async () =>
        verifyIntegration({
          integration: conn,
          admin: await admin.get(integration.org),
          flow: integration.app.flow,
          userId,
          appApiName: app.apiName,
          grantedObjects: integration.access.objects.filter((o) => o.read).map((o) => o.name),
          grantedFields: integration.access.fields.map((f) => f.name),
        }),
      );
    },
  };
}
