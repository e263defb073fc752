import type { Connection } from 'jsforce';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import type { OrgSettings, RunningLocalOrg } from '@onramp/local-org';
import { AdminSession } from './activities/deps';
import { deepMerge, loadConfig, type OnrampConfig } from './config';
import { loadLocalOrg, type LocalOrgPackage } from './local-org';
import { createSecretsKeyFile } from './secrets/encrypted-file-store';
import { ensureDevSigningKey } from './signoff/keys';

/** The shipped default approval policy (this file sits in src/ and in dist/ alike). */
const DEV_POLICY_FILE = resolve(__dirname, '..', 'deploy', 'policy.yaml');

/**
 * onramp pointed at the local org: the one stack builder under `onramp dev` and the demo, the test suites and
 * the benchmarks. Each adds its own Temporal server and worker; this starts the org and writes the
 * configuration every onramp process of the stack reads (worker, CLI, child worker processes).
 */
export interface LocalStack {
  dir: string;
  /** The production org (the default org). */
  org: RunningLocalOrg;
  /** The sandbox of `options.sandbox`, a copy of `org` as it was at start. */
  sandbox?: RunningLocalOrg;
  config: OnrampConfig;
  /** The configuration file (ONRAMP_CONFIG) other processes of the stack load. */
  configFile: string;
  /** onramp's admin connection to an org (absent: the default org), as the worker and the CLI sign in. */
  admin(org?: string): Promise<Connection>;
  close(): Promise<void>;
}

export interface LocalStackOptions {
  /** Where the stack keeps its files: configuration, secrets, runbooks, audits, the org's key and state. */
  dir: string;
  temporal: { address: string; namespace?: string; taskQueue?: string };
  org?: {
    /** Keep the org in `<dir>/local-org/state.json` across restarts. */
    persist?: boolean;
    settings?: Partial<OrgSettings>;
    /** null: HTTP only. */
    httpsPort?: number | null;
  };
  /**
   * A second org, a sandbox of the first named `name` (Salesforce's sandbox usernames, IsSandbox, the
   * test.salesforce.com audience): configured as org `name` with `sandboxOf: production`, and the first
   * org is then named `production` (the default org).
   */
  sandbox?: { name: string };
  /** Configuration beside what points at the org and Temporal (username suffix, codec keys, audit, ...). */
  config?: Record<string, unknown>;
  /** The file's first comment line: who wrote it. */
  writtenBy: string;
  configFileName?: string;
}

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const dir = resolve(options.dir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const localOrg = (folder: string, more: Partial<Parameters<LocalOrgPackage['startLocalOrg']>[0]> = {}) =>
    loadLocalOrg().startLocalOrg({
      stateFile: options.org?.persist ? join(dir, folder, 'state.json') : undefined,
      privateKeyPath: join(dir, folder, 'bootstrap-key.pem'),
      settings: options.org?.settings,
      httpsPort: options.org?.httpsPort,
      ...more,
    });
  const org = await localOrg('local-org');
  let sandbox: RunningLocalOrg | undefined;
  const close = async () => {
    await sandbox?.close();
    await org.close();
  };
  try {
    if (options.sandbox) {
      const { name } = options.sandbox;
      sandbox = await localOrg(`local-org-${name}`, { kind: 'sandbox', sandboxName: name, production: org });
    }
    const fileConfig = deepMerge(
      {
        salesforce: {
          instanceUrl: org.instanceUrl,
          username: org.bootstrap.username,
          consumerKey: org.bootstrap.consumerKey,
          privateKeyPath: org.bootstrap.privateKeyPath,
          usernameSuffix: 'integrations.local-org.example',
        },
        // No Temporal config file: a developer's default profile (a cloud namespace, say) is not this stack's.
        temporal: { namespace: 'default', configFile: false, ...options.temporal },
        secrets: { file: join(dir, 'secrets.json'), keyFile: join(dir, 'secrets.key') },
        runbookDir: join(dir, 'runbooks'),
        audit: { dir: join(dir, 'audits') },
        codec: { keyFile: join(dir, 'codec-keys.json') },
        server: { tokenFile: join(dir, 'api-tokens.json') },
        policy: { file: DEV_POLICY_FILE },
        signoff: { keyFile: join(dir, 'signoff-key.json'), jwksFile: join(dir, 'signoff-jwks.json') },
        evidence: { keyFile: join(dir, 'evidence-key.json'), jwksFile: join(dir, 'evidence-jwks.json') },
      },
      options.config ?? {},
    );
    if (sandbox) addSandbox(fileConfig, sandbox, options.sandbox!.name);
    const configFile = join(dir, options.configFileName ?? 'onramp.config.yaml');
    // Owner-only: the file may hold codec keys.
    writeFileSync(
      configFile,
      `# Written by ${options.writtenBy}. Other onramp commands read it.\n${stringify(fileConfig)}`,
      {
        mode: 0o600,
      },
    );
    const config = loadConfig({ ONRAMP_CONFIG: configFile });
    // The one place a secrets key is made (onramp dev and its test and bench twins): for the stack's own
    // store, named in the file it wrote. Nothing else creates a key.
    if (config.secrets.backend === 'file' && config.secrets.keyFile) await createSecretsKeyFile(config.secrets.keyFile);
    // The approval service's key: only a local stack creates one; everywhere else a missing key is refused.
    await ensureDevSigningKey(config.signoff.keyFile, config.signoff.jwksFile);
    await ensureDevSigningKey(config.evidence.keyFile, config.evidence.jwksFile);
    const session = new AdminSession(config);
    return {
      dir,
      org,
      ...(sandbox ? { sandbox } : {}),
      config,
      configFile,
      admin: (name?: string) => session.get(name),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * The sandbox as a second org: the local org the stack started first is `production`, the default org (its
 * integrations keep the ids of a single-org stack), the sandbox `name`. Integration usernames there end in
 * `.<name>`, as a sandbox copy renames every user.
 */
function addSandbox(fileConfig: Record<string, unknown>, sandbox: RunningLocalOrg, name: string): void {
  const production = fileConfig.salesforce as { usernameSuffix: string };
  const given = (fileConfig.orgs as Record<string, Record<string, unknown>> | undefined)?.[name] ?? {};
  fileConfig.defaultOrg ??= 'production';
  fileConfig.orgs = {
    ...(fileConfig.orgs as object | undefined),
    [name]: {
      kind: 'sandbox',
      sandboxOf: fileConfig.defaultOrg,
      instanceUrl: sandbox.instanceUrl,
      username: sandbox.bootstrap.username,
      consumerKey: sandbox.bootstrap.consumerKey,
      privateKeyPath: sandbox.bootstrap.privateKeyPath,
      usernameSuffix: `${production.usernameSuffix}.${name}`,
      ...given,
    },
  };
}
