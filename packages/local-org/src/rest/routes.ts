import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SfError } from '../errors';
import type { OrgContext } from '../http/context';
import { authenticateRest } from '../http/rest-auth';
import { JSON_TYPE, sendRestError } from '../http/rest-reply';
import { batchCost } from './batch';
import type { RestCall, RestResult } from './call';
import { dispatch } from './dispatch';
import { parseVersion, versionList } from './versions';

const PREFIX = '/services/data/';
const METHODS = ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'];

/**
 * The REST API of the local org under /services/data. Routes sit directly on the root app so the admin
 * API's global hooks (faults, counters) see them. Every versioned request is authenticated, charged to
 * the daily allocation and answered with `Sforce-Limit-Info`; the version listing needs no session.
 */
export function registerRest(app: FastifyInstance, ctx: () => OrgContext): void {
  const listVersions = async (_request: FastifyRequest, reply: FastifyReply) =>
    reply
      .code(200)
      .type(JSON_TYPE)
      .send(JSON.stringify(versionList(ctx().org.apiVersion)));
  app.get('/services/data', listVersions);
  app.get('/services/data/', listVersions);

  app.route({
    method: METHODS,
    url: '/services/data/*',
    handler: async (request, reply) => handle(ctx(), request, reply, request.body),
    // Body parsing happens before the handler; answer its failures as Salesforce does, after the same checks.
    errorHandler: (error: FastifyError, request, reply) => {
      const code = error.code;
      if (code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return handle(ctx(), request, reply, undefined);
      if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
        return handle(
          ctx(),
          request,
          reply,
          undefined,
          new SfError(
            'UNSUPPORTED_MEDIA_TYPE',
            `Content type '${request.headers['content-type'] ?? ''}' not supported`,
            415,
          ),
        );
      }
      if (error instanceof SyntaxError || code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error.statusCode === 400) {
        return handle(ctx(), request, reply, undefined, jsonParserError(error.message));
      }
      return sendRestError(reply, error);
    },
  });
}

function handle(
  ctx: OrgContext,
  request: FastifyRequest,
  reply: FastifyReply,
  body: unknown,
  bodyError?: SfError,
): FastifyReply {
  let limitHeader = false;
  try {
    const [path, queryString = ''] = splitUrl(request.url);
    const segments = path.slice(PREFIX.length).split('/');
    if (segments[segments.length - 1] === '') segments.pop();
    const version = parseVersion(segments[0] ?? '', ctx.org.apiVersion);
    const caller = authenticateRest(ctx, request);
    limitHeader = true;
    const call: RestCall = {
      ctx,
      caller,
      method: request.method === 'HEAD' ? 'GET' : request.method,
      version,
      tooling: false,
      segments: segments.slice(1).map(decodeSegment),
      query: new URLSearchParams(queryString),
      headers: request.headers as Record<string, string | undefined>,
      body: undefined,
    };
    let parseError: unknown = bodyError;
    if (!parseError) {
      try {
        call.body = asJson(body, request.headers['content-type']);
      } catch (error) {
        parseError = error;
      }
    }
    ctx.usage.charge(call.segments.join('/') === 'composite/batch' ? batchCost(call.body) : 1);
    if (parseError) throw parseError;
    return send(ctx, reply, dispatch(call));
  } catch (error) {
    if (limitHeader) reply.header('Sforce-Limit-Info', ctx.usage.header());
    return sendRestError(reply, error);
  }
}

function send(ctx: OrgContext, reply: FastifyReply, result: RestResult): FastifyReply {
  reply.code(result.status).header('Sforce-Limit-Info', ctx.usage.header());
  for (const [name, value] of Object.entries(result.headers ?? {})) reply.header(name, value);
  if (result.status === 204 || result.body === undefined) return reply.send();
  if (result.contentType) return reply.type(result.contentType).send(String(result.body));
  return reply.type(JSON_TYPE).send(JSON.stringify(result.body));
}

function splitUrl(url: string): [string, string?] {
  const q = url.indexOf('?');
  return q < 0 ? [url] : [url.slice(0, q), url.slice(q + 1)];
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new SfError('NOT_FOUND', 'The requested resource does not exist', 404);
  }
}

/** Salesforce reads a body as JSON whatever text type it is labelled with. */
function asJson(body: unknown, contentType: string | undefined): unknown {
  if (typeof body !== 'string') return body;
  if (body.trim() === '') return undefined;
  if (contentType && /xml/i.test(contentType)) {
    throw new SfError(
      'UNSUPPORTED_MEDIA_TYPE',
      'XML request bodies are not supported by the local org; send JSON',
      415,
    );
  }
  try {
    return JSON.parse(body);
  } catch (error) {
    throw jsonParserError((error as Error).message);
  }
}

function jsonParserError(detail: string): SfError {
  const position = /position (\d+)/.exec(detail);
  const column = position ? Number(position[1]) + 1 : 1;
  return new SfError(
    'JSON_PARSER_ERROR',
    `Unexpected character: expected a valid value (number, String, array, object, 'true', 'false' or 'null') at [line:1, column:${column}]`,
    400,
  );
}
