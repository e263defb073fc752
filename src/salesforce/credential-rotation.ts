import type { Connection } from 'jsforce';
import type { AppRequest } from './app-settings';
import { updateConnectedApp } from './connected-app';
import { isErrorCode, ONRAMP_CODES, SalesforceApiError } from './errors';
import { redeployExternalClientApp, type DeployProgress } from './external-client-app';

/**
 * Puts new credentials on an app onramp created: for an External Client App only its global OAuth
 * settings are redeployed (certificate, consumer key and secret), for a Connected App the component is
 * updated. Salesforce keeps one certificate per app, so the previous certificate stops verifying at once.
 */
/**
 * Puts an app's OAuth settings (scopes, callback URLs, IP policy and ranges, session timeout) in place on
 * the app onramp created, with the consumer key, secret and certificate it already holds: the app and its
 * credentials stay, so the integration keeps signing in throughout.
 */
export async function installAppSettings(
  conn: Connection,
  request: AppRequest,
  progress: DeployProgress,
): Promise<void> {
  if (request.app.kind === 'connected-app') await updateConnectedApp(conn, request);
  else await redeployExternalClientApp(conn, request, progress, ['settings', 'global', 'policies']);
}

export async function installAppCredentials(
  conn: Connection,
  request: AppRequest,
  progress: DeployProgress,
): Promise<void> {
  if (request.app.kind === 'connected-app') await updateConnectedApp(conn, request);
  else await redeployExternalClientApp(conn, request, progress, ['global']);
}

/**
 * The Connect REST "OAuth Credentials" resources of External Client Apps: a staged key and secret are
 * valid for token grants alongside the primary pair until they are promoted (`rotate`) or deleted. The
 * staged resources exist from v65.0, whatever version onramp otherwise speaks.
 */
const STAGED_SINCE = 65;

export interface StagedCredentials {
  id: string;
  consumerKey: string;
  /** Only in the answer to the POST that created them; Salesforce never shows it again. */
  consumerSecret?: string;
}

export interface OAuthConsumer {
  /** `/services/data/vNN.0/apps/oauth/credentials/{app}/{consumer}` */
  url: string;
  consumerKey: string;
}

const apiVersion = (conn: Connection) => `v${Math.max(Number.parseFloat(conn.version), STAGED_SINCE).toFixed(1)}`;
/** A fresh object per request: jsforce writes the content length into the headers it is given. */
const json = () => ({ 'content-type': 'application/json' });

interface StagedJson {
  id: string;
  key: string;
  secret?: string;
}

/** The OAuth consumer of an External Client App, found through its metadata id (listMetadata). */
export async function findOAuthConsumer(conn: Connection, appApiName: string): Promise<OAuthConsumer> {
  const files = await conn.metadata.list([{ type: 'ExternalClientApplication' }]);
  const app = (Array.isArray(files) ? files : [files]).find(
    (f) => f?.fullName.toLowerCase() === appApiName.toLowerCase(),
  );
  if (!app) throw new SalesforceApiError(`External Client App ${appApiName} does not exist`, ONRAMP_CODES.notFound);
  const list = await conn.request<{ consumers: Array<{ url: string; key: string }> }>(
    `/services/data/${apiVersion(conn)}/apps/oauth/credentials/${app.id}`,
  );
  const [consumer] = list.consumers;
  if (!consumer) {
    throw new SalesforceApiError(`External Client App ${appApiName} has no OAuth consumer`, ONRAMP_CODES.notFound);
  }
  return { url: consumer.url, consumerKey: consumer.key };
}

export async function listStagedCredentials(conn: Connection, consumer: OAuthConsumer): Promise<StagedCredentials[]> {
  const list = await conn.request<{ stagedCredentials: StagedJson[] }>(`${consumer.url}/staged`);
  return list.stagedCredentials.map((s) => ({ id: s.id, consumerKey: s.key }));
}

export async function stageCredentials(
  conn: Connection,
  consumer: OAuthConsumer,
): Promise<Required<StagedCredentials>> {
  const created = await conn.request<{ stagedCredentials: StagedJson[] }>({
    method: 'POST',
    url: `${consumer.url}/staged`,
    body: '{}',
    headers: json(),
  });
  const [staged] = created.stagedCredentials;
  if (!staged?.secret) throw new SalesforceApiError('the org staged no credentials', ONRAMP_CODES.stagingFailed);
  return { id: staged.id, consumerKey: staged.key, consumerSecret: staged.secret };
}

/** Makes the staged pair the primary one; the previous primary pair stops working at once. */
export async function promoteStagedCredentials(
  conn: Connection,
  consumer: OAuthConsumer,
  stagedId: string,
): Promise<void> {
  await conn.request({
    method: 'PATCH',
    url: `${consumer.url}/staged/${stagedId}`,
    body: JSON.stringify({ command: 'rotate' }),
    headers: json(),
  });
}

/** Discards a staged pair; one already gone (deleted, promoted or expired) is success. */
export async function deleteStagedCredentials(
  conn: Connection,
  consumer: OAuthConsumer,
  stagedId: string,
): Promise<'deleted' | 'absent'> {
  try {
    await conn.request({ method: 'DELETE', url: `${consumer.url}/staged/${stagedId}` });
    return 'deleted';
  } catch (error) {
    if (isErrorCode(error, 'NOT_FOUND')) return 'absent';
    throw error;
  }
}
