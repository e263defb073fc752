import { notFound } from '../errors';
import { batchResource } from './batch';
import { bulkQueryResource } from './bulk-query';
import { apiBase, errorResult, methodNotAllowed, ok, type RestCall, type RestResult } from './call';
import { collectionsResource } from './collections';
import { compositeResource } from './composite';
import { limitsResource, recordCountResource } from './limits';
import { queryMore, runQuery } from './query';
import { sobjectsResource } from './sobjects';

/**
 * Routes one versioned REST call to its resource. HTTP requests and the subrequests of /composite and
 * /composite/batch all come through here, so a subrequest behaves exactly like the same request alone.
 * Never throws: errors become the REST error array with their status.
 */
export function dispatch(call: RestCall): RestResult {
  try {
    return route(call);
  } catch (error) {
    return errorResult(error);
  }
}

function route(call: RestCall): RestResult {
  const [head, ...rest] = call.segments;
  if (head === 'tooling' && !call.tooling) return route({ ...call, tooling: true, segments: rest });
  switch (head) {
    case undefined:
      requireGet(call);
      return ok(resources(call));
    case 'sobjects':
      return sobjectsResource(call, rest);
    case 'query':
    case 'queryAll':
      requireGet(call);
      if (rest.length === 0) return runQuery(call);
      if (rest.length === 1) return queryMore(call, rest[0]);
      throw notFound();
    case 'composite':
      if (call.tooling || call.nested) throw notFound();
      if (rest.length === 0) {
        if (call.method !== 'POST') throw methodNotAllowed(call.method, ['POST']);
        return compositeResource(call, dispatch);
      }
      if (rest[0] === 'batch' && rest.length === 1) {
        if (call.method !== 'POST') throw methodNotAllowed(call.method, ['POST']);
        return batchResource(call, dispatch);
      }
      if (rest[0] === 'sobjects') return collectionsResource(call, rest.slice(1));
      throw notFound();
    case 'jobs':
      if (rest[0] !== 'query') throw notFound();
      return bulkQueryResource(call, rest.slice(1));
    case 'limits':
      if (call.tooling || rest.length > 1 || (rest[0] && rest[0] !== 'recordCount')) throw notFound();
      requireGet(call);
      return rest[0] ? recordCountResource(call) : limitsResource(call);
    default:
      throw notFound();
  }
}

function requireGet(call: RestCall): void {
  if (call.method !== 'GET' && call.method !== 'HEAD') throw methodNotAllowed(call.method, ['GET', 'HEAD']);
}

/** `GET /services/data/vNN.N/`: the resources this org serves, and the caller's identity URL. */
function resources(call: RestCall): Record<string, string> {
  const base = apiBase(call);
  if (call.tooling) return { query: `${base}/query` };
  const { org } = call.ctx;
  return {
    tooling: `${base}/tooling`,
    query: `${base}/query`,
    queryAll: `${base}/queryAll`,
    sobjects: `${base}/sobjects`,
    composite: `${base}/composite`,
    limits: `${base}/limits`,
    identity: `${org.instanceUrl}/id/${org.orgId}/${call.caller.runAs.userId}`,
  };
}
