import type { Client } from '@temporalio/client';
import type { OnrampConfig } from '../config';
import type { Adoptions } from './adoptions';
import type { ApiTokens } from './api-tokens';
import type { Lifecycle } from './lifecycle';
import type { OidcLogin } from './oidc-login';
import type { Requests } from './requests';
import type { Reviews } from './reviews';
import type { SessionStore } from './sessions';

/** What the route modules share. */
export interface ServerContext {
  requests: Requests;
  lifecycle: Lifecycle;
  reviews: Reviews;
  adoptions: Adoptions;
  /** For what reads beyond one request (the evidence packs). */
  client: Client;
  config: OnrampConfig;
  sessions: SessionStore;
  tokens: ApiTokens;
  oidc: OidcLogin;
  /** The console's public URL, without a trailing slash. */
  publicUrl: string;
  secureCookies: boolean;
}

/** Integration names as specs allow them: anything else in a URL is refused before Temporal is asked. */
export const INTEGRATION_NAME = /^[a-z][a-z0-9-]{0,62}$/;
