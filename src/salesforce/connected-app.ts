import type { Connection } from 'jsforce';
import type { AppRequest } from './app-settings';
import { foreignObject, ONRAMP_CODES, SalesforceApiError } from './errors';

/**
 * Legacy Connected Apps through Metadata CRUD. New ones are blocked in orgs since Spring '26 unless
 * Salesforce enabled them, so this path serves orgs that still allow them and existing apps.
 * Elements follow the ConnectedApp XSD sequence order.
 */
export function connectedAppMetadata(request: AppRequest): Record<string, unknown> {
  const { app } = request;
  return {
    fullName: app.apiName,
    contactEmail: app.contactEmail,
    description: request.marker,
    ...(app.trustedIpRanges.length
      ? { ipRanges: app.trustedIpRanges.map((r) => ({ description: 'onramp', end: r.end, start: r.start })) }
      : {}),
    label: app.label,
    oauthConfig: {
      callbackUrl: app.callbackUrls.join('\n'),
      ...(request.certificatePem ? { certificate: request.certificatePem } : {}),
      consumerKey: request.consumerKey,
      consumerSecret: request.consumerSecret,
      isAdminApproved: 'true',
      ...(app.flow === 'client-credentials'
        ? { isClientCredentialEnabled: 'true', oauthClientCredentialUser: app.runAsUsername }
        : {}),
      scopes: app.metadataScopes,
    },
    oauthPolicy: { ipRelaxation: app.ipRelaxation, refreshTokenPolicy: app.refreshTokenPolicy },
    permissionSetName: [app.permissionSetName],
  };
}

interface SaveResult {
  success: boolean | string;
  fullName: string;
  errors?: { statusCode: string; message: string } | Array<{ statusCode: string; message: string }>;
}

export async function readConnectedApp(
  conn: Connection,
  apiName: string,
): Promise<Record<string, unknown> | undefined> {
  const record = (await conn.metadata.read('ConnectedApp', apiName)) as unknown as Record<string, unknown>;
  return record && record.fullName ? record : undefined;
}

export async function ensureConnectedApp(conn: Connection, request: AppRequest): Promise<{ created: boolean }> {
  const existing = await readConnectedApp(conn, request.app.apiName);
  if (existing) {
    if (existing.description !== request.marker) throw foreignObject(`Connected App ${request.app.apiName}`);
    return { created: false };
  }
  const result = (await conn.metadata.create(
    'ConnectedApp',
    connectedAppMetadata(request) as never,
  )) as unknown as SaveResult;
  throwUnlessSaved(result, 'create Connected App');
  return { created: true };
}

/** Replaces the whole component (Metadata update does not merge) of a Connected App onramp created. */
export async function updateConnectedApp(conn: Connection, request: AppRequest): Promise<void> {
  const existing = await readConnectedApp(conn, request.app.apiName);
  if (!existing) {
    throw new SalesforceApiError(`Connected App ${request.app.apiName} does not exist`, ONRAMP_CODES.notFound);
  }
  if (existing.description !== request.marker) throw foreignObject(`Connected App ${request.app.apiName}`);
  const result = (await conn.metadata.update(
    'ConnectedApp',
    connectedAppMetadata(request) as never,
  )) as unknown as SaveResult;
  throwUnlessSaved(result, 'update Connected App');
}

export async function deleteConnectedApp(
  conn: Connection,
  apiName: string,
  marker: string,
): Promise<'deleted' | 'absent'> {
  const existing = await readConnectedApp(conn, apiName);
  if (!existing) return 'absent';
  if (existing.description !== marker) throw foreignObject(`Connected App ${apiName}`);
  const result = (await conn.metadata.delete('ConnectedApp', apiName)) as unknown as SaveResult;
  throwUnlessSaved(result, 'delete Connected App');
  return 'deleted';
}

function throwUnlessSaved(result: SaveResult, action: string): void {
  if (result.success === true || result.success === 'true') return;
  const errors = Array.isArray(result.errors) ? result.errors : result.errors ? [result.errors] : [];
  const first = errors[0];
  throw new SalesforceApiError(`${action}: ${first?.message ?? 'failed'}`, first?.statusCode ?? 'METADATA_ERROR');
}
