import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { OAuthApp } from '../apps/model';
import { allApps, saveApp } from '../apps/registry';
import { formatDateTime } from '../engine/values';
import { SfError, notFound } from '../errors';
import type { OrgContext } from '../http/context';
import { authenticateRest } from '../http/rest-auth';
import { JSON_TYPE, sendRestError } from '../http/rest-reply';
import type { LocalOrg } from '../org';
import { sameId } from '../store/ids';
import { componentId } from './crud';
import { ECA_GLOBAL_OAUTH, ECA_HEADER } from './eca-types';
import { generateConsumerKey, generateConsumerSecret } from './validation';

/**
 * Connect REST "OAuth Credentials" resources (chatterapi connect_resources_oauth_credentials_resources.htm):
 *   GET  /apps/oauth/credentials/{appIdentifier}                       → App Oauth Credentials Collection (v60)
 *   GET  /apps/oauth/credentials/{appIdentifier}/{consumerId}?part=    → App Oauth Credentials (v60; secret only when asked)
 *   GET|POST  …/{consumerId}/staged                                    → App Oauth Staged Credentials Collection (v65)
 *   GET|PATCH|DELETE …/staged/{stagedCredentialsIdentifier}            → App Oauth Staged Credentials; PATCH takes
 *        Staged Credentials Input `{"command":"rotate"}`; DELETE answers 204 (v65)
 * Property names are the documented ones: consumers `{id, key, name, secret, stagedCredentialsUrl, url}`, staged
 * `{createdBy, createdDate, expirationDate, id, key, secret, stagedCredentialsUrl, state: Active|Expired|Rotated, url}`
 * ("Staged credentials are valid for 30 days unless they're deleted before then").
 */
type Staged = OAuthApp['stagedCredentials'][number] & { createdById?: string };

const STAGED_LIFETIME_MS = 30 * 86_400_000;
const CREDENTIALS_SINCE = 60;
const STAGED_SINCE = 65;

interface Params {
  version: string;
  appId: string;
  consumerId?: string;
  stagedId?: string;
}

export function registerOAuthCredentials(app: FastifyInstance, ctx: () => OrgContext): void {
  const base = '/services/data/:version/apps/oauth';
  const route =
    (minVersion: number, work: (c: Call) => unknown) => async (request: FastifyRequest, reply: FastifyReply) => {
      const context = ctx();
      try {
        const caller = authenticateRest(context, request);
        context.usage.charge();
        reply.header('Sforce-Limit-Info', context.usage.header());
        const params = request.params as Params;
        const version = /^v(\d+)\.0$/.exec(params.version);
        if (!version || Number(version[1]) < minVersion || Number(version[1]) > Number(context.org.apiVersion))
          throw notFound();
        const perms = context.org.dml.access(caller.session.userId).perms.system;
        if (!perms.PermissionsModifyAllData && !perms.PermissionsCustomizeApplication) {
          throw new SfError(
            'INSUFFICIENT_ACCESS',
            "You don't have access to OAuth credentials: the External Client App Developer and View Client Secret permissions are required.",
            403,
          );
        }
        const body = work({
          org: context.org,
          userId: caller.session.userId,
          params,
          request,
          prefix: `/services/data/${params.version}/apps/oauth/credentials`,
        });
        if (body === undefined) return reply.code(204).send();
        return reply.code(200).type(JSON_TYPE).send(JSON.stringify(body));
      } catch (error) {
        reply.header('Sforce-Limit-Info', context.usage.header());
        return sendRestError(reply, error);
      }
    };

  app.get(`${base}/usage`, route(CREDENTIALS_SINCE, usage));
  app.get(`${base}/credentials/:appId`, route(CREDENTIALS_SINCE, listConsumers));
  app.get(`${base}/credentials/:appId/:consumerId`, route(CREDENTIALS_SINCE, readConsumer));
  app.get(`${base}/credentials/:appId/:consumerId/staged`, route(STAGED_SINCE, listStaged));
  app.post(`${base}/credentials/:appId/:consumerId/staged`, route(STAGED_SINCE, createStaged));
  app.get(
    `${base}/credentials/:appId/:consumerId/staged/:stagedId`,
    route(STAGED_SINCE, (c) => stagedJson(c, ...findStaged(c), false)),
  );
  app.patch(`${base}/credentials/:appId/:consumerId/staged/:stagedId`, route(STAGED_SINCE, rotateStaged));
  app.delete(`${base}/credentials/:appId/:consumerId/staged/:stagedId`, route(STAGED_SINCE, deleteStaged));
}

interface Call {
  org: LocalOrg;
  userId: string;
  params: Params;
  request: FastifyRequest;
  prefix: string;
}

/** The consumer of an app: one per OAuth plugin. Its id is derived from the app's (the real prefix is undocumented). */
export const consumerIdOf = (app: OAuthApp) => `0Cn${app.Id.slice(3)}`;

const hasOAuthPlugin = (app: OAuthApp) =>
  app.kind === 'ConnectedApp' ? !!app.metadata.ConnectedApp?.oauthConfig : !!app.metadata[ECA_GLOBAL_OAUTH];

function findApp(c: Call, stagedOnly = false): OAuthApp {
  const id = c.params.appId;
  const app = allApps(c.org).find(
    (a) => sameId(a.Id, id) || (a.kind === 'ExternalClientApp' && sameId(componentId(ECA_HEADER, a), id)),
  );
  if (!app || !hasOAuthPlugin(app) || (stagedOnly && app.kind !== 'ExternalClientApp')) throw notFound();
  return app;
}

function findConsumer(c: Call, stagedOnly = false): OAuthApp {
  const app = findApp(c, stagedOnly);
  if (!sameId(c.params.consumerId, consumerIdOf(app))) throw notFound();
  return app;
}

const appIdentifier = (app: OAuthApp) => (app.kind === 'ExternalClientApp' ? componentId(ECA_HEADER, app) : app.Id);

function consumerJson(c: Call, app: OAuthApp, part?: string): Record<string, unknown> {
  const url = `${c.prefix}/${appIdentifier(app)}/${consumerIdOf(app)}`;
  return {
    id: consumerIdOf(app),
    ...(part === undefined || part === 'key' || part === 'keyandsecret' ? { key: app.consumerKey } : {}),
    name: app.fullName,
    ...(part === 'secret' || part === 'keyandsecret' ? { secret: app.consumerSecret } : {}),
    stagedCredentialsUrl: `${url}/staged`,
    url,
  };
}

function usage(c: Call) {
  const apps = allApps(c.org).filter((a) => a.kind === 'ExternalClientApp');
  return {
    apps: apps.map((a) => ({ developerName: a.fullName, identifier: componentId(ECA_HEADER, a), label: a.label })),
  };
}

function listConsumers(c: Call) {
  const app = findApp(c);
  return { consumers: [consumerJson(c, app)], currentPageUrl: `${c.prefix}/${c.params.appId}`, nextPageUrl: null };
}

function readConsumer(c: Call) {
  const app = findConsumer(c);
  const part = (c.request.query as Record<string, unknown>).part;
  if (part !== undefined && !['key', 'secret', 'keyandsecret'].includes(String(part))) {
    throw new SfError(
      'INVALID_PARAMETER_VALUE',
      `Invalid value for parameter part: ${String(part)}. Values are key, secret, keyandsecret.`,
      400,
    );
  }
  return consumerJson(c, app, part === undefined ? 'key' : String(part));
}

/** Staged credentials that have not outlived their 30 days; expired ones stop working and disappear. */
function liveStaged(c: Call, app: OAuthApp): Staged[] {
  const now = c.org.now().getTime();
  const live = (app.stagedCredentials as Staged[]).filter((s) => Date.parse(s.createdDate) + STAGED_LIFETIME_MS > now);
  if (live.length !== app.stagedCredentials.length) saveApp(c.org, { ...app, stagedCredentials: live });
  return live;
}

function stagedJson(
  c: Call,
  app: OAuthApp,
  staged: Staged,
  withSecret: boolean,
  state = 'Active',
): Record<string, unknown> {
  const url = `${c.prefix}/${appIdentifier(app)}/${consumerIdOf(app)}`;
  return {
    createdBy: staged.createdById ?? null,
    createdDate: staged.createdDate,
    expirationDate: formatDateTime(new Date(Date.parse(staged.createdDate) + STAGED_LIFETIME_MS)),
    id: staged.id,
    key: staged.consumerKey,
    ...(withSecret ? { secret: staged.consumerSecret } : {}),
    stagedCredentialsUrl: `${url}/staged/${staged.id}`,
    state,
    url,
  };
}

function listStaged(c: Call) {
  const app = findConsumer(c, true);
  return {
    stagedCredentials: liveStaged(c, app).map((s) => stagedJson(c, app, s, false)),
    url: `${c.prefix}/${appIdentifier(app)}/${consumerIdOf(app)}/staged`,
  };
}

/**
 * Stages a new key and secret that work for token grants alongside the primary pair. One staged pair at a
 * time (the docs do not say; clients such as sfdx-hardis check for and delete an existing one first).
 */
function createStaged(c: Call) {
  const app = findConsumer(c, true);
  if (liveStaged(c, app).length) {
    throw new SfError(
      'INVALID_INPUT',
      'This OAuth consumer already has staged credentials. Rotate or delete them before staging new ones.',
      400,
    );
  }
  const staged: Staged = {
    id: c.org.db.nextId('0xS'),
    consumerKey: generateConsumerKey(),
    consumerSecret: generateConsumerSecret(),
    createdDate: formatDateTime(c.org.now()),
    createdById: c.userId,
  };
  saveApp(c.org, { ...app, stagedCredentials: [staged] });
  c.org.audit(
    'stageExternalClientAppCredentials',
    'External Client Apps',
    `Staged new OAuth credentials for external client app ${app.label}`,
    c.userId,
  );
  return {
    stagedCredentials: [stagedJson(c, app, staged, true)],
    url: `${c.prefix}/${appIdentifier(app)}/${consumerIdOf(app)}/staged`,
  };
}

function findStaged(c: Call): [OAuthApp, Staged] {
  const app = findConsumer(c, true);
  const staged = liveStaged(c, app).find((s) => sameId(s.id, c.params.stagedId));
  if (!staged) throw notFound();
  return [app, staged];
}

/** `{"command":"rotate"}`: the staged pair becomes the primary one and the old primary pair stops working at once. */
function rotateStaged(c: Call) {
  const [app, staged] = findStaged(c);
  const body = c.request.body as Record<string, unknown> | undefined;
  if (!body || body.command !== 'rotate') {
    throw new SfError(
      'JSON_PARSER_ERROR',
      'The request body must be Staged Credentials Input: {"command": "rotate"}',
      400,
    );
  }
  const current = allApps(c.org).find((a) => a.Id === app.Id)!;
  saveApp(c.org, {
    ...current,
    consumerKey: staged.consumerKey,
    consumerSecret: staged.consumerSecret,
    stagedCredentials: current.stagedCredentials.filter((s) => s.id !== staged.id),
  });
  c.org.audit(
    'rotateExternalClientAppCredentials',
    'External Client Apps',
    `Rotated OAuth credentials for external client app ${app.label}`,
    c.userId,
  );
  return stagedJson(c, app, staged, false, 'Rotated');
}

function deleteStaged(c: Call) {
  const [app, staged] = findStaged(c);
  const current = allApps(c.org).find((a) => a.Id === app.Id)!;
  saveApp(c.org, { ...current, stagedCredentials: current.stagedCredentials.filter((s) => s.id !== staged.id) });
  return undefined;
}
