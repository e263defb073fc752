import { generateKeyPairSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Configuration, KoaContextWithOIDC } from 'oidc-provider';
import { escapeHtml } from '../views/html';
import { memoryAdapterFactory } from './memory-adapter';
import { SEEDED_PASSWORD, SEEDED_PEOPLE, type SeededPerson } from './people';

export interface IdpClient {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
}

export interface EmbeddedIdp {
  issuer: string;
  close(): Promise<void>;
}

export interface EmbeddedIdpOptions {
  clients: IdpClient[];
  /** 0 (default) picks a free port on 127.0.0.1. */
  port?: number;
  people?: readonly SeededPerson[];
  password?: string;
}

const SCOPES = ['openid', 'email', 'profile', 'groups'];

/**
 * A real OpenID Connect provider (the `oidc-provider` package: authorization code with PKCE, discovery,
 * JWKS, userinfo, RP-initiated logout) on loopback, with seeded people who sign in with a password on its
 * own interaction pages. It stands in for the company's IdP in `onramp dev`, the demo and the tests; the
 * server talks to it exactly as to Okta or Entra ID (docs/server.md).
 */
export async function startEmbeddedIdp(options: EmbeddedIdpOptions): Promise<EmbeddedIdp> {
  const people = options.people ?? SEEDED_PEOPLE;
  const password = options.password ?? SEEDED_PASSWORD;
  const Provider = await loadProvider();
  const http = createServer();
  await new Promise<void>((resolve) => http.listen(options.port ?? 0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const configuration: Configuration = {
    clients: options.clients.map((c) => ({
      client_id: c.clientId,
      client_secret: c.clientSecret,
      redirect_uris: c.redirectUris,
      post_logout_redirect_uris: c.postLogoutRedirectUris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    })),
    adapter: memoryAdapterFactory(),
    jwks: { keys: [{ ...signingKey, kid: 'embedded-1', use: 'sig', alg: 'RS256' } as never] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'], groups: ['groups'] },
    scopes: SCOPES,
    // The ID token carries the claims, as Okta, Entra ID and Keycloak do when configured for groups.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: { enabled: true, logoutSource },
    },
    interactions: {
      url: (_ctx: KoaContextWithOIDC, interaction: { uid: string }) => `/interaction/${interaction.uid}`,
    },
    // onramp's console is a first-party client: signing in grants it the scopes it asked for, no consent page.
    loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
      const { client, session, provider } = ctx.oidc;
      if (!client || !session?.accountId) return undefined;
      const grantId = ctx.oidc.result?.consent?.grantId ?? session.grantIdFor(client.clientId);
      if (grantId) return provider.Grant.find(grantId);
      const grant = new provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      grant.addOIDCScope(SCOPES.join(' '));
      await grant.save();
      return grant;
    },
    findAccount: (_ctx: KoaContextWithOIDC, sub: string) => {
      const person = people.find((p) => p.sub === sub);
      if (!person) return undefined;
      return {
        accountId: person.sub,
        claims: () => ({
          sub: person.sub,
          email: person.email,
          email_verified: true,
          name: person.name,
          groups: person.groups,
        }),
      };
    },
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 600,
      Session: 8 * 3600,
      Grant: 8 * 3600,
    },
    renderError: (ctx: KoaContextWithOIDC, out: { error: string; error_description?: string }) => {
      ctx.type = 'html';
      ctx.body = page('Sign-in error', `<p role="alert">${escapeHtml(String(out.error_description ?? out.error))}</p>`);
    },
  };
  const provider = new Provider(issuer, configuration);
  const oidc = provider.callback();
  http.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const match = /^\/interaction\/([\w-]+)$/.exec(new URL(req.url ?? '/', issuer).pathname);
    if (!match) return void oidc(req, res);
    interaction(provider, people, password, req, res).catch((error: unknown) => {
      res.statusCode = 400;
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(
        page(
          'Sign-in error',
          `<p role="alert">${escapeHtml(error instanceof Error ? error.message : String(error))}</p>`,
        ),
      );
    });
  });
  return {
    issuer,
    close: () =>
      new Promise<void>((resolve, reject) => {
        http.closeAllConnections();
        http.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/**
 * oidc-provider is ESM-only; Node 20.19+ loads it from CommonJS through require(esm). On import it warns
 * that Node 20 is not a runtime it supports (it wants 22); onramp's tests run it on 20, and that one line
 * would be the only unstructured one in `onramp dev`'s log, so it is left out. Other warnings pass.
 */
async function loadProvider() {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (!String(args[0]).includes('oidc-provider WARNING: Unsupported runtime')) warn(...args);
  };
  try {
    return (await import('oidc-provider')).default;
  } finally {
    console.warn = warn;
  }
}

type ProviderInstance = InstanceType<(typeof import('oidc-provider'))['default']>;

/** The login page of an interaction (GET) and its password check (POST). */
async function interaction(
  provider: ProviderInstance,
  people: readonly SeededPerson[],
  password: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  if (details.prompt.name !== 'login') {
    // Consent is granted by loadExistingGrant; nothing else is asked of a first-party user.
    return provider.interactionFinished(req, res, {}, { mergeWithLastSubmission: true });
  }
  let error = '';
  let email = '';
  if (req.method === 'POST') {
    const form = new URLSearchParams(await readBody(req));
    email = form.get('email') ?? '';
    const person = people.find((p) => p.email.toLowerCase() === email.trim().toLowerCase());
    if (person && sameSecret(form.get('password') ?? '', password)) {
      return provider.interactionFinished(
        req,
        res,
        { login: { accountId: person.sub } },
        { mergeWithLastSubmission: false },
      );
    }
    error = '<p role="alert" class="error">Unknown email or wrong password.</p>';
  }
  res.setHeader('content-type', 'text/html; charset=utf-8');
  res.setHeader('cache-control', 'no-store');
  const who = people
    .map((p) => `<li><code>${escapeHtml(p.email)}</code> (${escapeHtml(p.groups.join(', '))})</li>`)
    .join('');
  res.end(
    page(
      'Sign in',
      `${error}
      <form method="post" action="/interaction/${escapeHtml(details.uid)}">
        <p><label for="email">Email</label><br><input id="email" name="email" type="email" autocomplete="username"
          required autofocus value="${escapeHtml(email)}"></p>
        <p><label for="password">Password</label><br><input id="password" name="password" type="password"
          autocomplete="current-password" required></p>
        <p><button type="submit">Sign in</button></p>
      </form>
      <section aria-labelledby="seeded"><h2 id="seeded">Seeded people (embedded provider)</h2><ul>${who}</ul></section>`,
    ),
  );
}

function logoutSource(ctx: KoaContextWithOIDC, form: string): void {
  ctx.body = page(
    'Sign out',
    `${form}<p>Sign out of the onramp identity provider?</p>
    <p><button type="submit" form="op.logoutForm" name="logout" value="yes" autofocus>Sign out</button></p>`,
  );
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} - onramp identity provider</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}
input{width:100%;padding:.4rem;font-size:1rem}button{padding:.5rem 1.2rem;font-size:1rem}.error{color:#a00}</style>
</head><body><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`;
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

async function readBody(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) {
    body += String(chunk);
    if (body.length > 10_000) throw new Error('request body too large');
  }
  return body;
}
