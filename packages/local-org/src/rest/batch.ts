import { SfError } from '../errors';
import { errorResult, objectBody, ok, type Handler, type RestCall, type RestResult } from './call';
import { lowerHeaders, subCall } from './subrequest';

export const MAX_BATCH_SUBREQUESTS = 25;

/** How many API calls a /composite/batch body costs: one per subrequest (at least one for a bad body). */
export function batchCost(body: unknown): number {
  const requests = (body as { batchRequests?: unknown } | null)?.batchRequests;
  return Array.isArray(requests) && requests.length > 0 && requests.length <= MAX_BATCH_SUBREQUESTS
    ? requests.length
    : 1;
}

/**
 * `POST /composite/batch`: independent subrequests run in order, each committed on its own. With
 * haltOnError the ones after the first failure are not run and report 412 BATCH_PROCESSING_HALTED.
 */
export function batchResource(call: RestCall, dispatch: Handler): RestResult {
  const body = objectBody(call);
  const requests = body.batchRequests;
  if (!Array.isArray(requests) || requests.length === 0) {
    throw new SfError('INVALID_API_INPUT', 'batchRequests is required and must contain at least one subrequest', 400);
  }
  if (requests.length > MAX_BATCH_SUBREQUESTS) {
    throw new SfError('INVALID_API_INPUT', `A batch can contain at most ${MAX_BATCH_SUBREQUESTS} subrequests`, 400);
  }
  // A malformed subrequest makes the whole batch a bad request, before anything runs.
  const calls = (requests as Array<Record<string, unknown>>).map((r) =>
    subCall(call, r?.method, r?.url, r?.richInput, lowerHeaders(r?.httpHeaders)),
  );
  const results: Array<{ statusCode: number; result: unknown }> = [];
  let halted = false;
  for (const sub of calls) {
    if (halted) {
      results.push({
        statusCode: 412,
        result: [{ errorCode: 'BATCH_PROCESSING_HALTED', message: 'Batch processing halted per request' }],
      });
      continue;
    }
    let result: RestResult;
    try {
      result = dispatch(sub);
    } catch (error) {
      result = errorResult(error);
    }
    results.push({ statusCode: result.status, result: result.body ?? null });
    if (result.status >= 400 && body.haltOnError === true) halted = true;
  }
  return ok({ hasErrors: results.some((r) => r.statusCode >= 400), results });
}
