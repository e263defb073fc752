import type { Connection } from 'jsforce';
import JSZip from 'jszip';
import type { AppRequest } from './app-settings';
import { foreignObject, ONRAMP_CODES, SalesforceApiError } from './errors';
import { isAdoptedMarker, owns } from './ownership';

/**
 * External Client Apps, the kind Salesforce requires for new integrations since Spring '26. They exist
 * only as deployed metadata: a header (ExternalClientApplication) plus OAuth settings, global OAuth
 * settings (certificate, consumer key and secret) and OAuth policies (permitted users, run-as user, IP
 * relaxation), each in its own folder and file suffix as the Metadata API Developer Guide names them.
 */
const TYPES = {
  header: { type: 'ExternalClientApplication', folder: 'externalClientApps', suffix: 'eca', member: (n: string) => n },
  settings: {
    type: 'ExtlClntAppOauthSettings',
    folder: 'extlClntAppOauthSettings',
    suffix: 'ecaOauth',
    member: (n: string) => `${n}_oauth`,
  },
  global: {
    type: 'ExtlClntAppGlobalOauthSettings',
    folder: 'extlClntAppGlobalOauthSets',
    suffix: 'ecaGlblOauth',
    member: (n: string) => `${n}_glbl`,
  },
  policies: {
    type: 'ExtlClntAppOauthConfigurablePolicies',
    folder: 'extlClntAppOauthPolicies',
    suffix: 'ecaOauthPlcy',
    member: (n: string) => `${n}_plcy`,
  },
} as const;

const NS = 'http://soap.sforce.com/2006/04/metadata';
/**
 * checkDeployStatus is polled at once (small deploys are often done by then), then after 1, 2, 4 and 8
 * seconds and every 10 seconds after that: every poll is an API call, and an External Client App deploy
 * takes seconds to minutes on a real org. The wait stays inside the activity's start-to-close timeout.
 */
const FIRST_POLL_DELAY_MS = 1000;
const MAX_POLL_DELAY_MS = 10_000;
const DEPLOY_WAIT_MS = 8 * 60_000;

const escapeXml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function element(name: string, value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map((v) => element(name, v)).join('');
  if (typeof value === 'object') {
    return `<${name}>${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => element(k, v))
      .join('')}</${name}>`;
  }
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

const document = (root: string, fields: Record<string, unknown>) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${NS}">${Object.entries(fields)
    .map(([k, v]) => element(k, v))
    .join('')}</${root}>\n`;

function packageXml(members: Array<{ type: string; member: string }>, apiVersion: string): string {
  const byType = new Map<string, string[]>();
  for (const m of members) byType.set(m.type, [...(byType.get(m.type) ?? []), m.member]);
  return document('Package', {
    types: [...byType].map(([name, list]) => ({ members: list, name })),
    version: apiVersion,
  });
}

export type EcaPart = keyof typeof TYPES;

/**
 * How a caller follows a deploy: `onPoll` hears its id on every poll (an activity heartbeats it), and
 * `resumeDeployId` (from the last heartbeat of a previous attempt) makes a retry wait for that deploy
 * instead of starting a second one.
 */
export interface DeployProgress {
  onPoll(deployId: string): void;
  resumeDeployId?: string;
}

/**
 * The deployable package of one External Client App (fields in the documented, alphabetical order), or
 * of some of its parts: a satellite deployed alone is merged into the app already in the org.
 */
export async function externalClientAppPackage(
  request: AppRequest,
  apiVersion: string,
  parts?: EcaPart[],
): Promise<Buffer> {
  const { app } = request;
  const name = app.apiName;
  const cc = app.flow === 'client-credentials';
  const zip = new JSZip();
  const files: Array<[keyof typeof TYPES, Record<string, unknown>]> = [
    [
      'header',
      {
        contactEmail: app.contactEmail,
        description: request.marker,
        distributionState: 'Local',
        isProtected: false,
        label: app.label,
      },
    ],
    [
      'settings',
      {
        commaSeparatedOauthScopes: app.metadataScopes.join(','),
        externalClientApplication: name,
        label: app.label,
        trustedIpRanges: app.trustedIpRanges.map((r) => ({ description: 'onramp', end: r.end, start: r.start })),
      },
    ],
    [
      'global',
      {
        callbackUrl: app.callbackUrls.join('\n'),
        certificate: request.certificatePem,
        consumerKey: request.consumerKey,
        consumerSecret: request.consumerSecret,
        externalClientApplication: name,
        isClientCredentialsFlowEnabled: cc,
        isConsumerSecretOptional: false,
        isIntrospectAllTokens: false,
        isPkceRequired: false,
        isSecretRequiredForRefreshToken: true,
        label: app.label,
        shouldRotateConsumerKey: false,
        shouldRotateConsumerSecret: false,
      },
    ],
    [
      'policies',
      {
        clientCredentialsFlowUser: cc ? app.runAsUsername : undefined,
        commaSeparatedPermissionSet: app.permissionSetName,
        externalClientApplication: name,
        ipRelaxationPolicyType: app.ipRelaxation,
        isClientCredentialsFlowEnabled: cc,
        label: app.label,
        permittedUsersPolicyType: 'AdminApprovedPreAuthorized',
        refreshTokenPolicyType: 'Zero',
        sessionTimeoutInMinutes: app.sessionTimeoutMinutes ?? undefined,
      },
    ],
  ];
  if (parts) files.splice(0, files.length, ...files.filter(([part]) => parts.includes(part)));
  for (const [part, fields] of files) {
    const t = TYPES[part];
    zip.file(`${t.folder}/${t.member(name)}.${t.suffix}`, document(t.type, fields));
  }
  zip.file(
    'package.xml',
    packageXml(
      files.map(([part]) => ({ type: TYPES[part].type, member: TYPES[part].member(name) })),
      apiVersion,
    ),
  );
  return zip.generateAsync({ type: 'nodebuffer' });
}

async function destructivePackage(apiName: string, apiVersion: string): Promise<Buffer> {
  const zip = new JSZip();
  zip.file('package.xml', packageXml([], apiVersion));
  const parts = (['policies', 'global', 'settings', 'header'] as const).map((p) => ({
    type: TYPES[p].type,
    member: TYPES[p].member(apiName),
  }));
  zip.file('destructiveChanges.xml', packageXml(parts, apiVersion));
  return zip.generateAsync({ type: 'nodebuffer' });
}

export async function readExternalClientApp(
  conn: Connection,
  apiName: string,
): Promise<Record<string, unknown> | undefined> {
  const record = (await conn.metadata.read(TYPES.header.type as never, apiName)) as unknown as Record<string, unknown>;
  return record && record.fullName ? record : undefined;
}

/** The app's metadata id (listMetadata), which stays while the app exists. */
export async function externalClientAppId(conn: Connection, apiName: string): Promise<string | undefined> {
  const files = await conn.metadata.list([{ type: TYPES.header.type }]);
  return (Array.isArray(files) ? files : [files]).find((f) => f?.fullName.toLowerCase() === apiName.toLowerCase())?.id;
}

/** The proof an External Client App is onramp's: its marker, or for an adopted one its metadata id. */
export async function ownsExternalClientApp(
  conn: Connection,
  existing: Record<string, unknown>,
  apiName: string,
  marker: string,
): Promise<boolean> {
  const identity = isAdoptedMarker(marker) ? await externalClientAppId(conn, apiName) : undefined;
  return owns(marker, { stamp: existing.description, identity });
}

export async function ensureExternalClientApp(
  conn: Connection,
  request: AppRequest,
  progress: DeployProgress,
): Promise<{ created: boolean }> {
  const existing = await readExternalClientApp(conn, request.app.apiName);
  if (existing) {
    if (existing.description !== request.marker) throw foreignObject(`External Client App ${request.app.apiName}`);
    return { created: false };
  }
  await deploy(conn, await externalClientAppPackage(request, conn.version), progress);
  return { created: true };
}

/**
 * Redeploys parts of an app onramp created, leaving the others as they are: the global OAuth settings
 * (certificate, consumer key and secret) are what a credential rotation changes; a change request
 * redeploys the OAuth settings, global settings and policies with the credentials the app already holds.
 */
export async function redeployExternalClientApp(
  conn: Connection,
  request: AppRequest,
  progress: DeployProgress,
  parts: EcaPart[],
): Promise<void> {
  const existing = await readExternalClientApp(conn, request.app.apiName);
  if (!existing) {
    throw new SalesforceApiError(`External Client App ${request.app.apiName} does not exist`, ONRAMP_CODES.notFound);
  }
  if (!(await ownsExternalClientApp(conn, existing, request.app.apiName, request.marker)))
    throw foreignObject(`External Client App ${request.app.apiName}`);
  // The header carries the marker: an adopted app's header (its description) is never redeployed.
  if (isAdoptedMarker(request.marker) && parts.includes('header'))
    throw new Error('an adopted External Client App keeps its header; redeploy only its OAuth parts');
  await deploy(conn, await externalClientAppPackage(request, conn.version, parts), progress);
}

export async function deleteExternalClientApp(
  conn: Connection,
  apiName: string,
  marker: string,
): Promise<'deleted' | 'absent'> {
  const existing = await readExternalClientApp(conn, apiName);
  if (!existing) return 'absent';
  if (!(await ownsExternalClientApp(conn, existing, apiName, marker)))
    throw foreignObject(`External Client App ${apiName}`);
  await deploy(conn, await destructivePackage(apiName, conn.version), { onPoll: () => undefined });
  return 'deleted';
}

interface DeployStatus {
  id: string;
  done: boolean | string;
  status: string;
  success?: boolean | string;
  errorMessage?: string;
  details?: { componentFailures?: Failure | Failure[] };
}
type Failure = { fullName?: string; componentType?: string; problem?: string; problemType?: string };

/** Deploys (or resumes waiting for the deploy a previous attempt started) and waits for the result. */
async function deploy(conn: Connection, zip: Buffer, progress: DeployProgress): Promise<void> {
  const deployId =
    progress.resumeDeployId ?? (await conn.metadata.deploy(zip, { singlePackage: true, rollbackOnError: true })).id;
  const deadline = Date.now() + DEPLOY_WAIT_MS;
  for (let poll = 0; Date.now() < deadline; poll++) {
    progress.onPoll(deployId);
    const status = (await conn.metadata.checkDeployStatus(deployId, true)) as unknown as DeployStatus;
    if (status.done === true || status.done === 'true') {
      if (status.success === true || status.success === 'true') return;
      const failures = status.details?.componentFailures;
      const list = Array.isArray(failures) ? failures : failures ? [failures] : [];
      const reason =
        list.map((f) => `${f.componentType} ${f.fullName}: ${f.problem}`).join('; ') ||
        status.errorMessage ||
        status.status;
      throw new SalesforceApiError(`deploy ${deployId} failed: ${reason}`, ONRAMP_CODES.deployFailed);
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(FIRST_POLL_DELAY_MS * 2 ** poll, MAX_POLL_DELAY_MS)));
  }
  throw new SalesforceApiError(`deploy ${deployId} did not finish in time`, ONRAMP_CODES.deployTimeout);
}
