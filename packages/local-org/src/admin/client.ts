import type { OrgSettings } from '../org';
import type { OrgState, Row } from '../store/database';
import type { OrgDiff } from '../store/diff';
import type { CallCounts } from './counters';
import type { FaultRule, FaultRuleInput } from './faults';

export interface OrgInfo {
  instanceUrl: string;
  apiVersion: string;
  orgId: string;
  adminUserId: string;
  adminUsername: string | null;
  bootstrap: { appName: string; consumerKey: string } | null;
  settings: OrgSettings;
  apiUsage: { used: number; limit: number };
  time: OrgTime;
}

export interface OrgTime {
  now: string;
  offsetMs: number;
}

export interface SnapshotMeta {
  id: string;
  createdAt: string;
  revision: number;
}

export interface DiffQuery {
  /** Snapshot id, `initial` or `current` (the default). */
  to?: string;
  /** Tables the diff ignores by default (logs, sessions) to include anyway. */
  includeTypes?: string[];
  ignoreTypes?: string[];
  /** Replaces the default ignored bookkeeping fields (LastModifiedDate, ...). */
  ignoreFields?: string[];
}

export class LocalOrgAdminError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'LocalOrgAdminError';
  }
}

/**
 * Typed client of the local org's admin API (/_org), for tests, benchmarks and the chaos suite. Give it
 * the org's HTTP instance URL (the admin API is the same on HTTPS, but fetch would refuse the self-signed
 * certificate) or the admin URL itself.
 */
export class LocalOrgAdmin {
  readonly baseUrl: string;

  constructor(url: string) {
    const trimmed = url.replace(/\/+$/, '');
    this.baseUrl = trimmed.endsWith('/_org') ? trimmed : `${trimmed}/_org`;
  }

  health(): Promise<{ status: 'ok'; instanceUrl: string; revision: number }> {
    return this.call('GET', '/health');
  }

  info(): Promise<OrgInfo> {
    return this.call('GET', '/info');
  }

  snapshot(): Promise<SnapshotMeta> {
    return this.call('POST', '/snapshots', {});
  }

  snapshots(): Promise<SnapshotMeta[]> {
    return this.call<{ snapshots: SnapshotMeta[] }>('GET', '/snapshots').then((r) => r.snapshots);
  }

  /** The full state of a snapshot (or `initial` / `current`). */
  getSnapshot(id: string): Promise<OrgState> {
    return this.call('GET', `/snapshots/${encodeURIComponent(id)}`);
  }

  deleteSnapshot(id: string): Promise<void> {
    return this.call('DELETE', `/snapshots/${encodeURIComponent(id)}`);
  }

  diff(from: string, query: DiffQuery = {}): Promise<OrgDiff & { empty: boolean }> {
    const params = new URLSearchParams({ from });
    if (query.to) params.set('to', query.to);
    if (query.includeTypes) params.set('includeTypes', query.includeTypes.join(','));
    if (query.ignoreTypes) params.set('ignoreTypes', query.ignoreTypes.join(','));
    if (query.ignoreFields) params.set('ignoreFields', query.ignoreFields.join(','));
    return this.call('GET', `/diff?${params}`);
  }

  /** Back to the state after seeding; live sessions and the API usage count are kept / zeroed unless told otherwise. */
  reset(
    options: { keepSessions?: boolean; resetApiUsage?: boolean } = {},
  ): Promise<{ revision: number; keptSessions: number }> {
    return this.call('POST', '/reset', options);
  }

  calls(): Promise<CallCounts> {
    return this.call('GET', '/calls');
  }

  resetCalls(): Promise<CallCounts> {
    return this.call('POST', '/calls/reset', {});
  }

  faults(): Promise<{ seed: number; rules: FaultRule[] }> {
    return this.call('GET', '/faults');
  }

  /** Replaces every fault rule; a seed restarts the random sequence. */
  setFaults(rules: FaultRuleInput[], seed?: number): Promise<{ seed: number; rules: FaultRule[] }> {
    return this.call('PUT', '/faults', seed === undefined ? { rules } : { rules, seed });
  }

  addFault(rule: FaultRuleInput): Promise<FaultRule> {
    return this.call('POST', '/faults', rule);
  }

  removeFault(id: string): Promise<void> {
    return this.call('DELETE', `/faults/${encodeURIComponent(id)}`);
  }

  clearFaults(): Promise<void> {
    return this.call('DELETE', '/faults');
  }

  settings(): Promise<OrgSettings> {
    return this.call('GET', '/settings');
  }

  updateSettings(patch: Partial<OrgSettings>): Promise<OrgSettings> {
    return this.call('PATCH', '/settings', patch);
  }

  apiUsage(): Promise<{ used: number; limit: number }> {
    return this.call('GET', '/api-usage');
  }

  setApiUsage(used: number): Promise<{ used: number; limit: number }> {
    return this.call('POST', '/api-usage', { used });
  }

  /** Inserts a row as given, with no validation and no rules (drift). */
  insertRecord(type: string, values: Record<string, unknown>): Promise<{ id: string; record: Row }> {
    return this.call('POST', `/records/${encodeURIComponent(type)}`, values);
  }

  getRecord(type: string, id: string): Promise<Row> {
    return this.call('GET', `/records/${encodeURIComponent(type)}/${encodeURIComponent(id)}`);
  }

  updateRecord(type: string, id: string, patch: Record<string, unknown>): Promise<Row> {
    return this.call('PATCH', `/records/${encodeURIComponent(type)}/${encodeURIComponent(id)}`, patch);
  }

  deleteRecord(type: string, id: string): Promise<void> {
    return this.call('DELETE', `/records/${encodeURIComponent(type)}/${encodeURIComponent(id)}`);
  }

  time(): Promise<OrgTime> {
    return this.call('GET', '/time');
  }

  /** Sets the org clock's offset from real time. */
  setTimeOffset(offsetMs: number): Promise<OrgTime> {
    return this.call('POST', '/time', { offsetMs });
  }

  advanceTime(ms: number): Promise<OrgTime> {
    return this.call('POST', '/time', { advanceMs: ms });
  }

  setTime(now: Date): Promise<OrgTime> {
    return this.call('POST', '/time', { now: now.toISOString() });
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const parsed: unknown = text ? JSON.parse(text) : undefined;
    if (!response.ok) {
      const error = (parsed ?? {}) as { error?: string; message?: string };
      throw new LocalOrgAdminError(response.status, error.error ?? `HTTP_${response.status}`, error.message ?? text);
    }
    return parsed as T;
  }
}
