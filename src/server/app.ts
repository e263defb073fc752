import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import type { Client } from '@temporalio/client';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Connection } from 'jsforce';
import { randomBytes } from 'node:crypto';
import type { OnrampConfig } from '../config';
import type { Logger } from '../logger';
import { orgReachable, temporalReachable } from '../observability/readiness';
import { telemetryRoutes } from '../observability/server-metrics';
import { Adoptions } from './adoptions';
import { ApiTokens } from './api-tokens';
import { registerAuth } from './auth';
import type { ServerContext } from './context';
import { ApiError } from './errors';
import { Lifecycle } from './lifecycle';
import { Reviews } from './reviews';
import { OidcLogin } from './oidc-login';
import { Requests } from './requests';
import { apiRoutes } from './routes/api';
import { auditRoutes } from './routes/audit';
import { adoptionRoutes } from './routes/adoption';
import { lifecycleRoutes } from './routes/lifecycle';
import { reviewRoutes } from './routes/reviews';
import { consoleRoutes } from './routes/console';
import { signInRoutes } from './routes/sign-in';
import { SessionStore } from './sessions';
import { messagePage } from './views/pages';

export interface OnrampServerOptions {
  config: OnrampConfig;
  client: Client;
  /** onramp's admin connection to an org (absent: the default org). */
  admin: (org?: string) => Promise<Connection>;
  /** The console's public URL (`server.publicUrl`, else http://host:port). */
  publicUrl: string;
  logger?: Logger;
}

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; form-action 'self' http: https:",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
};

/** `onramp server`: the API and the console behind OpenID Connect sign-in (docs/server.md). */
export async function buildOnrampServer(options: OnrampServerOptions): Promise<FastifyInstance> {
  const settings = options.config.server;
  if (!settings.oidc)
    throw new ApiError(500, 'no-oidc', 'server.oidc (issuer, clientId, clientSecret) is not configured');
  const publicUrl = options.publicUrl.replace(/\/+$/, '');
  const requests = new Requests(options.client, options.config, options.admin);
  const ctx: ServerContext = {
    requests,
    lifecycle: new Lifecycle(options.client, options.config, requests, options.admin),
    reviews: new Reviews(options.client, options.config, requests),
    adoptions: new Adoptions(options.client, options.config, options.admin, requests),
    client: options.client,
    config: options.config,
    sessions: new SessionStore(),
    tokens: new ApiTokens(settings.tokenFile, settings.tokenDays),
    oidc: await OidcLogin.discover(settings.oidc, settings.roles, `${publicUrl}/auth/callback`),
    publicUrl,
    secureCookies: publicUrl.startsWith('https:'),
  };
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger | undefined,
    bodyLimit: 256 * 1024,
    // One line per sign-in and per failure, not two per request (the console polls).
    logController: new LogController({ disableRequestLogging: true }),
  });
  await app.register(fastifyCookie, { secret: settings.sessionSecret ?? randomBytes(32).toString('hex') });
  await app.register(fastifyFormbody);
  registerAuth(app, { sessions: ctx.sessions, tokens: ctx.tokens, secureCookies: ctx.secureCookies });
  app.addHook('onSend', async (_request, reply) => {
    reply.headers(SECURITY_HEADERS);
    reply.header('cache-control', 'no-store');
  });
  app.setErrorHandler((error, request, reply) => {
    const api = request.url.startsWith('/api/') || request.viaToken || !request.headers.accept?.includes('text/html');
    const known =
      error instanceof ApiError
        ? error
        : (error as { statusCode?: number }).statusCode && (error as { statusCode: number }).statusCode < 500
          ? new ApiError((error as { statusCode: number }).statusCode, 'bad-request', (error as Error).message)
          : undefined;
    if (!known) request.log.error({ err: error }, 'request failed');
    const refusal = known ?? new ApiError(500, 'internal', 'the server could not complete the request; see its log');
    if (!api && refusal.status === 401) return reply.redirect(`/login?returnTo=${encodeURIComponent(request.url)}`);
    if (api) return reply.code(refusal.status).send(refusal.body());
    const field = refusal.field ? ` (${refusal.field})` : '';
    const page = messagePage({ identity: request.identity }, 'Not done', `${refusal.message}${field}`);
    return reply.code(refusal.status).type('text/html; charset=utf-8').send(page);
  });
  telemetryRoutes(app, {
    temporal: temporalReachable(options.client.connection),
    salesforce: orgReachable(options.admin),
  });
  signInRoutes(app, ctx);
  apiRoutes(app, ctx);
  lifecycleRoutes(app, ctx);
  reviewRoutes(app, ctx);
  auditRoutes(app, ctx);
  adoptionRoutes(app, ctx);
  consoleRoutes(app, ctx);
  return app;
}
