import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import type { AdminContext } from './context';
import { faultAnswer, sendFault } from './fault-responses';
import type { FaultDecision, FaultRule } from './faults';
import type { WriteScope } from './counters';

export const ADMIN_PREFIX = '/_org';

interface Tracked {
  key: string;
  path: string;
  scope?: WriteScope;
  counted: boolean;
  /** A response-lost rule hit this request: the handled response is held, then lost. */
  lose?: { rule: FaultRule; holdMs: number };
}

/** Per-request bookkeeping, keyed by the raw request so no fastify decoration is needed. */
const tracked = new WeakMap<IncomingMessage, Tracked>();

/** The first element inside a SOAP Body, whatever the prefixes: the operation being called. */
const SOAP_OPERATION = /<(?:[\w.-]+:)?Body\b[^>]*>\s*<(?:[\w.-]+:)?([A-Za-z_][\w.-]*)/;

const VERSION_SEGMENT = /^v?\d+\.\d+$/;
const ID_SEGMENT = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;

/**
 * `METHOD pattern` for a request. Routes with parameters name themselves; catch-all routes (the REST
 * API is one) are named from the path with versions, record ids and query locators generalised, so that
 * `GET /services/data/v62.0/sobjects/Account/001...` counts as `GET /services/data/:version/sobjects/Account/:id`.
 */
export function endpointKey(method: string, route: string | undefined, path: string): string {
  if (!route) return `${method} (no route)`;
  if (!route.includes('*')) return `${method} ${route}`;
  const segments = path.split('/');
  const out = segments.map((segment, i) => {
    if (VERSION_SEGMENT.test(segment)) return ':version';
    if (i > 0 && /^query(All)?$/.test(segments[i - 1]) && segment) return ':locator';
    if (ID_SEGMENT.test(segment) && /\d/.test(segment)) return ':id';
    return segment;
  });
  return `${method} ${out.join('/')}`;
}

export function soapOperation(body: unknown): string | undefined {
  return typeof body === 'string' ? SOAP_OPERATION.exec(body.slice(0, 4096))?.[1] : undefined;
}

/**
 * Global hooks on the root app (registered before any route module, so they run first): count every
 * request to the Salesforce surfaces, attribute the org writes it causes, and inject faults. The admin
 * API itself is never counted and never faulted.
 */
export function installRequestHooks(app: FastifyInstance, ctx: () => AdminContext): void {
  app.addHook('onRequest', (request, reply, done) => {
    const path = request.url.split('?')[0];
    if (path === ADMIN_PREFIX || path.startsWith(`${ADMIN_PREFIX}/`)) return done();
    const c = ctx();
    const entry: Tracked = { key: endpointKey(request.method, request.routeOptions.url, path), path, counted: false };
    tracked.set(request.raw, entry);
    const decision = c.faults.decide({ method: request.method, path }, false);
    if (!decision) return done();
    applyFault(c, request, reply, entry, decision, done);
  });

  app.addHook('preHandler', (request, reply, done) => {
    const entry = tracked.get(request.raw);
    if (!entry) return done();
    const c = ctx();
    const operation = entry.path.startsWith('/services/Soap/') ? soapOperation(request.body) : undefined;
    if (operation) entry.key += `#${operation}`;
    c.counter.attach(c.org.db);
    entry.scope = c.counter.openScope();
    // Everything after this hook (later hooks, the handler and whatever it awaits) runs inside the
    // scope, so the writes it makes are attributed to this request even when requests interleave.
    const proceed = () => c.counter.runInScope(entry.scope!, done);
    const decision = c.faults.anyLate
      ? c.faults.decide({ method: request.method, path: entry.path, operation, body: bodyText(request.body) }, true)
      : undefined;
    if (!decision) return proceed();
    applyFault(c, request, reply, entry, decision, proceed);
  });

  app.addHook('onSend', (request, reply, payload, done) => {
    const entry = tracked.get(request.raw);
    if (!entry?.lose) return done(null, payload);
    const { rule, holdMs } = entry.lose;
    const c = ctx();
    setTimeout(() => {
      // The handler is done and its writes are in the org: count them before the answer goes missing.
      finish(c, entry);
      const answer = faultAnswer(request.url, rule, errorIdOf(c));
      if (!answer) {
        request.raw.socket?.destroy();
        return done(null, payload);
      }
      reply.code(answer.status).header('content-type', answer.contentType).removeHeader('content-length');
      done(null, answer.body);
    }, holdMs);
  });

  app.addHook('onResponse', (request, _reply, done) => {
    const entry = tracked.get(request.raw);
    if (entry) finish(ctx(), entry);
    done();
  });
}

function finish(c: AdminContext, entry: Tracked): void {
  if (entry.counted) return;
  entry.counted = true;
  const written = entry.scope ? c.counter.closeScope(c.org.db, entry.scope) : [];
  c.counter.add(entry.key, written);
}

/** The body as the fault rules' bodyPattern sees it: text as sent, anything parsed as JSON. */
function bodyText(body: unknown): string {
  if (body === undefined || body === null) return '';
  return typeof body === 'string' ? body : JSON.stringify(body);
}

const errorIdOf = (c: AdminContext) =>
  `${1_000_000_000 + c.faults.nextInt(1_000_000_000)}-${10_000 + c.faults.nextInt(90_000)} (${-c.faults.nextInt(2_000_000_000)})`;

function applyFault(
  c: AdminContext,
  request: FastifyRequest,
  reply: FastifyReply,
  entry: Tracked,
  decision: FaultDecision,
  proceed: () => void,
): void {
  const act = () => {
    if (!decision.rule) return proceed();
    if (decision.rule.kind === 'response-lost') {
      entry.lose = { rule: decision.rule, holdMs: decision.holdMs };
      return proceed();
    }
    if (decision.rule.kind === 'drop') finish(c, entry);
    sendFault(request, reply, decision.rule, errorIdOf(c));
  };
  if (decision.delayMs > 0) setTimeout(act, decision.delayMs);
  else act();
}
