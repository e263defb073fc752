import { dirname, join, resolve } from 'node:path';
import { startLocalOrg, type RunningLocalOrg } from '../server';

export interface OrgStartOptions {
  port: number;
  httpsPort: number | null;
  host: string;
  /** Persist to (and reload from) this file. */
  state?: string;
  /** Where to write the bootstrap private key; default beside the state file or under .onramp/local-org. */
  privateKey?: string;
  json: boolean;
  connectedAppsAllowed: boolean;
  /** Latency added to every Salesforce request, in ms. */
  latency?: number;
  /** Which listener's URL is the instance URL. */
  instanceScheme: 'http' | 'https';
  /** `sandbox` with `sandboxName`: this org is a sandbox (of a freshly seeded production org). */
  kind?: 'production' | 'sandbox';
  sandboxName?: string;
  /** Sandboxes of this production org to host in the same process, each on its own free ports. */
  sandboxes?: string[];
}

/** The one line `onramp org start --json` prints: everything a client needs to sign in. */
export interface OrgStartLine {
  instanceUrl: string;
  httpsUrl: string | null;
  username: string;
  accessToken: string;
  consumerKey: string;
  privateKeyPath: string;
  adminUrl: string;
  kind: 'production' | 'sandbox';
  /** A sandbox's name; absent for a production org. */
  sandboxName?: string;
  /** The sandboxes hosted beside a production org (`--sandbox`), in the order asked. */
  sandboxes?: OrgStartLine[];
}

/** What `onramp org start` serves: one org, or a production org and its sandboxes; close() stops them all. */
export interface StartedOrgs {
  running: RunningLocalOrg;
  sandboxes: RunningLocalOrg[];
  line: OrgStartLine;
  close(): Promise<void>;
}

export function defaultPrivateKeyPath(
  options: Pick<OrgStartOptions, 'state' | 'privateKey'>,
  cwd = process.cwd(),
): string {
  if (options.privateKey) return resolve(cwd, options.privateKey);
  if (options.state) return join(dirname(resolve(cwd, options.state)), 'bootstrap-key.pem');
  return join(cwd, '.onramp', 'local-org', 'bootstrap-key.pem');
}

export async function startOrgFromCli(options: OrgStartOptions, cwd = process.cwd()): Promise<StartedOrgs> {
  const privateKeyPath = defaultPrivateKeyPath(options, cwd);
  const startOne = (
    at: Pick<OrgStartOptions, 'port' | 'httpsPort' | 'state' | 'kind' | 'sandboxName'>,
    key: string,
    production?: RunningLocalOrg,
  ) =>
    startLocalOrg({
      host: options.host,
      port: at.port,
      httpsPort: at.httpsPort,
      instanceScheme: options.instanceScheme,
      stateFile: at.state ? resolve(cwd, at.state) : undefined,
      privateKeyPath: key,
      settings: options.connectedAppsAllowed ? { connectedAppCreationAllowed: true } : undefined,
      kind: at.kind,
      sandboxName: at.sandboxName,
      production,
    });
  const running = await startOne(options, privateKeyPath);
  const sandboxes: RunningLocalOrg[] = [];
  const close = async () => {
    await Promise.all([running, ...sandboxes].map((org) => org.close()));
  };
  try {
    for (const name of new Set(options.sandboxes ?? [])) {
      const state = options.state?.replace(/(\.json)?$/, `.${name}.json`);
      const key = privateKeyPath.replace(/(\.pem)?$/, `.${name}.pem`);
      const httpsPort = options.httpsPort === null ? null : 0;
      sandboxes.push(await startOne({ port: 0, httpsPort, state, kind: 'sandbox', sandboxName: name }, key, running));
    }
  } catch (error) {
    await close();
    throw error;
  }
  for (const org of [running, ...sandboxes]) {
    // A restored org keeps its own settings; an explicit flag still wins.
    if (options.connectedAppsAllowed) org.org.updateSettings({ connectedAppCreationAllowed: true });
    if (options.latency)
      org.context.faults.add({ kind: 'latency', latencyMs: options.latency, description: '--latency' });
  }
  const line: OrgStartLine = {
    ...lineOf(running),
    ...(sandboxes.length ? { sandboxes: sandboxes.map(lineOf) } : {}),
  };
  return { running, sandboxes, line, close };
}

function lineOf(running: RunningLocalOrg): OrgStartLine {
  const sandboxName = running.org.sandboxName;
  return {
    instanceUrl: running.instanceUrl,
    httpsUrl: running.httpsUrl,
    username: running.bootstrap.username,
    accessToken: running.adminAccessToken,
    consumerKey: running.bootstrap.consumerKey,
    privateKeyPath: running.bootstrap.privateKeyPath!,
    adminUrl: `${running.instanceUrl}/_org`,
    kind: sandboxName === null ? 'production' : 'sandbox',
    ...(sandboxName === null ? {} : { sandboxName }),
  };
}

export function banner(line: OrgStartLine, state: string | undefined): string {
  return [
    line.kind === 'sandbox'
      ? `onramp local org is running: sandbox ${line.sandboxName}`
      : 'onramp local org is running',
    `  instance URL   ${line.instanceUrl}`,
    ...(line.httpsUrl && line.httpsUrl !== line.instanceUrl ? [`  HTTPS URL      ${line.httpsUrl} (self-signed)`] : []),
    `  admin user     ${line.username}`,
    `  consumer key   ${line.consumerKey}`,
    `  private key    ${line.privateKeyPath}`,
    `  access token   ${line.accessToken}`,
    `  admin API      ${line.adminUrl}`,
    `  state          ${state ?? 'in memory (lost on exit)'}`,
    ...(line.sandboxes ?? []).map(
      (sandbox) =>
        `  sandbox ${sandbox.sandboxName}    ${sandbox.instanceUrl} as ${sandbox.username} (admin API ${sandbox.adminUrl})`,
    ),
    'Press Ctrl-C to stop.',
  ].join('\n');
}
