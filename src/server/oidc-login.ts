import type { Configuration } from 'openid-client';
import type { OidcSettings, ServerSettings } from './config';
import { identityFromClaims, type Identity } from './identity';
import type { PendingLogin } from './sessions';

type OpenIdClient = typeof import('openid-client');

/**
 * The console's side of OpenID Connect (the `openid-client` package, certified by the OpenID Foundation):
 * authorization code with PKCE (S256), state and nonce, the ID token checked by the library (issuer,
 * audience, signature, expiry, nonce), and RP-initiated logout where the provider offers it.
 */
export class OidcLogin {
  private constructor(
    private readonly lib: OpenIdClient,
    private readonly config: Configuration,
    private readonly settings: OidcSettings,
    private readonly roles: ServerSettings['roles'],
    readonly redirectUri: string,
  ) {}

  static async discover(
    settings: OidcSettings,
    roles: ServerSettings['roles'],
    redirectUri: string,
  ): Promise<OidcLogin> {
    // openid-client is ESM-only; Node 20.19+ loads it from CommonJS through require(esm).
    const lib = await import('openid-client');
    const issuer = new URL(settings.issuer);
    // Plain HTTP only to a provider on this machine (the embedded one); anywhere else it must be HTTPS.
    const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(issuer.hostname);
    const config = await lib.discovery(issuer, settings.clientId, settings.clientSecret, undefined, {
      ...(loopback ? { execute: [lib.allowInsecureRequests] } : {}),
    });
    return new OidcLogin(lib, config, settings, roles, redirectUri);
  }

  /** Where to send the browser, and what the callback must check. */
  async start(returnTo: string): Promise<{ url: string; login: PendingLogin }> {
    const login: PendingLogin = {
      state: this.lib.randomState(),
      nonce: this.lib.randomNonce(),
      codeVerifier: this.lib.randomPKCECodeVerifier(),
      returnTo,
    };
    const url = this.lib.buildAuthorizationUrl(this.config, {
      redirect_uri: this.redirectUri,
      scope: this.settings.scopes,
      code_challenge: await this.lib.calculatePKCECodeChallenge(login.codeVerifier),
      code_challenge_method: 'S256',
      state: login.state,
      nonce: login.nonce,
    });
    return { url: url.href, login };
  }

  /** Redeems the code; the person is who the ID token names (userinfo fills in claims it left out). */
  async finish(callbackUrl: URL, login: PendingLogin): Promise<{ identity: Identity; idToken?: string }> {
    const tokens = await this.lib.authorizationCodeGrant(this.config, callbackUrl, {
      pkceCodeVerifier: login.codeVerifier,
      expectedState: login.state,
      expectedNonce: login.nonce,
      idTokenExpected: true,
    });
    let claims: Record<string, unknown> = { ...tokens.claims() };
    if (!claims.email || claims[this.settings.groupsClaim] === undefined) {
      const info = await this.lib.fetchUserInfo(this.config, tokens.access_token, String(claims.sub));
      claims = { ...info, ...claims };
    }
    return { identity: identityFromClaims(claims, this.settings.groupsClaim, this.roles), idToken: tokens.id_token };
  }

  /** The provider's end-session URL, or undefined when it has none (Google): then only onramp's session ends. */
  logoutUrl(idToken: string | undefined, postLogoutRedirectUri: string): string | undefined {
    if (!this.config.serverMetadata().end_session_endpoint) return undefined;
    return this.lib.buildEndSessionUrl(this.config, {
      post_logout_redirect_uri: postLogoutRedirectUri,
      ...(idToken ? { id_token_hint: idToken } : {}),
    }).href;
  }
}
