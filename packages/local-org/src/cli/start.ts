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
}

export function defaultPrivateKeyPath(
  options: Pick<OrgStartOptions, 'state' | 'privateKey'>,
  cwd = process.cwd(),
): string {
  if (options.privateKey) return resolve(cwd, options.privateKey);
  if (options.state) return join(dirname(resolve(cwd, options.state)), 'bootstrap-key.pem');
  return join(cwd, '.onramp', 'local-org', 'bootstrap-key.pem');
}

export async function startOrgFromCli(
  options: OrgStartOptions,
  cwd = process.cwd(),
): Promise<{ running: RunningLocalOrg; line: OrgStartLine }> {
  const privateKeyPath = defaultPrivateKeyPath(options, cwd);
  const running = await startLocalOrg({
    host: options.host,
    port: options.port,
    httpsPort: options.httpsPort,
    instanceScheme: options.instanceScheme,
    stateFile: options.state ? resolve(cwd, options.state) : undefined,
    privateKeyPath,
    settings: options.connectedAppsAllowed ? { connectedAppCreationAllowed: true } : undefined,
  });
  // A restored org keeps its own settings; an explicit flag still wins.
  if (options.connectedAppsAllowed) running.org.updateSettings({ connectedAppCreationAllowed: true });
  if (options.latency)
    running.context.faults.add({ kind: 'latency', latencyMs: options.latency, description: '--latency' });
  const line: OrgStartLine = {
    instanceUrl: running.instanceUrl,
    httpsUrl: running.httpsUrl,
    username: running.bootstrap.username,
    accessToken: running.adminAccessToken,
    consumerKey: running.bootstrap.consumerKey,
    privateKeyPath,
    adminUrl: `${running.instanceUrl}/_org`,
  };
  return { running, line };
}

export function banner(line: OrgStartLine, state: string | undefined): string {
  return [
    'onramp local org is running',
    `  instance URL   ${line.instanceUrl}`,
    ...(line.httpsUrl && line.httpsUrl !== line.instanceUrl ? [`  HTTPS URL      ${line.httpsUrl} (self-signed)`] : []),
    `  admin user     ${line.username}`,
    `  consumer key   ${line.consumerKey}`,
    `  private key    ${line.privateKeyPath}`,
    `  access token   ${line.accessToken}`,
    `  admin API      ${line.adminUrl}`,
    `  state          ${state ?? 'in memory (lost on exit)'}`,
    'Press Ctrl-C to stop.',
  ].join('\n');
}
