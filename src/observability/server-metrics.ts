import type { FastifyInstance } from 'fastify';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { checkReadiness, type ReadinessCheck } from './readiness';
import { salesforceRegistry } from './salesforce-metrics';
import { PROMETHEUS_CONTENT_TYPE } from './telemetry-listener';

/** The server process's metrics (one registry per process: Prometheus scrapes processes). */
export const serverRegistry = new Registry();
collectDefaultMetrics({ register: serverRegistry, prefix: 'onramp_server_' });

const requests = new Counter({
  name: 'onramp_server_http_requests_total',
  help: 'HTTP requests the server answered, by method, route (its pattern, not the URL) and status code.',
  labelNames: ['method', 'route', 'status'] as const,
  registers: [serverRegistry],
});

const durations = new Histogram({
  name: 'onramp_server_http_request_duration_seconds',
  help: 'How long the server took to answer, by method and route.',
  labelNames: ['method', 'route'] as const,
  buckets: [0.005, 0.025, 0.1, 0.25, 1, 2.5, 10],
  registers: [serverRegistry],
});

const signIns = new Counter({
  name: 'onramp_server_sign_ins_total',
  help: 'Sign-ins through the OpenID provider, by outcome (succeeded, failed).',
  labelNames: ['outcome'] as const,
  registers: [serverRegistry],
});

export const recordSignIn = (outcome: 'succeeded' | 'failed'): void => void signIns.inc({ outcome });

/**
 * /metrics, /healthz and /readyz on the server, and the count of every request it answers. The three are
 * open, as probes and scrapers come without a session: they tell no more than request counts and whether
 * Temporal and the org answer (keep the port off the internet, as the console's is).
 */
export function telemetryRoutes(app: FastifyInstance, readiness: Record<string, ReadinessCheck>): void {
  app.addHook('onResponse', async (request, reply) => {
    // Patterns, not URLs: an integration's name in the path must not make a time series of its own.
    const route = request.routeOptions.url ?? 'unmatched';
    requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    durations.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });
  app.get('/healthz', async () => ({ ok: true }));
  app.get('/readyz', async (_request, reply) => {
    const result = await checkReadiness(readiness);
    return reply.code(result.ready ? 200 : 503).send(result);
  });
  app.get('/metrics', async (_request, reply) => {
    const text = await Registry.merge([serverRegistry, salesforceRegistry]).metrics();
    return reply.type(PROMETHEUS_CONTENT_TYPE).send(text);
  });
}
