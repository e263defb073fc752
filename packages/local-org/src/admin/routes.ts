import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { BOOTSTRAP_APP_NAME } from '../apps/bootstrap';
import { appByName } from '../apps/registry';
import { SfError } from '../errors';
import { formatDateTime } from '../engine/values';
import { DEFAULT_SETTINGS, type LocalOrg, type OrgSettings } from '../org';
import type { OrgState, Row } from '../store/database';
import { DEFAULT_DIFF_OPTIONS, diffStates, isEmptyDiff } from '../store/diff';
import type { AdminContext } from './context';
import { FaultRuleError, type FaultRuleInput } from './faults';
import { ADMIN_PREFIX, installRequestHooks } from './hooks';

/** Tables the admin diff leaves out unless asked: logs, plus live sessions (secrets that churn on every sign-in). */
export const ADMIN_DIFF_IGNORED_TYPES = [...DEFAULT_DIFF_OPTIONS.ignoreTypes, '_Session'];

const MAX_SNAPSHOTS = 200;

class AdminError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const badRequest = (message: string) => new AdminError(400, 'BAD_REQUEST', message);
const notFound = (message: string) => new AdminError(404, 'NOT_FOUND', message);

interface SnapshotEntry {
  id: string;
  createdAt: string;
  revision: number;
  state: OrgState;
}

/**
 * The local org's control API under /_org (off every Salesforce path): health, info, snapshots and diffs,
 * reset, call counters, fault rules, settings, API usage, raw record writes that bypass Salesforce's
 * rules (drift, as a human in Setup or a bug would cause), and the org clock. No Salesforce auth, but only
 * loopback clients are served. Also installs the global counting / fault hooks.
 */
export function registerAdmin(app: FastifyInstance, ctx: () => AdminContext): void {
  installRequestHooks(app, ctx);

  const route = (
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    handler: (c: AdminContext, request: FastifyRequest, reply: FastifyReply) => unknown,
  ) => {
    app.route({
      method,
      url: `${ADMIN_PREFIX}${url}`,
      handler: async (request, reply) => {
        if (!isLoopback(request.socket.remoteAddress)) {
          return reply
            .code(403)
            .send({ error: 'FORBIDDEN', message: 'the local org admin API only serves loopback clients' });
        }
        try {
          const result = await handler(ctx(), request, reply);
          if (reply.sent) return reply;
          if (result === undefined) return reply.code(204).send();
          return reply.send(result);
        } catch (error) {
          if (error instanceof AdminError)
            return reply.code(error.status).send({ error: error.code, message: error.message });
          if (error instanceof FaultRuleError)
            return reply.code(400).send({ error: 'BAD_REQUEST', message: error.message });
          if (error instanceof SfError)
            return reply.code(error.status).send({ error: error.errorCode, message: error.message });
          return reply
            .code(500)
            .send({ error: 'INTERNAL', message: error instanceof Error ? error.message : String(error) });
        }
      },
    });
  };

  const snapshotState = (c: AdminContext, id: string): OrgState => {
    if (id === 'initial') return c.org.initialSnapshot();
    if (id === 'current') return c.org.snapshot();
    const entry = snapshotsOf(c).entries.get(id);
    if (!entry) throw notFound(`no snapshot ${id}`);
    return entry.state;
  };

  route('GET', '/health', (c) => ({ status: 'ok', instanceUrl: c.org.instanceUrl, revision: c.org.db.revision }));

  route('GET', '/info', (c) => {
    const app = appByName(c.org, BOOTSTRAP_APP_NAME);
    return {
      instanceUrl: c.org.instanceUrl,
      apiVersion: c.org.apiVersion,
      orgId: c.org.orgId,
      adminUserId: c.org.adminUserId,
      adminUsername: c.org.seed?.adminUsername ?? null,
      bootstrap: app ? { appName: app.fullName, consumerKey: app.consumerKey } : null,
      settings: settingsOf(c),
      apiUsage: { used: c.usage.used, limit: c.usage.limit },
      time: timeInfo(c),
    };
  });

  route('POST', '/snapshots', (c, _request, reply) => {
    const store = snapshotsOf(c);
    const entry: SnapshotEntry = {
      id: `s${store.next++}`,
      createdAt: new Date().toISOString(),
      revision: c.org.db.revision,
      state: c.org.snapshot(),
    };
    store.entries.set(entry.id, entry);
    if (store.entries.size > MAX_SNAPSHOTS) store.entries.delete(store.entries.keys().next().value!);
    reply.code(201);
    return { id: entry.id, createdAt: entry.createdAt, revision: entry.revision };
  });
  route('GET', '/snapshots', (c) => ({
    snapshots: [...snapshotsOf(c).entries.values()].map(({ state: _s, ...meta }) => meta),
  }));
  route('GET', '/snapshots/:id', (c, request) => snapshotState(c, param(request, 'id')));
  route('DELETE', '/snapshots/:id', (c, request) => {
    if (!snapshotsOf(c).entries.delete(param(request, 'id'))) throw notFound(`no snapshot ${param(request, 'id')}`);
  });

  route('GET', '/diff', (c, request) => {
    const q = request.query as Record<string, string | undefined>;
    if (!q.from) throw badRequest('from (a snapshot id, or "initial") is required');
    const include = new Set(list(q.includeTypes));
    const ignoreTypes = [...ADMIN_DIFF_IGNORED_TYPES, ...list(q.ignoreTypes)].filter((t) => !include.has(t));
    const ignoreFields = q.ignoreFields !== undefined ? list(q.ignoreFields) : DEFAULT_DIFF_OPTIONS.ignoreFields;
    const diff = diffStates(snapshotState(c, q.from), snapshotState(c, q.to ?? 'current'), {
      ignoreTypes,
      ignoreFields,
    });
    return { empty: isEmptyDiff(diff), ...diff };
  });

  route('POST', '/reset', (c, request) => {
    const body = objectBody(request);
    const keepSessions = body.keepSessions !== false;
    const sessions = keepSessions ? [...c.org.db.rows('_Session')] : [];
    c.org.reset();
    // Signed-in clients (tests' admin token, onramp's worker) survive a reset while their user does.
    for (const session of sessions)
      if (c.org.db.get('User', String(session.userId))) c.org.db.insert('_Session', session);
    if (body.resetApiUsage !== false) c.usage.used = 0;
    return { revision: c.org.db.revision, keptSessions: sessions.length };
  });

  route('GET', '/calls', (c) => c.counter.snapshot());
  route('POST', '/calls/reset', (c) => {
    c.counter.reset();
    return c.counter.snapshot();
  });

  route('GET', '/faults', (c) => ({ seed: c.faults.seed, rules: c.faults.list() }));
  route('PUT', '/faults', (c, request) => {
    const body = objectBody(request);
    if (body.seed !== undefined && typeof body.seed !== 'number') throw badRequest('seed must be an integer');
    const rules = c.faults.set(body.rules as FaultRuleInput[], body.seed as number | undefined);
    return { seed: c.faults.seed, rules };
  });
  route('POST', '/faults', (c, request, reply) => {
    const rule = c.faults.add(objectBody(request) as unknown as FaultRuleInput);
    reply.code(201);
    return rule;
  });
  route('DELETE', '/faults', (c) => {
    c.faults.clear();
  });
  route('DELETE', '/faults/:id', (c, request) => {
    if (!c.faults.remove(param(request, 'id'))) throw notFound(`no fault rule ${param(request, 'id')}`);
  });

  route('GET', '/settings', (c) => settingsOf(c));
  route('PATCH', '/settings', (c, request) => {
    c.org.updateSettings(settingsPatch(objectBody(request)));
    return settingsOf(c);
  });

  route('GET', '/api-usage', (c) => ({ used: c.usage.used, limit: c.usage.limit }));
  route('POST', '/api-usage', (c, request) => {
    const { used } = objectBody(request);
    if (typeof used !== 'number' || !Number.isInteger(used) || used < 0)
      throw badRequest('used must be a non-negative integer');
    c.usage.used = used;
    return { used: c.usage.used, limit: c.usage.limit };
  });

  route('POST', '/records/:type', (c, request, reply) => {
    const type = tableName(c, param(request, 'type'));
    const values = objectBody(request);
    let row: Row;
    if (type.startsWith('_')) {
      if (typeof values.Id !== 'string') throw badRequest('rows of internal tables need an Id');
      if (c.org.db.get(type, values.Id)) throw badRequest(`${type} ${values.Id} already exists`);
      row = c.org.db.insert(type, values as Row);
    } else {
      row = c.org.dml.insertRaw(type, values);
    }
    reply.code(201);
    return { id: row.Id, record: row };
  });
  route('GET', '/records/:type/:id', (c, request) =>
    existingRow(c, tableName(c, param(request, 'type')), param(request, 'id')),
  );
  route('PATCH', '/records/:type/:id', (c, request) => {
    const type = tableName(c, param(request, 'type'));
    const row = existingRow(c, type, param(request, 'id'));
    const patch = { ...objectBody(request) };
    delete patch.Id;
    if (!type.startsWith('_')) {
      // A change made in Setup moves the modification stamps even though no API rule ran.
      const now = formatDateTime(c.org.now());
      patch.LastModifiedDate ??= now;
      patch.SystemModstamp ??= now;
    }
    return c.org.db.update(type, row.Id, patch);
  });
  route('DELETE', '/records/:type/:id', (c, request) => {
    const type = tableName(c, param(request, 'type'));
    const row = existingRow(c, type, param(request, 'id'));
    c.org.db.delete(type, row.Id);
  });

  route('GET', '/time', (c) => timeInfo(c));
  route('POST', '/time', (c, request) => {
    const body = objectBody(request);
    const given = ['offsetMs', 'advanceMs', 'now'].filter((k) => body[k] !== undefined);
    if (given.length !== 1) throw badRequest('give exactly one of offsetMs, advanceMs, now');
    if (body.now !== undefined) {
      const date = new Date(String(body.now));
      if (Number.isNaN(date.getTime())) throw badRequest('now must be an ISO date-time');
      c.clock.setNow(date);
    } else {
      const ms = (body.offsetMs ?? body.advanceMs) as unknown;
      if (typeof ms !== 'number' || !Number.isFinite(ms))
        throw badRequest(`${given[0]} must be a number of milliseconds`);
      if (body.offsetMs !== undefined) c.clock.offsetMs = ms;
      else c.clock.advance(ms);
    }
    return timeInfo(c);
  });
}

/** Snapshots belong to the org, not to a listener: the HTTP and HTTPS apps share them. */
const snapshotStores = new WeakMap<LocalOrg, { entries: Map<string, SnapshotEntry>; next: number }>();

function snapshotsOf(c: AdminContext): { entries: Map<string, SnapshotEntry>; next: number } {
  let store = snapshotStores.get(c.org);
  if (!store) {
    store = { entries: new Map(), next: 1 };
    snapshotStores.set(c.org, store);
  }
  return store;
}

/** The settings without the internal row's key. */
function settingsOf(c: AdminContext): OrgSettings {
  const { Id: _id, ...settings } = c.org.settings as OrgSettings & { Id?: string };
  return settings;
}

function timeInfo(c: AdminContext): { now: string; offsetMs: number } {
  return { now: c.org.now().toISOString(), offsetMs: c.clock.offsetMs };
}

function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return v4.startsWith('127.') || address === '::1';
}

function param(request: FastifyRequest, name: string): string {
  return String((request.params as Record<string, string>)[name]);
}

function list(value: string | undefined): string[] {
  return value
    ? value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : [];
}

function objectBody(request: FastifyRequest): Record<string, unknown> {
  const body = request.body ?? {};
  if (typeof body !== 'object' || Array.isArray(body)) throw badRequest('the body must be a JSON object');
  return body as Record<string, unknown>;
}

/** The table a caller named: an sObject (case-insensitive, canonical name) or an internal `_` table. */
function tableName(c: AdminContext, name: string): string {
  if (name.startsWith('_')) return name;
  const def = c.org.schema.get(name);
  if (!def) throw notFound(`no object ${name}`);
  return def.name;
}

function existingRow(c: AdminContext, type: string, id: string): Row {
  let row: Row | undefined;
  try {
    row = c.org.db.get(type, id);
  } catch {
    row = undefined;
  }
  if (!row) throw notFound(`no ${type} ${id}`);
  return row;
}

function settingsPatch(body: Record<string, unknown>): Partial<OrgSettings> {
  const patch: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    if (!(key in DEFAULT_SETTINGS))
      throw badRequest(`unknown setting ${key} (known: ${Object.keys(DEFAULT_SETTINGS).join(', ')})`);
    const expected = typeof DEFAULT_SETTINGS[key as keyof OrgSettings];
    if (typeof value !== expected) throw badRequest(`${key} must be a ${expected}`);
    if (expected === 'number' && (!Number.isInteger(value) || (value as number) < 0))
      throw badRequest(`${key} must be a non-negative integer`);
    patch[key] = value;
  }
  return patch as Partial<OrgSettings>;
}
