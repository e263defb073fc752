import { SfError } from '../errors';
import type { LocalOrg } from '../org';
import { ok, type RestCall, type RestResult } from './call';
import type { ApiUsage } from '../http/api-usage';

/** Salesforce counts about 2 KB of data storage per record. */
const KB_PER_RECORD = 2;
/** Enterprise Edition base allocation of data storage. */
const DATA_STORAGE_MB = 10 * 1024;

function dataStorageUsedMb(org: LocalOrg): number {
  let records = 0;
  for (const def of org.schema.dataObjects()) records += org.db.count(def.name);
  return Math.ceil((records * KB_PER_RECORD) / 1024);
}

/**
 * `GET /limits`: the daily API allocation is the org's live counter (the same one behind
 * Sforce-Limit-Info); the other allocations are Enterprise Edition's published ones with nothing used.
 */
export function limitsResource(call: RestCall): RestResult {
  const usage: ApiUsage = call.ctx.usage;
  const idle = (max: number) => ({ Max: max, Remaining: max });
  return ok({
    ConcurrentAsyncGetReportInstances: idle(200),
    ConcurrentSyncReportRuns: idle(20),
    DailyApiRequests: { Max: usage.limit, Remaining: Math.max(0, usage.limit - usage.used) },
    DailyAsyncApexExecutions: idle(250000),
    DailyBulkApiBatches: idle(15000),
    DailyBulkV2QueryFileStorageMB: idle(976562),
    DailyBulkV2QueryJobs: idle(10000),
    DataStorageMB: { Max: DATA_STORAGE_MB, Remaining: DATA_STORAGE_MB - dataStorageUsedMb(call.ctx.org) },
    HourlyAsyncReportRuns: idle(1200),
    HourlySyncReportRuns: idle(500),
    SingleEmail: idle(5000),
  });
}

/**
 * `GET /limits/recordCount?sObjects=A,B`: live row counts (Salesforce's are a cached snapshot), recycle-bin rows
 * left out; names the org does not know are ignored, as documented. Needs View Setup and Configuration.
 */
export function recordCountResource(call: RestCall): RestResult {
  const { org } = call.ctx;
  const s = org.dml.access(call.caller.runAs.userId).perms.system;
  if (!s.PermissionsModifyAllData && !s.PermissionsViewSetup && !s.PermissionsCustomizeApplication)
    throw new SfError('INSUFFICIENT_ACCESS', 'The user does not have the View Setup and Configuration permission', 403);
  const asked = call.query.get('sObjects');
  const defs = asked
    ? asked.split(',').flatMap((name) => {
        const def = name.trim() && !name.startsWith('_') ? org.schema.get(name.trim()) : undefined;
        return def ? [def] : [];
      })
    : org.schema.all().filter((d) => !d.name.startsWith('_'));
  return ok({ sObjects: defs.map((d) => ({ count: org.db.count(d.name), name: d.name })) });
}
