import type { Connection } from 'jsforce';
import { SalesforceApiError } from './errors';

export interface SubRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Relative to the versioned REST root, e.g. `/sobjects/User` or `/query?q=...`. */
  url: string;
  referenceId: string;
  body?: Record<string, unknown>;
}

export interface SubResponse {
  referenceId: string;
  httpStatusCode: number;
  body: unknown;
}

/**
 * Runs several REST calls as one API call (the org's daily allocation counts a composite request once).
 * With allOrNone the org applies all or none of them; the first real failure is thrown with its
 * Salesforce error code, not the PROCESSING_HALTED echoes of the others.
 */
export async function runComposite(
  conn: Connection,
  requests: SubRequest[],
  allOrNone = true,
): Promise<Map<string, SubResponse>> {
  const base = `/services/data/v${conn.version}`;
  const response = await conn.requestPost<{ compositeResponse: SubResponse[] }>('/composite', {
    allOrNone,
    compositeRequest: requests.map((r) => ({ ...r, url: `${base}${r.url}` })),
  });
  const byRef = new Map(response.compositeResponse.map((r) => [r.referenceId, r]));
  if (allOrNone) {
    const failures = response.compositeResponse.filter((r) => r.httpStatusCode >= 400);
    const real = failures.find((r) => errorsOf(r)[0]?.errorCode !== 'PROCESSING_HALTED') ?? failures[0];
    if (real) {
      const [first] = errorsOf(real);
      const code = first?.errorCode ?? `ERROR_HTTP_${real.httpStatusCode}`;
      throw new SalesforceApiError(first?.message ?? 'composite subrequest failed', code, {
        statusCode: real.httpStatusCode,
        fields: first?.fields,
        referenceId: real.referenceId,
      });
    }
  }
  return byRef;
}

type SubError = { errorCode: string; message: string; fields?: string[] };

export function errorsOf(response: SubResponse): SubError[] {
  return Array.isArray(response.body) ? (response.body as SubError[]) : [];
}

export const queryUrl = (soql: string) => `/query?q=${encodeURIComponent(soql)}`;

export function records<T>(response: SubResponse | undefined): T[] {
  return ((response?.body as { records?: T[] } | undefined)?.records ?? []) as T[];
}
