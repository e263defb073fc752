// How onramp finds its Temporal service: the way every Temporal tool does (the CLI, every SDK), so one
// profile or one set of TEMPORAL_* variables serves `temporal`, the UI's tooling and onramp alike.
//
// Precedence, lowest first: the profile of the Temporal config file (TOML, TEMPORAL_CONFIG_FILE or
// ~/.config/temporalio/temporal.toml, profile TEMPORAL_PROFILE or "default"), then the `temporal:` section
// of onramp.config.yaml, then the TEMPORAL_* variables (src/config.ts maps them onto that section, as it
// maps every other variable), then what a caller passes. The TOML file is read by @temporalio/envconfig,
// and its profile turned into connection options by the same package, so the file means for onramp exactly
// what it means for the SDK.

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  loadClientConfigProfile,
  toClientOptions,
  type ClientConfigProfile,
  type ClientConfigTLS,
  type ConfigDataSource,
} from '@temporalio/envconfig';
import { z } from 'zod';

const flag = z.stringbool().or(z.boolean());
const nonEmpty = z.string().min(1);

/** The `temporal:` section of onramp's configuration, with the TEMPORAL_* variables already applied. */
export const TemporalSettingsSchema = z
  .strictObject({
    address: nonEmpty.optional(),
    namespace: nonEmpty.optional(),
    taskQueue: z.string().default('onramp'),
    /** The profile of the Temporal config file; "default" when unset. */
    profile: nonEmpty.optional(),
    /** The Temporal config file (TOML); false reads none (the local stacks: a developer's cloud profile stays out). */
    configFile: nonEmpty.or(z.literal(false)).optional(),
    apiKey: nonEmpty.optional(),
    /** gRPC headers sent with every call (the TOML profile's grpc_meta). */
    grpcMeta: z.record(z.string(), z.string()).optional(),
    tls: z
      .strictObject({
        /** TEMPORAL_TLS: true turns TLS on (with the system's roots unless a CA is given), false turns it off. */
        enabled: flag.optional(),
        clientCertPath: nonEmpty.optional(),
        clientCertData: nonEmpty.optional(),
        clientKeyPath: nonEmpty.optional(),
        clientKeyData: nonEmpty.optional(),
        serverCaCertPath: nonEmpty.optional(),
        serverCaCertData: nonEmpty.optional(),
        serverName: nonEmpty.optional(),
        // The TypeScript SDK has no way to skip it (Temporal's reference: "not every SDK applies this setting"):
        // refused rather than ignored, so nobody believes it is off, and the way that works is named.
        disableHostVerification: flag
          .refine((off) => !off, {
            error:
              'the TypeScript SDK cannot turn off host verification; set TEMPORAL_TLS_SERVER_NAME to the name in the server certificate instead',
          })
          .optional(),
      })
      .prefault({}),
  })
  .prefault({});

export type TemporalSettingsInput = z.output<typeof TemporalSettingsSchema>;

/**
 * Where onramp's workflows live and how to reach them: the section with the profile merged in and the
 * defaults filled, still in the section's own shape, so that a resolved configuration written back to a
 * file loads as the same configuration.
 */
export type TemporalSettings = TemporalSettingsInput & { address: string; namespace: string };

export const DEFAULT_TEMPORAL_ADDRESS = 'localhost:7233';
export const DEFAULT_TEMPORAL_NAMESPACE = 'default';

/** One problem, at the `temporal.` path it concerns (config.ts adds the variable's name). */
export interface TemporalSettingsIssue {
  path: string;
  message: string;
}

export class TemporalSettingsError extends Error {
  constructor(readonly issues: TemporalSettingsIssue[]) {
    super(issues.map((i) => `${i.path}: ${i.message}`).join('; '));
    this.name = 'TemporalSettingsError';
  }
}

type TlsInput = TemporalSettingsInput['tls'];
type SourceName = 'clientCert' | 'clientKey' | 'serverCACert';
const SOURCES: Array<[SourceName, 'clientCert' | 'clientKey' | 'serverCaCert', string]> = [
  ['clientCert', 'clientCert', 'client_cert'],
  ['clientKey', 'clientKey', 'client_key'],
  ['serverCACert', 'serverCaCert', 'server_ca_cert'],
];

function dataSource(
  tls: TlsInput,
  field: 'clientCert' | 'clientKey' | 'serverCaCert',
  issues: TemporalSettingsIssue[],
): ConfigDataSource | undefined {
  const path = tls[`${field}Path`];
  const data = tls[`${field}Data`];
  if (path && data) {
    issues.push({ path: `temporal.tls.${field}Path`, message: `set either the path or the data, not both` });
    return undefined;
  }
  if (data) return { data };
  if (!path) return undefined;
  if (!existsSync(path)) issues.push({ path: `temporal.tls.${field}Path`, message: `no file at ${resolve(path)}` });
  return { path };
}

/** onramp's own section as a profile, holding only what it sets. */
function profileOf(input: TemporalSettingsInput, issues: TemporalSettingsIssue[]): ClientConfigProfile {
  const tls: ClientConfigTLS = {};
  if (input.tls.enabled !== undefined) tls.disabled = !input.tls.enabled;
  if (input.tls.serverName) tls.serverName = input.tls.serverName;
  for (const [key, field] of SOURCES) {
    const source = dataSource(input.tls, field, issues);
    if (source) tls[key] = source;
  }
  return {
    ...(input.address ? { address: input.address } : {}),
    ...(input.namespace ? { namespace: input.namespace } : {}),
    ...(input.apiKey ? { apiKey: input.apiKey } : {}),
    ...(input.grpcMeta ? { grpcMeta: input.grpcMeta } : {}),
    ...(Object.keys(tls).length > 0 ? { tls } : {}),
  };
}

/** A profile in the section's shape (the inverse of {@link profileOf}). */
function sectionOf(profile: ClientConfigProfile): Omit<TemporalSettingsInput, 'taskQueue'> {
  const tls: TlsInput = {};
  if (profile.tls?.disabled !== undefined) tls.enabled = !profile.tls.disabled;
  if (profile.tls?.serverName) tls.serverName = profile.tls.serverName;
  for (const [key, field] of SOURCES) {
    const source = profile.tls?.[key];
    if (source && 'path' in source) tls[`${field}Path`] = source.path;
    else if (source)
      tls[`${field}Data`] = typeof source.data === 'string' ? source.data : Buffer.from(source.data).toString();
  }
  return {
    ...(profile.address ? { address: profile.address } : {}),
    ...(profile.namespace ? { namespace: profile.namespace } : {}),
    ...(profile.apiKey ? { apiKey: profile.apiKey } : {}),
    ...(profile.grpcMeta ? { grpcMeta: profile.grpcMeta } : {}),
    tls,
  };
}

function fileProfile(
  input: TemporalSettingsInput,
  env: NodeJS.ProcessEnv,
  issues: TemporalSettingsIssue[],
): ClientConfigProfile {
  if (input.configFile === false) return {};
  const name = input.profile ?? DEFAULT_PROFILE;
  // The package reads the default file itself but takes a missing file for an empty one: fine for the
  // default location, a silent mistake for a file someone named.
  if (input.configFile && !existsSync(input.configFile)) {
    issues.push({ path: 'temporal.configFile', message: `no file at ${resolve(input.configFile)}` });
    return {};
  }
  // Only what locates the default file: the TEMPORAL_* variables come through onramp's own table (src/config.ts).
  const locating = Object.fromEntries(
    ['HOME', 'XDG_CONFIG_HOME', 'APPDATA'].flatMap((k) => (env[k] ? [[k, env[k]]] : [])),
  ) as Record<string, string>;
  const file = input.configFile ?? 'the Temporal config file (~/.config/temporalio/temporal.toml)';
  try {
    return loadClientConfigProfile({
      ...(input.profile ? { profile: input.profile } : {}),
      ...(input.configFile ? { configSource: { path: input.configFile } } : {}),
      disableEnv: true,
      overrideEnvVars: locating,
    });
  } catch (error) {
    const message = (error as Error).message;
    issues.push(
      /Profile '.*' not found/.test(message)
        ? { path: 'temporal.profile', message: `no profile "${name}" in ${file}` }
        : { path: 'temporal.configFile', message: `${file}: ${message}` },
    );
    return {};
  }
}

const DEFAULT_PROFILE = 'default';

function merge(low: ClientConfigProfile, high: ClientConfigProfile): ClientConfigProfile {
  const tls = low.tls || high.tls ? { ...low.tls, ...high.tls } : undefined;
  const grpcMeta = low.grpcMeta || high.grpcMeta ? { ...low.grpcMeta, ...high.grpcMeta } : undefined;
  return { ...low, ...high, ...(tls ? { tls } : {}), ...(grpcMeta ? { grpcMeta } : {}) };
}

/**
 * The Temporal settings from onramp's section (variables applied) over the Temporal config file's profile.
 * Throws {@link TemporalSettingsError} naming each problem: a named file or profile that is not there, a
 * certificate without its key, a file that does not exist.
 */
export function resolveTemporalSettings(input: TemporalSettingsInput, env: NodeJS.ProcessEnv): TemporalSettings {
  const issues: TemporalSettingsIssue[] = [];
  const fromFile = fileProfile(input, env, issues);
  const client = merge(fromFile, profileOf(input, issues));
  const tls = client.tls;
  // The SDK would quietly connect without a client certificate when half of the pair is missing.
  if (tls && !tls.disabled && Boolean(tls.clientCert) !== Boolean(tls.clientKey)) {
    const missing = tls.clientCert ? 'clientKeyPath' : 'clientCertPath';
    issues.push({ path: `temporal.tls.${missing}`, message: 'a client certificate and its key go together: set both' });
  }
  if (issues.length > 0) throw new TemporalSettingsError(issues);
  return {
    ...input,
    ...sectionOf(client),
    address: client.address ?? DEFAULT_TEMPORAL_ADDRESS,
    namespace: client.namespace ?? DEFAULT_TEMPORAL_NAMESPACE,
  };
}

/** The settings as @temporalio/envconfig's profile, which it turns into connection options. */
export const temporalClientProfile = (settings: TemporalSettings): ClientConfigProfile => profileOf(settings, []);

/** Options for `Connection.connect` and `NativeConnection.connect`; reads the certificate files now. */
export function temporalConnectionOptions(settings: TemporalSettings) {
  const { address, apiKey, tls, metadata } = toClientOptions(temporalClientProfile(settings)).connectionOptions;
  return {
    address: address ?? settings.address,
    ...(apiKey ? { apiKey } : {}),
    ...(tls !== undefined ? { tls } : {}),
    ...(metadata ? { metadata } : {}),
  };
}

/** How onramp connects, for logs and error messages: the address and the kind of authentication, never a secret. */
export function describeTemporalConnection(settings: TemporalSettings): string {
  const { tls, apiKey } = settings;
  const secured = apiKey !== undefined || tls.enabled === true || (tls.enabled === undefined && hasTls(tls));
  const auth = [
    !secured ? 'plaintext' : tls.clientCertPath || tls.clientCertData ? 'mTLS' : 'TLS',
    ...(apiKey ? ['API key'] : []),
    ...(settings.profile ? [`profile "${settings.profile}"`] : []),
  ];
  return `${settings.address} (namespace ${settings.namespace}, ${auth.join(', ')})`;
}

/** Any TLS setting turns TLS on unless TEMPORAL_TLS says otherwise, as @temporalio/envconfig reads a profile. */
const hasTls = (tls: TlsInput) =>
  Object.entries(tls).some(
    ([key, value]) => key !== 'enabled' && key !== 'disableHostVerification' && value !== undefined,
  );
