import type { Connection } from 'jsforce';
import type { AppRequest } from './app-settings';
import { foreignObject, ONRAMP_CODES, SalesforceApiError } from './errors';
import { isAdoptedMarker, owns } from './ownership';

/**
 * Legacy Connected Apps through Metadata CRUD. New ones are blocked in orgs since Spring '26 unless
 * Salesforce enabled them, so this path serves orgs that still allow them and existing apps.
 * Elements follow the ConnectedApp XSD sequence order.
 */
export function connectedAppMetadata(
  request: AppRequest,
  kept: { description?: unknown; contactEmail?: unknown } = {},
): Record<string, unknown> {
  const { app } = request;
  return {
    fullName: app.apiName,
    contactEmail: kept.contactEmail ?? app.contactEmail,
    ...(isAdoptedMarker(request.marker)
      ? kept.description
        ? { description: kept.description }
        : {}
      : { description: request.marker }),
    ...(app.trustedIpRanges.length
      ? { ipRanges: app.trustedIpRanges.map((r) => ({ description: 'onramp', end: r.end, start: r.start })) }
      : {}),
    label: app.label,
    oauthConfig: {
      callbackUrl: app.callbackUrls.join('\n'),
      ...(request.certificatePem ? { certificate: request.certificatePem } : {}),
      consumerKey: request.consumerKey,
      ...(request.consumerSecret ? { consumerSecret: request.consumerSecret } : {}),
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

/** The proof a Connected App is onramp's: its marker, or for an adopted one its consumer key (which never changes). */
export const ownsConnectedApp = (existing: Record<string, unknown>, marker: string) =>
  owns(marker, {
    stamp: existing.description,
    identity: (existing.oauthConfig as Record<string, unknown> | undefined)?.consumerKey,
  });

/**
 * Replaces the whole component (Metadata update does not merge) of a Connected App onramp created or
 * adopted. An adopted app keeps the description and contact email it had: onramp does not manage them.
 */
export async function updateConnectedApp(conn: Connection, request: AppRequest): Promise<void> {
  const existing = await readConnectedApp(conn, request.app.apiName);
  if (!existing) {
    throw new SalesforceApiError(`Connected App ${request.app.apiName} does not exist`, ONRAMP_CODES.notFound);
  }
  if (!ownsConnectedApp(existing, request.marker)) throw foreignObject(`Connected App ${request.app.apiName}`);
  const kept = isAdoptedMarker(request.marker)
    ? { description: existing.description, contactEmail: existing.contactEmail }
    : {};
  const result = (await conn.metadata.update(
    'ConnectedApp',
    connectedAppMetadata(request, kept) as never,
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
  if (!ownsConnectedApp(existing, marker)) throw foreignObject(`Connected App ${apiName}`);
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
