import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { NOTIFICATION_ENV_KEYS, NotificationSettingsSchema } from './notifications/config';
import { SERVER_ENV_KEYS, ServerSettingsSchema } from './server/config';
import {
  resolveTemporalSettings,
  TemporalSettingsError,
  TemporalSettingsSchema,
  type TemporalSettings,
} from './temporal/connection-settings';

/**
 * onramp's configuration: environment variables win over the config file (ONRAMP_CONFIG, else
 * `onramp.config.yaml`, else the `.onramp/dev-config.yaml` that `onramp dev` writes). A real org or sandbox is used by setting its My Domain URL and onramp's
 * own credentials (JWT bearer for onramp's admin user); the embedded stack sets them itself.
 */
const ConfigSchema = z.strictObject({
  salesforce: z.strictObject({
    instanceUrl: z.url({ error: "must be the org's My Domain URL, e.g. https://acme.my.salesforce.com" }),
    loginUrl: z.url().optional(),
    audience: z.url().default('https://login.salesforce.com'),
    username: z.string().min(3, { error: 'must be the username onramp signs in as' }),
    consumerKey: z.string().min(10, { error: "must be the consumer key of onramp's own app" }),
    privateKeyPath: z.string().min(1, { error: "must name the PEM file of onramp's JWT signing key" }),
    apiVersion: z
      .string()
      .regex(/^\d{2}\.0$/, { error: 'must look like 62.0' })
      .default('62.0'),
    usernameSuffix: z
      .string()
      .regex(/^[a-z0-9.-]+\.[a-z]{2,}$/i, { error: 'must be a domain-like suffix, e.g. integrations.acme.com' })
      .optional(),
  }),
  /** Resolved with the Temporal config file's profile after parsing (src/temporal/connection-settings.ts). */
  temporal: TemporalSettingsSchema,
  secrets: z
    .strictObject({
      /** `file`: the encrypted file store (the embedded default); `aws`: AWS Secrets Manager; `vault`: Vault KV v2. */
      backend: z.enum(['file', 'aws', 'vault'], { error: 'must be file, aws or vault' }).default('file'),
      file: z.string().default('.onramp/secrets.json'),
      /** The file store's master key when ONRAMP_SECRETS_KEY is unset; it must exist (onramp dev creates its own). */
      keyFile: z.string().min(1).optional(),
      aws: z
        .strictObject({
          region: z
            .string()
            .regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, { error: 'must be an AWS region, e.g. eu-west-1' })
            .optional(),
          /** Another endpoint than AWS's own (a VPC endpoint; moto in the tests). */
          endpoint: z.url({ error: 'must be the Secrets Manager endpoint URL' }).optional(),
          /** Prefix of the names onramp's secrets get, e.g. `onramp/prod/`. */
          prefix: z
            .string()
            .regex(/^[A-Za-z0-9/_+=.@-]*$/, { error: 'may hold only letters, digits and /_+=.@-' })
            .default('onramp/'),
        })
        .prefault({}),
      /** HashiCorp Vault or OpenBao, KV version 2: onramp's store with backend vault, and a handover target. */
      vault: z
        .strictObject({
          address: z.url({ error: 'must be the Vault address, e.g. https://vault.acme.example:8200' }).optional(),
          mount: z
            .string()
            .regex(/^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/, { error: 'must be the path the KV v2 engine is mounted at' })
            .default('secret'),
          namespace: z.string().min(1).optional(),
          token: z.string().min(1).optional(),
          roleId: z.string().min(1).optional(),
          secretId: z.string().min(1).optional(),
          appRoleMount: z.string().min(1).default('approle'),
          /** Folder of onramp's own secrets inside the mount. */
          prefix: z
            .string()
            .regex(/^([A-Za-z0-9_.-]+\/)*$/, { error: "must be empty or folders ending in '/', e.g. onramp/" })
            .default('onramp/'),
        })
        .refine((vault) => !vault.address || vault.token || (vault.roleId && vault.secretId), {
          error: 'a token, or an AppRole roleId and secretId, is required with secrets.vault.address',
          path: ['token'],
        })
        .prefault({}),
      /** Folder under which `handover: { store: file }` writes credential files for the external systems. */
      handoverDir: z.string().min(1).optional(),
    })
    .refine((secrets) => secrets.backend !== 'vault' || secrets.vault.address, {
      error: 'is required with secrets.backend vault',
      path: ['vault', 'address'],
    })
    .refine((secrets) => secrets.backend !== 'aws' || secrets.aws.region, {
      error: 'is required with secrets.backend aws',
      path: ['aws', 'region'],
    })
    .prefault({}),
  runbookDir: z.string().default('.onramp/runbooks'),
  audit: z
    .strictObject({
      dir: z.string().default('.onramp/audits'),
      webhookUrl: z.url({ error: 'must be the URL the audit summary is posted to' }).optional(),
      /** HMAC-SHA256 key the webhook's requests are signed with (src/audit/webhook-signature.ts). */
      webhookSigningKey: z
        .string()
        .min(32, { error: 'must be at least 32 characters (e.g. openssl rand -hex 32)' })
        .optional(),
      unusedDays: z.coerce.number().int().positive().default(90),
      certificateExpiryDays: z.coerce.number().int().nonnegative().default(30),
      /** Start a certificate rotation for every integration the audit finds expiring. */
      autoRotate: z.stringbool().or(z.boolean()).default(true),
    })
    .refine((audit) => !audit.webhookUrl || audit.webhookSigningKey, {
      error: 'is required with audit.webhookUrl: onramp posts only signed summaries',
      path: ['webhookSigningKey'],
    })
    .prefault({}),
  owners: z
    .strictObject({
      /**
       * The identity provider's people and groups as a JSON file (src/audit/owner-directory.ts), exported
       * from its SCIM or users API by a scheduled job. Without it, only the embedded provider's people are
       * known (when no `server.oidc` is configured); otherwise owners are not checked, and the report says so.
       */
      directoryFile: z.string().min(1).optional(),
    })
    .prefault({}),
  codec: z
    .strictObject({
      /** `id1:base64key,id2:base64key`, the first encrypting; when absent, the key file is used (created on first use). */
      keys: z.string().optional(),
      keyFile: z.string().default('.onramp/codec-keys.json'),
      /** Bearer token the codec server demands; without one it does not start. */
      serverToken: z
        .string()
        .min(32, { error: 'must be at least 32 characters (e.g. openssl rand -hex 32)' })
        .optional(),
    })
    .prefault({}),
  /** The approval policy (src/signoff/policy.ts): owned by onramp's admins, never by a spec. */
  policy: z.strictObject({ file: z.string().default('deploy/policy.yaml') }).prefault({}),
  signoff: z
    .strictObject({
      /** The approval service's Ed25519 signing key (server only); `onramp dev` creates it, elsewhere it must exist. */
      keyFile: z.string().default('.onramp/signoff-key.json'),
      /** The public keys the worker verifies requests and decisions with (several during a rotation). */
      jwksFile: z.string().default('.onramp/signoff-jwks.json'),
    })
    .prefault({}),
  /** Evidence packs (src/evidence, docs/evidence.md): their manifests are signed with this Ed25519 key. */
  evidence: z
    .strictObject({
      /** The private key (server and `onramp evidence` only); `onramp dev` creates it, elsewhere it must exist. */
      keyFile: z.string().default('.onramp/evidence-key.json'),
      /** Every evidence key's public half, retired ones too: packs signed years ago must still verify. */
      jwksFile: z.string().default('.onramp/evidence-jwks.json'),
    })
    .prefault({}),
  server: ServerSettingsSchema,
  /** Slack and signed-webhook notifications of requests awaiting sign-off (docs/notifications.md). */
  notifications: NotificationSettingsSchema,
  /** The worker's HTTP listener: /metrics, /healthz, /readyz (docs/observability.md). */
  worker: z
    .strictObject({
      host: z.string().default('127.0.0.1'),
      port: z.coerce.number().int().min(0).max(65535).default(8481),
    })
    .prefault({}),
});

export type OnrampConfig = Omit<z.output<typeof ConfigSchema>, 'temporal'> & { temporal: TemporalSettings };

const ENV_KEYS: Array<[string, string[]]> = [
  ['ONRAMP_SF_INSTANCE_URL', ['salesforce', 'instanceUrl']],
  ['ONRAMP_SF_LOGIN_URL', ['salesforce', 'loginUrl']],
  ['ONRAMP_SF_AUDIENCE', ['salesforce', 'audience']],
  ['ONRAMP_SF_USERNAME', ['salesforce', 'username']],
  ['ONRAMP_SF_CONSUMER_KEY', ['salesforce', 'consumerKey']],
  ['ONRAMP_SF_PRIVATE_KEY_PATH', ['salesforce', 'privateKeyPath']],
  ['ONRAMP_SF_API_VERSION', ['salesforce', 'apiVersion']],
  ['ONRAMP_SF_USERNAME_SUFFIX', ['salesforce', 'usernameSuffix']],
  // Temporal's standard environment configuration, as every Temporal tool reads it.
  ['TEMPORAL_ADDRESS', ['temporal', 'address']],
  ['TEMPORAL_NAMESPACE', ['temporal', 'namespace']],
  ['TEMPORAL_PROFILE', ['temporal', 'profile']],
  ['TEMPORAL_CONFIG_FILE', ['temporal', 'configFile']],
  ['TEMPORAL_API_KEY', ['temporal', 'apiKey']],
  ['TEMPORAL_TLS', ['temporal', 'tls', 'enabled']],
  ['TEMPORAL_TLS_CLIENT_CERT_PATH', ['temporal', 'tls', 'clientCertPath']],
  ['TEMPORAL_TLS_CLIENT_CERT_DATA', ['temporal', 'tls', 'clientCertData']],
  ['TEMPORAL_TLS_CLIENT_KEY_PATH', ['temporal', 'tls', 'clientKeyPath']],
  ['TEMPORAL_TLS_CLIENT_KEY_DATA', ['temporal', 'tls', 'clientKeyData']],
  ['TEMPORAL_TLS_SERVER_CA_CERT_PATH', ['temporal', 'tls', 'serverCaCertPath']],
  ['TEMPORAL_TLS_SERVER_CA_CERT_DATA', ['temporal', 'tls', 'serverCaCertData']],
  ['TEMPORAL_TLS_SERVER_NAME', ['temporal', 'tls', 'serverName']],
  ['TEMPORAL_TLS_DISABLE_HOST_VERIFICATION', ['temporal', 'tls', 'disableHostVerification']],
  ['ONRAMP_TASK_QUEUE', ['temporal', 'taskQueue']],
  ['ONRAMP_SECRETS_BACKEND', ['secrets', 'backend']],
  ['ONRAMP_SECRETS_FILE', ['secrets', 'file']],
  ['ONRAMP_SECRETS_KEY_FILE', ['secrets', 'keyFile']],
  ['ONRAMP_SECRETS_AWS_REGION', ['secrets', 'aws', 'region']],
  ['ONRAMP_SECRETS_AWS_ENDPOINT', ['secrets', 'aws', 'endpoint']],
  ['ONRAMP_SECRETS_AWS_PREFIX', ['secrets', 'aws', 'prefix']],
  ['ONRAMP_SECRETS_VAULT_ADDRESS', ['secrets', 'vault', 'address']],
  ['ONRAMP_SECRETS_VAULT_MOUNT', ['secrets', 'vault', 'mount']],
  ['ONRAMP_SECRETS_VAULT_NAMESPACE', ['secrets', 'vault', 'namespace']],
  ['ONRAMP_SECRETS_VAULT_TOKEN', ['secrets', 'vault', 'token']],
  ['ONRAMP_SECRETS_VAULT_ROLE_ID', ['secrets', 'vault', 'roleId']],
  ['ONRAMP_SECRETS_VAULT_SECRET_ID', ['secrets', 'vault', 'secretId']],
  ['ONRAMP_SECRETS_VAULT_APPROLE_MOUNT', ['secrets', 'vault', 'appRoleMount']],
  ['ONRAMP_SECRETS_VAULT_PREFIX', ['secrets', 'vault', 'prefix']],
  ['ONRAMP_SECRETS_HANDOVER_DIR', ['secrets', 'handoverDir']],
  ['ONRAMP_RUNBOOK_DIR', ['runbookDir']],
  ['ONRAMP_AUDIT_DIR', ['audit', 'dir']],
  ['ONRAMP_AUDIT_WEBHOOK_URL', ['audit', 'webhookUrl']],
  ['ONRAMP_AUDIT_WEBHOOK_SIGNING_KEY', ['audit', 'webhookSigningKey']],
  ['ONRAMP_AUDIT_UNUSED_DAYS', ['audit', 'unusedDays']],
  ['ONRAMP_AUDIT_CERTIFICATE_EXPIRY_DAYS', ['audit', 'certificateExpiryDays']],
  ['ONRAMP_AUDIT_AUTO_ROTATE', ['audit', 'autoRotate']],
  ['ONRAMP_OWNERS_DIRECTORY_FILE', ['owners', 'directoryFile']],
  ['ONRAMP_EVIDENCE_KEY_FILE', ['evidence', 'keyFile']],
  ['ONRAMP_EVIDENCE_JWKS_FILE', ['evidence', 'jwksFile']],
  ['ONRAMP_CODEC_KEYS', ['codec', 'keys']],
  ['ONRAMP_CODEC_KEY_FILE', ['codec', 'keyFile']],
  ['ONRAMP_CODEC_TOKEN', ['codec', 'serverToken']],
  ['ONRAMP_POLICY_FILE', ['policy', 'file']],
  ['ONRAMP_SIGNOFF_KEY_FILE', ['signoff', 'keyFile']],
  ['ONRAMP_SIGNOFF_JWKS_FILE', ['signoff', 'jwksFile']],
  ...SERVER_ENV_KEYS,
  ...NOTIFICATION_ENV_KEYS,
  ['ONRAMP_WORKER_HOST', ['worker', 'host']],
  ['ONRAMP_WORKER_PORT', ['worker', 'port']],
];

/** Every variable onramp's configuration reads (deployment files are checked against it). */
export const CONFIG_ENV_VARS: readonly string[] = ENV_KEYS.map(([name]) => name);

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`invalid onramp configuration:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'ConfigError';
  }

  /** The issues on one line, for a process that must say why it will not start where logs keep lines. */
  oneLine(): string {
    return `invalid onramp configuration: ${this.issues.join('; ')}`;
  }
}

/** Exit status of a process that will not start as configured (EX_CONFIG): restarting it cannot help. */
export const EXIT_CONFIG = 78;

/**
 * Refuses a configuration whose files (keys a process needs from its first task on) do not exist, naming
 * each: found at start, not when the first onboarding needs them.
 */
export function requireFiles(config: OnrampConfig, paths: readonly RequiredFile[]): void {
  const issues = paths.flatMap((path) => {
    const [section, key] = path.split('.') as [keyof OnrampConfig, string];
    const file = (config[section] as Record<string, string>)[key]!;
    return existsSync(file) ? [] : [describeIssue(path, `${file} does not exist`)];
  });
  if (issues.length > 0) throw new ConfigError(issues);
}

type RequiredFile = 'salesforce.privateKeyPath' | 'signoff.jwksFile' | 'signoff.keyFile';

/** The configuration files looked for in the current directory, in order, when ONRAMP_CONFIG is not set. */
export const CONFIG_FILES = ['onramp.config.yaml', '.onramp/dev-config.yaml'] as const;

export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  overrides: Record<string, unknown> = {},
): OnrampConfig {
  const file = env.ONRAMP_CONFIG ?? CONFIG_FILES.find((f) => existsSync(f));
  let raw: Record<string, unknown> = {};
  if (file) {
    try {
      raw = (parseYaml(readFileSync(resolve(file), 'utf8')) as Record<string, unknown>) ?? {};
    } catch (error) {
      throw new ConfigError([`${file}: ${(error as Error).message}`]);
    }
  }
  for (const [name, path] of ENV_KEYS) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    let node = raw as Record<string, unknown>;
    for (const key of path.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
    node[path[path.length - 1]] = value;
  }
  const merged = deepMerge(raw, overrides);
  // Absent altogether, each Salesforce setting is reported with its variable, not the section as one.
  merged.salesforce ??= {};
  const parsed = ConfigSchema.safeParse(merged);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => describeIssue(issue.path.join('.'), issue.message)));
  }
  try {
    return { ...parsed.data, temporal: resolveTemporalSettings(parsed.data.temporal, env) };
  } catch (error) {
    if (!(error instanceof TemporalSettingsError)) throw error;
    throw new ConfigError(error.issues.map((issue) => describeIssue(issue.path, issue.message)));
  }
}

function describeIssue(path: string, message: string): string {
  const envName = ENV_KEYS.find(([, p]) => p.join('.') === path)?.[0];
  return `${path}${envName ? ` (${envName})` : ''}: ${message}`;
}

/** The suffix of generated integration usernames: configured, or the domain of onramp's own user. */
export function usernameSuffixOf(config: OnrampConfig): string {
  return config.salesforce.usernameSuffix ?? config.salesforce.username.split('@')[1] ?? 'example.com';
}

export function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) {
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && typeof out[k] === 'object'
        ? deepMerge(out[k] as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}
