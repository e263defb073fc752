import type { ServerSettings } from './config';
import { ApiError } from './errors';

export type Role = 'requester' | 'approver' | 'admin' | 'auditor';
export const ROLES: readonly Role[] = ['requester', 'approver', 'admin', 'auditor'];

/** A signed-in person as the OpenID provider vouched for them; `sub` is the stable id, the rest are claims. */
export interface Identity {
  sub: string;
  email: string;
  name: string;
  groups: string[];
  roles: Role[];
}

/** The roles the configured groups give (group names compared case-insensitively). */
export function rolesOf(groups: readonly string[], mapping: ServerSettings['roles']): Role[] {
  const mine = new Set(groups.map((g) => g.toLowerCase()));
  return ROLES.filter((role) => mapping[role].some((g) => mine.has(g.toLowerCase())));
}

export const hasRole = (who: Identity, ...roles: Role[]) => roles.some((r) => who.roles.includes(r));

/** 403 naming the role that is missing and the groups that give it, so the person knows whom to ask. */
export function requireRole(
  who: Identity,
  mapping: ServerSettings['roles'],
  roles: Role[],
  what: string,
  code: string,
): void {
  if (hasRole(who, ...roles)) return;
  const groups = roles.flatMap((r) => mapping[r]);
  throw new ApiError(
    403,
    code,
    `${who.email} may not ${what}: that needs the ${roles.join(' or ')} role (group ${groups.join(', ')})`,
  );
}

/**
 * The identity in an ID token's (or userinfo's) claims. A person without an email cannot be named in the
 * decision trail, so they are refused; groups come from the configured claim (an array, or one string).
 */
export function identityFromClaims(
  claims: Record<string, unknown>,
  groupsClaim: string,
  mapping: ServerSettings['roles'],
): Identity {
  const email = typeof claims.email === 'string' ? claims.email : undefined;
  if (typeof claims.sub !== 'string' || !email) throw new Error('the identity provider sent no sub or email claim');
  const raw = claims[groupsClaim];
  const groups = Array.isArray(raw)
    ? raw.filter((g): g is string => typeof g === 'string')
    : typeof raw === 'string'
      ? [raw]
      : [];
  const name = typeof claims.name === 'string' ? claims.name : email;
  return { sub: claims.sub, email, name, groups, roles: rolesOf(groups, mapping) };
}
