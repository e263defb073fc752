import { SfError } from '../errors';
import type { Caller } from '../http/rest-auth';
import type { OrgContext } from '../http/context';
import { toSfError } from '../http/rest-reply';

/**
 * One REST request inside the versioned tree, already authenticated and charged: what every handler
 * receives, whether it came over HTTP or as a subrequest of /composite or /composite/batch.
 */
export interface RestCall {
  ctx: OrgContext;
  caller: Caller;
  method: string;
  /** "62.0" */
  version: string;
  /** True under /services/data/vNN.N/tooling. */
  tooling: boolean;
  /** Path segments after /services/data/vNN.N (and after /tooling), URL-decoded. */
  segments: string[];
  query: URLSearchParams;
  /** Lower-cased header names. */
  headers: Record<string, string | undefined>;
  body: unknown;
  /** Set by /composite with allOrNone: collections behave all-or-none whatever they ask for. */
  forceAllOrNone?: boolean;
  /** Set inside /composite and /composite/batch, where composite resources cannot nest. */
  nested?: boolean;
}

export interface RestResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** A body sent as it is (a string) with this type, instead of as JSON. */
  contentType?: string;
  /** A 200 that still failed (a collection row under forced all-or-none): halts an allOrNone composite. */
  failed?: boolean;
}

export type Handler = (call: RestCall) => RestResult;

export const ok = (body: unknown, status = 200, headers?: Record<string, string>): RestResult => ({
  status,
  body,
  headers,
});
export const noContent = (): RestResult => ({ status: 204 });

/** The REST error array for an error thrown by a handler. */
export function errorResult(error: unknown): RestResult {
  const sf = toSfError(error);
  return { status: sf.status, body: [sf.toJSON()] };
}

export function apiBase(call: Pick<RestCall, 'version' | 'tooling'>): string {
  return `/services/data/v${call.version}${call.tooling ? '/tooling' : ''}`;
}

export function methodNotAllowed(method: string, allowed: string[]): SfError {
  return new SfError(
    'METHOD_NOT_ALLOWED',
    `HTTP Method '${method}' not allowed. Allowed are ${allowed.join(',')}`,
    405,
  );
}

/** A JSON object body, or the parser error Salesforce gives for anything else. */
export function objectBody(call: RestCall): Record<string, unknown> {
  const body = call.body;
  if (body === undefined || body === null || body === '') {
    throw new SfError(
      'JSON_PARSER_ERROR',
      'The HTTP entity body is required, but this request has no entity body.',
      400,
    );
  }
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new SfError(
      'JSON_PARSER_ERROR',
      `Cannot deserialize instance of sObject from ${Array.isArray(body) ? 'START_ARRAY' : 'VALUE_STRING'} value`,
      400,
    );
  }
  return body as Record<string, unknown>;
}
