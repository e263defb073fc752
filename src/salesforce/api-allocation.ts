import type { Connection } from 'jsforce';
import { SalesforceApiError, asSalesforceError } from './errors';

/** The org's rolling 24-hour API request allocation, as `GET /limits` reports it (DailyApiRequests). */
export interface ApiAllocation {
  /** Unknown when the read itself was refused for the limit. */
  max?: number;
  remaining: number;
}

/**
 * Salesforce's answer (403, or a SOAP fault) when the org's API allocation is spent; the same code
 * answers too many concurrent long-running requests, which clear in seconds: `/limits` tells them apart.
 */
export const isRequestLimitExceeded = (code: string): boolean => /^(sf:)?REQUEST_LIMIT_EXCEEDED$/.test(code);

/** The org is down for maintenance (or overloaded): 503, which can last for hours. */
export const isOrgUnavailable = (code: string): boolean => code === 'ERROR_HTTP_503' || code === 'SERVER_UNAVAILABLE';

/**
 * Reads the daily API allocation. Salesforce counts this call against the allocation too (only the
 * versions listing is free) and documents no reset time (the window rolls), so when the read itself is
 * refused for the limit the allocation is spent.
 */
export async function readDailyApiAllocation(conn: Connection): Promise<ApiAllocation> {
  try {
    const limits = await conn.request<{ DailyApiRequests?: { Max: number; Remaining: number } }>(
      `/services/data/v${conn.version}/limits`,
    );
    const daily = limits.DailyApiRequests;
    if (!daily) throw new SalesforceApiError('GET /limits answered without DailyApiRequests', 'UNKNOWN');
    return { max: daily.Max, remaining: daily.Remaining };
  } catch (error) {
    if (isRequestLimitExceeded(asSalesforceError(error).errorCode)) return { remaining: 0 };
    throw error;
  }
}
