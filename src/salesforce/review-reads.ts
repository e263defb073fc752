import type { Connection } from 'jsforce';
import type { AuditTarget } from '../audit/target';
import type { ReviewFacts } from '../shared/review';
import { inQueries, key15, runQueries, type ReadCounter } from './audit-reads';

/** `User.LastLoginDate`: "the date and time when the user last successfully logged in" (User object reference). */
const LAST_LOGIN_QUERY = (ids: string) => `SELECT Id, LastLoginDate FROM User WHERE Id IN (${ids})`;
/**
 * OauthToken holds the refresh-token grants of an app and user, with `UseCount` and `LastUsedDate` (OauthToken
 * object reference, API 32+). Queries return at most 500 rows a page and 2,500 in all.
 */
const OAUTH_TOKEN_QUERY = (ids: string) =>
  `SELECT UserId, AppName, UseCount, LastUsedDate FROM OauthToken WHERE UserId IN (${ids})`;

type UsageFacts = Pick<ReviewFacts, 'lastSuccessfulLogin' | 'oauthTokens' | 'oauthUsage'>;

interface UsageCollection {
  apps?: Array<{ developerName?: string; identifier?: string }>;
  nextPageUrl?: string | null;
}

/**
 * Connect REST `GET /apps/oauth/usage` (API 59+): "a list of external client apps that have OAuth usage
 * data", paged (`page`, `pageSize`, `nextPageUrl`; a page past the last is empty). Developer names.
 */
async function appsWithOAuthUsage(conn: Connection, counter: ReadCounter): Promise<Set<string>> {
  const names = new Set<string>();
  const pageSize = 100;
  for (let page = 0; page < 100; page++) {
    const body = await conn.request<UsageCollection>(
      `/services/data/v${conn.version}/apps/oauth/usage?page=${page}&pageSize=${pageSize}`,
    );
    counter['connect oauth usage'] = (counter['connect oauth usage'] ?? 0) + 1;
    const apps = body.apps ?? [];
    for (const app of apps) if (app.developerName) names.add(app.developerName);
    if (apps.length < pageSize) break;
  }
  return names;
}

/** How each integration was used: its last successful login, its OAuth tokens and the org's OAuth usage data. */
export async function readUsage(
  conn: Connection,
  targets: AuditTarget[],
  counter: ReadCounter,
): Promise<Map<string, UsageFacts>> {
  const ids = targets.map((t) => t.user.id);
  const userQueries = inQueries(ids, LAST_LOGIN_QUERY);
  const pages = await runQueries(conn, [...userQueries, ...inQueries(ids, OAUTH_TOKEN_QUERY)], counter);
  const users = pages.slice(0, userQueries.length).flat();
  const tokens = pages.slice(userQueries.length).flat();
  const withUsage = targets.some((t) => t.app.kind === 'external-client-app')
    ? await appsWithOAuthUsage(conn, counter)
    : new Set<string>();
  const facts = new Map<string, UsageFacts>();
  for (const target of targets) {
    const id = key15(target.user.id);
    const user = users.find((u) => key15(String(u.Id)) === id);
    const own = tokens.filter((t) => key15(String(t.UserId)) === id);
    const lastUsed = own
      .map((t) => t.LastUsedDate)
      .filter((d): d is string => typeof d === 'string')
      .sort()
      .at(-1);
    facts.set(target.integration, {
      lastSuccessfulLogin: typeof user?.LastLoginDate === 'string' ? user.LastLoginDate : null,
      oauthTokens: {
        count: own.length,
        useCount: own.reduce((sum, t) => sum + (Number(t.UseCount) || 0), 0),
        lastUsedAt: lastUsed ?? null,
      },
      oauthUsage:
        target.app.kind !== 'external-client-app'
          ? 'not-applicable'
          : withUsage.has(target.app.apiName)
            ? 'listed'
            : 'not-listed',
    });
  }
  return facts;
}
