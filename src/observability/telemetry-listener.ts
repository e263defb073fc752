import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkReadiness, type ReadinessCheck } from './readiness';

export interface TelemetryListener {
  url: string;
  close(): Promise<void>;
}

export interface TelemetryListenerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** The Prometheus text exposition for /metrics. */
  metrics(): Promise<string>;
  readiness: Record<string, ReadinessCheck>;
}

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * The worker's small HTTP listener (it serves nothing else): /metrics for Prometheus, /healthz (the process
 * answers: live) and /readyz (its dependencies answer: 503 with the failed checks otherwise).
 */
export async function listenTelemetry(options: TelemetryListenerOptions): Promise<TelemetryListener> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    const send = (status: number, type: string, body: string) =>
      response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
    if (request.method !== 'GET' && request.method !== 'HEAD') return send(405, 'text/plain', 'GET only\n');
    if (path === '/healthz') return send(200, 'application/json', '{"ok":true}\n');
    if (path === '/readyz') {
      void checkReadiness(options.readiness).then((readiness) =>
        send(readiness.ready ? 200 : 503, 'application/json', `${JSON.stringify(readiness)}\n`),
      );
      return;
    }
    if (path === '/metrics') {
      options.metrics().then(
        (text) => send(200, PROMETHEUS_CONTENT_TYPE, text),
        (error: unknown) => send(500, 'text/plain', `metrics unavailable: ${String(error)}\n`),
      );
      return;
    }
    send(404, 'text/plain', 'not found: /metrics, /healthz, /readyz\n');
  });
  await new Promise<void>((listening, fail) => {
    server.once('error', fail);
    server.listen(options.port, options.host, () => listening());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}`,
    close: () => new Promise((closed) => server.close(() => closed())),
  };
}
