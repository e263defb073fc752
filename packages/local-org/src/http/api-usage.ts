import { SfError } from '../errors';
import type { LocalOrg } from '../org';

/**
 * The org's rolling daily API request count behind `Sforce-Limit-Info: api-usage=N/M` and 403
 * REQUEST_LIMIT_EXCEEDED. A composite request counts once; a batch counts once per subrequest.
 */
export class ApiUsage {
  used = 0;

  constructor(private readonly org: LocalOrg) {}

  get limit(): number {
    return this.org.settings.dailyApiRequests;
  }

  /** Counts `calls` requests, refusing them when the allocation is spent. */
  charge(calls = 1): void {
    if (this.used + calls > this.limit)
      throw new SfError('REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.', 403);
    this.used += calls;
  }

  header(): string {
    return `api-usage=${this.used}/${this.limit}`;
  }
}
