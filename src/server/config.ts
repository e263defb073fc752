import { z } from 'zod';

const groups = (defaults: string[]) => z.array(z.string().min(1)).default(defaults);

/**
 * `server:` in onramp's configuration: where the server listens, the OpenID Connect provider people sign
 * in with, and which of the provider's groups give which role. Without `oidc`, `onramp dev` runs the
 * embedded provider (src/server/idp) and `onramp server` refuses to start.
 */
export const ServerSettingsSchema = z
  .strictObject({
    host: z.string().default('127.0.0.1'),
    port: z.coerce.number().int().min(0).max(65535).default(8480),
    /** The URL people reach the console at (behind a proxy: the proxy's); the OIDC redirect URI derives from it. */
    publicUrl: z.url({ error: 'must be the URL the console is reached at, e.g. https://onramp.acme.com' }).optional(),
    /** Signs the session cookie; random per start when absent (everyone signs in again after a restart). */
    sessionSecret: z
      .string()
      .min(32, { error: 'must be at least 32 characters (e.g. openssl rand -hex 32)' })
      .optional(),
    /** Hashes of the API tokens issued from the console. */
    tokenFile: z.string().default('.onramp/api-tokens.json'),
    tokenDays: z.coerce.number().int().min(1).max(365).default(30),
    oidc: z
      .strictObject({
        issuer: z.url({ error: 'must be the issuer URL of the OpenID provider, e.g. https://acme.okta.com' }),
        clientId: z.string().min(1, { error: 'must be the client id registered at the provider' }),
        clientSecret: z.string().min(1, { error: 'must be the client secret registered at the provider' }),
        /** The claim holding the person's groups: `groups` (Okta, Keycloak, Entra ID), or a custom one. */
        groupsClaim: z.string().default('groups'),
        scopes: z.string().default('openid email profile groups'),
      })
      .optional(),
    /** Groups (as the groups claim names them; Entra ID: object ids) that give each role. */
    roles: z
      .strictObject({
        requester: groups(['onramp-requesters']),
        approver: groups(['onramp-security-approvers']),
        admin: groups(['onramp-admins']),
        auditor: groups(['onramp-auditors']),
      })
      .prefault({}),
  })
  .prefault({});

export type ServerSettings = z.output<typeof ServerSettingsSchema>;
export type OidcSettings = NonNullable<ServerSettings['oidc']>;

/** The console's URL: `publicUrl`, else where the server listens (`port`: the one it got, when 0 was asked). */
export const consoleUrlOf = (settings: ServerSettings, port = settings.port): string =>
  (settings.publicUrl ?? `http://${settings.host}:${port}`).replace(/\/+$/, '');

export const SERVER_ENV_KEYS: Array<[string, string[]]> = [
  ['ONRAMP_SERVER_HOST', ['server', 'host']],
  ['ONRAMP_SERVER_PORT', ['server', 'port']],
  ['ONRAMP_SERVER_PUBLIC_URL', ['server', 'publicUrl']],
  ['ONRAMP_SESSION_SECRET', ['server', 'sessionSecret']],
  ['ONRAMP_OIDC_ISSUER', ['server', 'oidc', 'issuer']],
  ['ONRAMP_OIDC_CLIENT_ID', ['server', 'oidc', 'clientId']],
  ['ONRAMP_OIDC_CLIENT_SECRET', ['server', 'oidc', 'clientSecret']],
  ['ONRAMP_OIDC_GROUPS_CLAIM', ['server', 'oidc', 'groupsClaim']],
];
