import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import {
  NOTIFICATION_ENV_KEYS,
  NotificationSettingsSchema,
  ReviewSettingsSchema,
  REVIEW_ENV_KEYS,
} from './notifications/config';
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
/** An org's name in configuration: it appears in workflow ids, secret names and search attributes. */
export const ORG_NAME_PATTERN = /^[a-z][a-z0-9-]{0,29}$/;
const OrgName = z.string().regex(ORG_NAME_PATTERN, {
  error: 'must be an org name: lower-case letters, digits and hyphens, starting with a letter (at most 30)',
});

/** The JWT audience Salesforce expects by org kind (Salesforce Help: "OAuth 2.0 JWT Bearer Flow"). */
const AUDIENCE_OF_KIND = {
  production: 'https://login.salesforce.com',
  sandbox: 'https://test.salesforce.com',
} as const;

/** One org onramp manages: where it is and how onramp's own admin user signs in to it. */
const OrgSchema = z.strictObject({
  kind: z.enum(['production', 'sandbox'], { error: 'must be production or sandbox' }).default('production'),
  /** A sandbox's production org (by name): a spec is promoted from here to there. */
  sandboxOf: OrgName.optional(),
  instanceUrl: z.url({ error: "must be the org's My Domain URL, e.g. https://acme.my.salesforce.com" }),
  loginUrl: z.url().optional(),
  /** By kind when absent: login.salesforce.com for production, test.salesforce.com for a sandbox. */
  audience: z.url().optional(),
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
  // What a resolved configuration holds besides (a loaded configuration written out loads again): ignored.
  name: z.string().optional(),
  configPath: z.string().optional(),
});

/** A configured org, resolved: its name, and its audience decided. */
export type OrgSettings = Omit<z.output<typeof OrgSchema>, 'audience'> & {
  name: string;
  audience: string;
  /** Where it is configured (`salesforce` or `orgs.<name>`), for errors that name the field. */
  configPath: string;
};

/** The name the single `salesforce:` block (and ONRAMP_SF_*) gets when `defaultOrg` does not name it. */
export const LEGACY_ORG_NAME = 'default';

const ConfigSchema = z.strictObject({
  /** One org, as before many orgs: it is the org named `defaultOrg` (else `default`). */
  salesforce: OrgSchema.optional(),
  /** Named orgs (`uat`, `production`, ...), beside or instead of `salesforce`. */
  orgs: z.record(OrgName, OrgSchema).optional(),
  /** The org a command, spec or workflow that names none acts on; its workflow ids carry no org. */
  defaultOrg: OrgName.optional(),
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
  /** Quarterly access reviews by the owners (docs/reviews.md). */
  reviews: ReviewSettingsSchema,
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

export type OnrampConfig = Omit<z.output<typeof ConfigSchema>, 'temporal' | 'salesforce' | 'orgs' | 'defaultOrg'> & {
  temporal: TemporalSettings;
  /** Every org onramp manages, by name. */
  orgs: Record<string, OrgSettings>;
  defaultOrg: string;
  /** The default org's settings (what single-org code and tools read). */
  salesforce: OrgSettings;
};

const ENV_KEYS: Array<[string, string[]]> = [
  ['ONRAMP_SF_INSTANCE_URL', ['salesforce', 'instanceUrl']],
  ['ONRAMP_SF_LOGIN_URL', ['salesforce', 'loginUrl']],
  ['ONRAMP_SF_AUDIENCE', ['salesforce', 'audience']],
  ['ONRAMP_SF_USERNAME', ['salesforce', 'username']],
  ['ONRAMP_SF_CONSUMER_KEY', ['salesforce', 'consumerKey']],
  ['ONRAMP_SF_PRIVATE_KEY_PATH', ['salesforce', 'privateKeyPath']],
  ['ONRAMP_SF_API_VERSION', ['salesforce', 'apiVersion']],
  ['ONRAMP_SF_USERNAME_SUFFIX', ['salesforce', 'usernameSuffix']],
  ['ONRAMP_SF_KIND', ['salesforce', 'kind']],
  ['ONRAMP_DEFAULT_ORG', ['defaultOrg']],
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
  ...REVIEW_ENV_KEYS,
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
    if (path === 'orgs.privateKeyPath') {
      return Object.values(config.orgs).flatMap(({ configPath, privateKeyPath: file }) =>
        existsSync(file) ? [] : [describeIssue(`${configPath}.privateKeyPath`, `${file} does not exist`)],
      );
    }
    const [section, key] = path.split('.') as [keyof OnrampConfig, string];
    const file = (config[section] as Record<string, string>)[key]!;
    return existsSync(file) ? [] : [describeIssue(path, `${file} does not exist`)];
  });
  if (issues.length > 0) throw new ConfigError(issues);
}

/** `orgs.privateKeyPath`: every configured org's key. */
type RequiredFile = 'orgs.privateKeyPath' | 'signoff.jwksFile' | 'signoff.keyFile';

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
  // Absent altogether (and no named orgs), each Salesforce setting is reported with its variable, not the section as one.
  if (merged.orgs === undefined) merged.salesforce ??= {};
  const parsed = ConfigSchema.safeParse(merged);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => describeIssue(issue.path.join('.'), issue.message)));
  }
  const { salesforce, orgs, defaultOrg, ...rest } = parsed.data;
  const resolved = resolveOrgs(salesforce, orgs, defaultOrg);
  try {
    return { ...rest, ...resolved, temporal: resolveTemporalSettings(parsed.data.temporal, env) };
  } catch (error) {
    if (!(error instanceof TemporalSettingsError)) throw error;
    throw new ConfigError(error.issues.map((issue) => describeIssue(issue.path, issue.message)));
  }
}

type ParsedOrg = z.output<typeof OrgSchema>;

/**
 * The named orgs with the single `salesforce:` block among them, the default decided, every `sandboxOf`
 * checked: a wrong org name is refused at start, naming the field, not when a spec first targets it.
 */
function resolveOrgs(
  legacy: ParsedOrg | undefined,
  named: Record<string, ParsedOrg> | undefined,
  defaultName: string | undefined,
): Pick<OnrampConfig, 'orgs' | 'defaultOrg' | 'salesforce'> {
  const issues: string[] = [];
  const entries: Array<{ name: string; path: string; org: ParsedOrg }> = Object.entries(named ?? {}).map(
    ([name, org]) => ({ name, path: `orgs.${name}`, org }),
  );
  if (legacy) {
    const name = defaultName ?? LEGACY_ORG_NAME;
    const same = named?.[name] && JSON.stringify(settingsOf(named[name])) === JSON.stringify(settingsOf(legacy));
    if (same)
      entries.splice(
        entries.findIndex((e) => e.name === name),
        1,
      );
    else if (named?.[name]) {
      issues.push(
        `orgs.${name}: the salesforce block (ONRAMP_SF_*) is already the org named ${name}; name one of them otherwise`,
      );
    }
    entries.unshift({ name, path: 'salesforce', org: legacy });
  }
  const names = entries.map((e) => e.name);
  const configured = `configured: ${names.join(', ') || 'none'}`;
  if (entries.length === 0) issues.push('orgs: must name at least one org (or set salesforce, ONRAMP_SF_*)');
  const defaultOrg = defaultName ?? (legacy ? LEGACY_ORG_NAME : names.length === 1 ? names[0] : undefined);
  if (entries.length > 0 && defaultOrg === undefined) {
    issues.push(describeIssue('defaultOrg', `must name the org a command without --org acts on (${configured})`));
  } else if (defaultOrg !== undefined && entries.length > 0 && !names.includes(defaultOrg)) {
    issues.push(describeIssue('defaultOrg', `names no configured org (${configured})`));
  }
  for (const { path, org } of entries) {
    if (org.sandboxOf === undefined) continue;
    const parent = entries.find((e) => e.name === org.sandboxOf);
    if (org.kind !== 'sandbox')
      issues.push(`${path}.sandboxOf: only a sandbox (kind: sandbox) belongs to a production org`);
    else if (!parent) issues.push(`${path}.sandboxOf: names no configured org (${configured})`);
    else if (parent.org.kind !== 'production')
      issues.push(`${path}.sandboxOf: ${org.sandboxOf} is not a production org`);
  }
  if (issues.length > 0) throw new ConfigError(issues);
  const orgs = Object.fromEntries(
    entries.map(({ name, path, org }) => [
      name,
      { ...settingsOf(org), name, configPath: path, audience: org.audience ?? AUDIENCE_OF_KIND[org.kind] },
    ]),
  );
  return { orgs, defaultOrg: defaultOrg!, salesforce: orgs[defaultOrg!]! };
}

/** An org's own settings, without what a resolved configuration adds. */
function settingsOf(org: ParsedOrg): Omit<ParsedOrg, 'name' | 'configPath'> {
  const { name: _name, configPath: _configPath, ...settings } = org;
  return settings;
}

/** The settings of the org named (the default org when none is), or an error naming the configured ones. */
export function orgSettings(config: Pick<OnrampConfig, 'orgs' | 'defaultOrg'>, org?: string): OrgSettings {
  const settings = config.orgs[org ?? config.defaultOrg];
  if (!settings) throw new UnknownOrgError(org!, Object.keys(config.orgs));
  return settings;
}

export class UnknownOrgError extends Error {
  constructor(
    readonly org: string,
    readonly configured: string[],
  ) {
    super(`unknown org "${org}": onramp is configured for ${configured.join(', ')}`);
    this.name = 'UnknownOrgError';
  }
}

/**
 * How workflows, ids and secret names refer to an org: not at all for the default org (so everything
 * made before there were many orgs keeps its id), by name for any other. Refuses an unknown name.
 */
export function orgRef(config: Pick<OnrampConfig, 'orgs' | 'defaultOrg'>, org?: string): string | undefined {
  const { name } = orgSettings(config, org);
  return name === config.defaultOrg ? undefined : name;
}

/** The org's name for people (plans, lists, runbooks): a reference resolved, the default org by name. */
export const orgNameOf = (config: Pick<OnrampConfig, 'defaultOrg'>, ref: string | undefined): string =>
  ref ?? config.defaultOrg;

function describeIssue(path: string, message: string): string {
  const envName = ENV_KEYS.find(([, p]) => p.join('.') === path)?.[0];
  return `${path}${envName ? ` (${envName})` : ''}: ${message}`;
}

/** The suffix of generated integration usernames in an org: configured, or the domain of onramp's own user there. */
export function usernameSuffixOf(config: OnrampConfig, org?: string): string {
  const settings = orgSettings(config, org);
  return settings.usernameSuffix ?? settings.username.split('@')[1] ?? 'example.com';
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
