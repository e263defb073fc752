import type { FastifyRequest } from 'fastify';
import { SfError, invalidSession } from '../errors';
import { asUser, type RunAs } from '../engine/run-as';
import type { Session } from '../oauth/sessions';
import type { OrgContext } from './context';

export interface Caller {
  session: Session;
  runAs: RunAs & { kind: 'user' };
}

/** The bearer token of a request (header, or `oauth_token` parameter as the identity URL allows). */
export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header) {
    const match = /^(Bearer|OAuth)\s+(.+)$/i.exec(header);
    return match ? match[2].trim() : undefined;
  }
  const query = request.query as Record<string, unknown> | undefined;
  return typeof query?.oauth_token === 'string' ? query.oauth_token : undefined;
}

/**
 * The caller of a REST API request: a live session whose token carries the `api` scope (tokens without
 * it are refused with the message jsforce deliberately does not refresh on) and whose user may use the API.
 */
export function authenticateRest(ctx: OrgContext, request: FastifyRequest): Caller {
  const session = ctx.sessions.resolve(bearerToken(request));
  if (!session) throw invalidSession();
  if (!session.scopes.includes('api') && !session.scopes.includes('full')) {
    throw invalidSession('This session is not valid for use with the REST API');
  }
  const access = ctx.org.dml.access(session.userId);
  if (!access.perms.system.PermissionsApiEnabled && !access.modifyAllData) {
    throw new SfError('API_DISABLED_FOR_USER', 'API is disabled for this User', 403);
  }
  return { session, runAs: asUser(session.userId) as RunAs & { kind: 'user' } };
}
