import { SfError } from '../errors';
import { errorResult, objectBody, ok, type Handler, type RestCall, type RestResult } from './call';
import { lowerHeaders, subCall } from './subrequest';

export const MAX_COMPOSITE_SUBREQUESTS = 25;
export const MAX_COMPOSITE_QUERIES_AND_COLLECTIONS = 5;

const HALTED = 'The transaction was rolled back since another operation in the same transaction failed.';
const REFERENCE = /@\{([^}]*)\}/g;
const REFERENCE_ID = /^[A-Za-z0-9_]+$/;

interface SubResponse {
  body: unknown;
  httpHeaders: Record<string, string>;
  httpStatusCode: number;
  referenceId: string;
}

const halted = (referenceId: string, message = HALTED): SubResponse => ({
  body: [{ errorCode: 'PROCESSING_HALTED', message }],
  httpHeaders: {},
  httpStatusCode: 400,
  referenceId,
});

class InvalidReference extends Error {}

/**
 * `POST /composite`: up to 25 subrequests run in order on one caller, counted as one API call, later ones
 * reading earlier results through `@{referenceId.path}`. With allOrNone the whole request is one
 * transaction: the first failure rolls everything back and every other subrequest reports
 * PROCESSING_HALTED. Subrequests run one after another (collateSubrequests changes nothing here).
 */
export function compositeResource(call: RestCall, dispatch: Handler): RestResult {
  const body = objectBody(call);
  const requests = body.compositeRequest;
  if (!Array.isArray(requests) || requests.length === 0) {
    throw new SfError(
      'INVALID_API_INPUT',
      'compositeRequest is required and must contain at least one subrequest',
      400,
    );
  }
  if (requests.length > MAX_COMPOSITE_SUBREQUESTS) {
    throw new SfError(
      'INVALID_API_INPUT',
      `The composite request can contain at most ${MAX_COMPOSITE_SUBREQUESTS} subrequests`,
      400,
    );
  }
  const seen = new Set<string>();
  let heavy = 0;
  for (const r of requests as Array<Record<string, unknown>>) {
    const id = r?.referenceId;
    if (typeof id !== 'string' || !REFERENCE_ID.test(id))
      throw new SfError('INVALID_API_INPUT', `Invalid referenceId: ${String(id)}`, 400);
    if (seen.has(id))
      throw new SfError('INVALID_API_INPUT', `Duplicate referenceId provided in the request: ${id}`, 400);
    seen.add(id);
    if (typeof r.url !== 'string' || !r.url.startsWith('/services/data/')) {
      throw new SfError('INVALID_API_INPUT', `The url for subrequest ${id} must start with /services/data/`, 400);
    }
    if (/^\/services\/data\/v[^/]+\/(?:query|queryAll|composite\/sobjects)(?:[/?]|$)/.test(r.url)) heavy += 1;
  }
  if (heavy > MAX_COMPOSITE_QUERIES_AND_COLLECTIONS) {
    throw new SfError(
      'INVALID_API_INPUT',
      `The composite request can contain at most ${MAX_COMPOSITE_QUERIES_AND_COLLECTIONS} query or sObject Collections subrequests`,
      400,
    );
  }
  const allOrNone = body.allOrNone === true;
  const subs = requests as Array<Record<string, unknown>>;
  const results: SubResponse[] = [];
  const bodies = new Map<string, { ok: boolean; body: unknown }>();

  const runOne = (r: Record<string, unknown>): { response: SubResponse; failed: boolean } => {
    const referenceId = r.referenceId as string;
    let result: RestResult;
    try {
      const url = substitute(String(r.url), bodies, true) as string;
      const subBody = r.body === undefined ? undefined : substitute(r.body, bodies, false);
      const sub = subCall(call, r.method, url, subBody, lowerHeaders(r.httpHeaders));
      result = dispatch({ ...sub, forceAllOrNone: allOrNone || undefined });
    } catch (error) {
      if (error instanceof InvalidReference) return { response: halted(referenceId, error.message), failed: true };
      result = errorResult(error);
    }
    const failed = result.status >= 400 || result.failed === true;
    bodies.set(referenceId, { ok: !failed, body: result.body });
    return {
      response: {
        body: result.body ?? null,
        httpHeaders: result.headers ?? {},
        httpStatusCode: result.status,
        referenceId,
      },
      failed,
    };
  };

  if (!allOrNone) {
    for (const r of subs) results.push(runOne(r).response);
    return ok({ compositeResponse: results });
  }

  const rollback = new Error('composite rollback');
  let failedAt = -1;
  try {
    call.ctx.org.db.transaction(() => {
      for (let i = 0; i < subs.length; i++) {
        const { response, failed } = runOne(subs[i]);
        results.push(response);
        if (failed) {
          failedAt = i;
          throw rollback;
        }
      }
    });
  } catch (error) {
    if (error !== rollback) throw error;
  }
  if (failedAt < 0) return ok({ compositeResponse: results });
  return ok({
    compositeResponse: subs.map((r, i) => (i === failedAt ? results[i] : halted(r.referenceId as string))),
  });
}

/** Replaces `@{ref.path}` in a URL (as text) or anywhere in a body (a whole-string reference keeps its JSON type). */
function substitute(value: unknown, bodies: Map<string, { ok: boolean; body: unknown }>, inUrl: boolean): unknown {
  if (typeof value === 'string') {
    const whole = /^@\{([^}]*)\}$/.exec(value);
    if (whole && !inUrl) return resolve(whole[1], bodies);
    return value.replace(REFERENCE, (_m, expr: string) => String(resolve(expr, bodies)));
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, bodies, inUrl));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, bodies, inUrl)]));
  }
  return value;
}

/** `ref.records[0].Id` against the body of subrequest `ref`. */
function resolve(expr: string, bodies: Map<string, { ok: boolean; body: unknown }>): unknown {
  const referenceId = expr.split(/[.[]/)[0];
  const invalid = () =>
    new InvalidReference(`Invalid reference specified. No value for ${expr} found in ${referenceId}.`);
  const entry = bodies.get(referenceId);
  if (!entry || !entry.ok) throw invalid();
  let current: unknown = entry.body;
  const steps = expr.slice(referenceId.length).match(/\.[^.[]+|\[\d+\]/g) ?? [];
  if (steps.join('') !== expr.slice(referenceId.length)) throw invalid();
  for (const step of steps) {
    if (current === null || typeof current !== 'object') throw invalid();
    const key = step.startsWith('[') ? Number(step.slice(1, -1)) : step.slice(1);
    current = (current as Record<string | number, unknown>)[key];
  }
  if (current === undefined || current === null || typeof current === 'object') throw invalid();
  return current;
}
