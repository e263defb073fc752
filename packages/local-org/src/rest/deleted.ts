import { SfError } from '../errors';
import { formatDateTime } from '../engine/values';
import type { SObjectDef } from '../schema';
import { deletedEntries } from '../store/recycle-bin';
import { methodNotAllowed, ok, type RestCall, type RestResult } from './call';

/**
 * `GET /sobjects/{T}/deleted/?start=&end=` (sObject Get Deleted, REST API 29.0+): the records of T deleted in
 * [start, end] that the user may see, with `earliestDateAvailable` and `latestDateCovered`.
 */
export function getDeletedResource(call: RestCall, def: SObjectDef, method: string): RestResult {
  if (method !== 'GET' && method !== 'HEAD') throw methodNotAllowed(method, ['GET', 'HEAD']);
  const start = dateParam(call, 'start');
  const end = dateParam(call, 'end');
  const access = call.ctx.org.dml.access(call.caller.runAs.userId);
  const entries = deletedEntries(call.ctx.org.db, def.name).filter((e) => access.canSeeRow(def, e.row));
  const deletedRecords = entries
    .filter((e) => Date.parse(e.deletedDate) >= start && Date.parse(e.deletedDate) <= end)
    .sort((a, b) => Date.parse(a.deletedDate) - Date.parse(b.deletedDate))
    .map((e) => ({ id: e.Id, deletedDate: e.deletedDate }));
  const earliest = Math.min(start, ...entries.map((e) => Date.parse(e.deletedDate)));
  const covered = Math.min(end, call.ctx.org.now().getTime());
  return ok({
    deletedRecords,
    earliestDateAvailable: formatDateTime(new Date(earliest)),
    latestDateCovered: formatDateTime(new Date(covered)),
  });
}

function dateParam(call: RestCall, name: string): number {
  const value = call.query.get(name);
  const ms = value ? Date.parse(value) : NaN;
  if (Number.isNaN(ms))
    throw new SfError('MISSING_ARGUMENT', `${name} must be a date and time, e.g. 2024-05-05T00:00:00+00:00`, 400);
  return ms;
}
