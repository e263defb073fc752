/**
 * The codec server: lets the Temporal UI (TEMPORAL_CODEC_ENDPOINT) and CLI (--codec-endpoint) show
 * onramp's encrypted payloads in clear to operators. A decode endpoint is a decryption oracle for the
 * whole history, so it never runs without a bearer token, and only the configured UI origins may call
 * it from a browser.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Payload } from '@temporalio/common';
import { EncryptionCodec } from './encryption-codec';
import type { KeyRing } from './key-ring';

export interface CodecServerOptions {
  ring: KeyRing;
  /** The bearer token callers must present (config codec.serverToken / ONRAMP_CODEC_TOKEN). */
  token: string;
  /** Browser origins allowed to call (the Temporal UI's, e.g. http://localhost:8233). */
  corsOrigins: string[];
}

/** The wire shape of the codec server protocol: proto3 JSON, bytes as base64. */
interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

export class CodecServerConfigError extends Error {
  override readonly name = 'CodecServerConfigError';
}

const MIN_TOKEN_LENGTH = 32;
const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

export function buildCodecServer(options: CodecServerOptions): FastifyInstance {
  if (!options.token || options.token.length < MIN_TOKEN_LENGTH) {
    throw new CodecServerConfigError(
      `the codec server needs a bearer token of at least ${MIN_TOKEN_LENGTH} characters (codec.serverToken or ONRAMP_CODEC_TOKEN); it never runs unauthenticated`,
    );
  }
  const codec = new EncryptionCodec(options.ring);
  const expected = digest(options.token);
  const origins = new Set(options.corsOrigins.map((o) => o.replace(/\/+$/, '')));
  const app = Fastify({ logger: false, bodyLimit: 4 * 1024 * 1024 });

  const cors = (request: FastifyRequest, reply: FastifyReply) => {
    const origin = request.headers.origin;
    if (!origin || !origins.has(origin)) return;
    reply
      .header('access-control-allow-origin', origin)
      .header('vary', 'origin')
      .header('access-control-allow-credentials', 'true')
      .header('access-control-allow-methods', 'POST, OPTIONS')
      .header('access-control-allow-headers', 'authorization, content-type, x-namespace');
  };

  // Preflights carry no credentials by design; they only learn what the real request may send.
  app.options('/*', async (request, reply) => {
    cors(request, reply);
    return reply.code(204).send();
  });

  app.addHook('onRequest', async (request, reply) => {
    if (request.method === 'OPTIONS') return;
    cors(request, reply);
    const header = request.headers.authorization ?? '';
    const presented = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim() ?? (request.params as { token?: string }).token;
    // Comparing digests keeps the comparison constant-time whatever the presented length.
    if (!presented || !timingSafeEqual(digest(presented), expected)) {
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer realm="onramp-codec"')
        .send({ error: 'unauthorized', message: 'a valid bearer token is required' });
    }
  });

  const handle =
    (transform: (payloads: Payload[]) => Promise<Payload[]>) =>
    async (request: FastifyRequest, reply: FastifyReply) => {
      const body = request.body as { payloads?: unknown } | undefined;
      if (!body || !Array.isArray(body.payloads))
        return reply.code(400).send({ error: 'bad-request', message: 'body must be { "payloads": [...] }' });
      let payloads: Payload[];
      try {
        payloads = await transform((body.payloads as JsonPayload[]).map(fromJson));
      } catch (error) {
        return reply.code(400).send({ error: 'codec-failed', message: (error as Error).message });
      }
      return reply.send({ payloads: payloads.map(toJson) });
    };
  // The Temporal UI sends no token of its own (only an OIDC access token, when it signs users in), so the
  // UI gets an endpoint whose path carries the token: `/ui/<token>`, to which it appends /encode and /decode.
  for (const prefix of ['', '/ui/:token']) {
    app.post(
      `${prefix}/encode`,
      handle((p) => codec.encode(p)),
    );
    app.post(
      `${prefix}/decode`,
      handle((p) => codec.decode(p)),
    );
  }
  return app;
}

export interface RunningCodecServer {
  url: string;
  /** The endpoint for a Temporal UI that cannot send the token: it is in the path. Keep it as secret as the token. */
  uiEndpoint: string;
  close(): Promise<void>;
}

export async function startCodecServer(
  options: CodecServerOptions & { host?: string; port?: number },
): Promise<RunningCodecServer> {
  const app = buildCodecServer(options);
  const url = await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 });
  return { url, uiEndpoint: `${url}/ui/${encodeURIComponent(options.token)}`, close: () => app.close() };
}

function fromJson(p: JsonPayload): Payload {
  const metadata: Record<string, Uint8Array> = {};
  for (const [k, v] of Object.entries(p?.metadata ?? {})) metadata[k] = Buffer.from(String(v), 'base64');
  return { metadata, data: Buffer.from(String(p?.data ?? ''), 'base64') };
}

function toJson(p: Payload): JsonPayload {
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(p.metadata ?? {})) metadata[k] = Buffer.from(v as Uint8Array).toString('base64');
  return { metadata, data: Buffer.from(p.data ?? new Uint8Array()).toString('base64') };
}
