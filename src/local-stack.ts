import type { Connection } from 'jsforce';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import type { OrgSettings, RunningLocalOrg } from '@onramp/local-org';
import { AdminSession } from './activities/deps';
import { deepMerge, loadConfig, type OnrampConfig } from './config';
import { loadLocalOrg } from './local-org';
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
  org: RunningLocalOrg;
  config: OnrampConfig;
  /** The configuration file (ONRAMP_CONFIG) other processes of the stack load. */
  configFile: string;
  /** onramp's admin session to the org, as the worker and the CLI sign in. */
  /** onramp's admin connection to an org (absent: the default org). */
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
  /** Configuration beside what points at the org and Temporal (username suffix, codec keys, audit, ...). */
  config?: Record<string, unknown>;
  /** The file's first comment line: who wrote it. */
  writtenBy: string;
  configFileName?: string;
}

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const dir = resolve(options.dir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const org = await loadLocalOrg().startLocalOrg({
    stateFile: options.org?.persist ? join(dir, 'local-org', 'state.json') : undefined,
    privateKeyPath: join(dir, 'local-org', 'bootstrap-key.pem'),
    settings: options.org?.settings,
    httpsPort: options.org?.httpsPort,
  });
  try {
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
    return { dir, org, config, configFile, admin: (org?: string) => session.get(org), close: () => org.close() };
  } catch (error) {
    await org.close();
    throw error;
  }
}
