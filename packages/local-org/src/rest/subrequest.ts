import { SfError } from '../errors';
import type { RestCall } from './call';
import { parseVersion } from './versions';

export const SUBREQUEST_METHODS = new Set(['GET', 'POST', 'PATCH', 'PUT', 'DELETE']);

/**
 * A subrequest of /composite or /composite/batch as a call on the same caller. URLs are
 * `/services/data/vNN.N/...` (batch also takes `vNN.N/...`), optionally with a query string.
 */
export function subCall(
  parent: RestCall,
  method: unknown,
  url: unknown,
  body: unknown,
  headers: Record<string, string | undefined>,
): RestCall {
  if (typeof method !== 'string' || !SUBREQUEST_METHODS.has(method.toUpperCase())) {
    throw new SfError('INVALID_API_INPUT', `Invalid HTTP method: ${String(method)}`, 400);
  }
  if (typeof url !== 'string' || url === '')
    throw new SfError('INVALID_API_INPUT', 'The url is required for each subrequest', 400);
  const match = /^(?:\/services\/data\/)?(v[^/?]+)(\/[^?]*)?(?:\?(.*))?$/.exec(url);
  if (!match) throw new SfError('INVALID_API_INPUT', `Invalid subrequest url: ${url}`, 400);
  const version = parseVersion(match[1], parent.ctx.org.apiVersion);
  const segments = (match[2] ?? '')
    .split('/')
    .filter((s) => s !== '')
    .map((s) => decodeURIComponent(s));
  return {
    ctx: parent.ctx,
    caller: parent.caller,
    method: method.toUpperCase(),
    version,
    tooling: false,
    segments,
    query: new URLSearchParams(match[3] ?? ''),
    headers,
    body,
    nested: true,
  };
}

export function lowerHeaders(headers: unknown): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  if (headers && typeof headers === 'object') {
    for (const [k, v] of Object.entries(headers)) if (typeof v === 'string') out[k.toLowerCase()] = v;
  }
  return out;
}
