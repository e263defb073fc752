import { timingSafeEqual } from 'node:crypto';
import type {} from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiTokens } from './api-tokens';
import { ApiError } from './errors';
import type { Identity } from './identity';
import { SESSION_COOKIE, type Session, type SessionStore } from './sessions';

declare module 'fastify' {
  interface FastifyRequest {
    session?: Session;
    identity?: Identity;
    /** Authenticated by a bearer token: no cookie, so no cross-site request can carry it and no CSRF check. */
    viaToken: boolean;
  }
}

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface AuthOptions {
  sessions: SessionStore;
  tokens: ApiTokens;
  secureCookies: boolean;
}

/**
 * Who is asking, on every request: a bearer token (CLI, scripts) or the session cookie (console). Every
 * state-changing request made with the cookie must carry the session's CSRF token, as the `_csrf` form
 * field or the `x-csrf-token` header; SameSite=Lax is the second line, not the only one.
 */
export function registerAuth(app: FastifyInstance, options: AuthOptions): void {
  app.decorateRequest('session', undefined);
  app.decorateRequest('identity', undefined);
  app.decorateRequest('viaToken', false);

  app.addHook('onRequest', async (request) => {
    const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    if (bearer) {
      const identity = options.tokens.verify(bearer);
      if (!identity) throw new ApiError(401, 'invalid-token', 'the bearer token is unknown, revoked or expired');
      request.identity = identity;
      request.viaToken = true;
      return;
    }
    const cookie = request.cookies[SESSION_COOKIE];
    const unsigned = cookie ? request.unsignCookie(cookie) : undefined;
    request.session = unsigned?.valid ? options.sessions.get(unsigned.value ?? undefined) : undefined;
    request.identity = request.session?.identity;
  });

  app.addHook('preHandler', async (request) => {
    if (!STATE_CHANGING.has(request.method) || request.viaToken) return;
    const body = request.body as Record<string, unknown> | undefined;
    const sent = request.headers['x-csrf-token'] ?? (typeof body?._csrf === 'string' ? body._csrf : undefined);
    const expected = request.session?.csrfToken;
    if (!expected || typeof sent !== 'string' || !same(sent, expected)) {
      throw new ApiError(403, 'csrf', 'missing or wrong CSRF token; reload the page and try again', '_csrf');
    }
  });
}

export function setSessionCookie(reply: FastifyReply, session: Session, secure: boolean): void {
  reply.setCookie(SESSION_COOKIE, session.id, { path: '/', httpOnly: true, sameSite: 'lax', secure, signed: true });
}

export function clearSessionCookie(reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { path: '/' });
}

/** The signed-in person, or 401 (the console's routes redirect to sign-in instead). */
export function identityOf(request: FastifyRequest): Identity {
  if (!request.identity)
    throw new ApiError(401, 'unauthenticated', 'sign in, or send a bearer token issued from the console');
  if (request.identity.roles.length === 0) {
    throw new ApiError(403, 'no-role', `${request.identity.email} is in none of the groups onramp gives a role to`);
  }
  return request.identity;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
