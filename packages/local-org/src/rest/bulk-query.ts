import { notFound, SfError } from '../errors';
import { formatDateTime } from '../engine/values';
import type { LocalOrg } from '../org';
import { executeSoql, parseSoql, queryColumns, type ColumnMetadata, type QueryRow, type SoqlQuery } from '../soql';
import { makeId } from '../store/ids';
import { apiBase, methodNotAllowed, noContent, objectBody, ok, type RestCall, type RestResult } from './call';
import { querySourceFor } from './query-source';

/** Bulk API 2.0 column delimiters by their enum names (Create a Query Job, `columnDelimiter`). */
const DELIMITERS: Record<string, string> = {
  BACKQUOTE: '`',
  CARET: '^',
  COMMA: ',',
  PIPE: '|',
  SEMICOLON: ';',
  TAB: '\t',
};
const LINE_ENDINGS: Record<string, string> = { LF: '\n', CRLF: '\r\n' };

interface QueryJob {
  id: string;
  operation: 'query' | 'queryAll';
  object: string;
  createdById: string;
  createdDate: string;
  state: 'UploadComplete' | 'JobComplete' | 'Aborted';
  apiVersion: number;
  columnDelimiter: string;
  lineEnding: string;
  /** The CSV header and one line per record, computed when the job is created. */
  header: string;
  lines: string[];
}

const jobsByOrg = new WeakMap<LocalOrg, { counter: number; jobs: Map<string, QueryJob> }>();
function jobsOf(org: LocalOrg) {
  let store = jobsByOrg.get(org);
  if (!store) {
    store = { counter: 0, jobs: new Map() };
    jobsByOrg.set(org, store);
  }
  return store;
}

/**
 * `/jobs/query[/{id}[/results]]`: Bulk API 2.0 query jobs. The query runs when the job is created; the job
 * reports UploadComplete once and JobComplete from the first status read on, so clients see one poll.
 */
export function bulkQueryResource(call: RestCall, rest: string[]): RestResult {
  if (call.tooling) throw notFound();
  const store = jobsOf(call.ctx.org);
  if (rest.length === 0) {
    if (call.method === 'POST') return createJob(call, store);
    if (call.method === 'GET') {
      const records = [...store.jobs.values()]
        .filter((j) => j.createdById === call.caller.runAs.userId)
        .map((j) => jobInfo(j, 'listed'));
      return ok({ done: true, records, nextRecordsUrl: null });
    }
    throw methodNotAllowed(call.method, ['GET', 'POST']);
  }
  const job = store.jobs.get(rest[0]);
  if (!job || job.createdById !== call.caller.runAs.userId || rest.length > 2 || (rest[1] && rest[1] !== 'results'))
    throw notFound();
  if (rest[1] === 'results') {
    if (call.method !== 'GET') throw methodNotAllowed(call.method, ['GET']);
    return results(call, job);
  }
  switch (call.method) {
    case 'GET':
      if (job.state === 'UploadComplete') job.state = 'JobComplete';
      return ok(jobInfo(job, 'detail'));
    case 'PATCH': {
      const state = objectBody(call).state;
      if (state !== 'Aborted')
        throw new SfError('INVALIDJOBSTATE', `Invalid state for a query job: ${String(state)}`, 400);
      if (job.state === 'JobComplete')
        throw new SfError('INVALIDJOBSTATE', 'Cannot abort a job that has completed', 400);
      job.state = 'Aborted';
      return ok(jobInfo(job, 'created'));
    }
    case 'DELETE':
      store.jobs.delete(job.id);
      return noContent();
    default:
      throw methodNotAllowed(call.method, ['GET', 'PATCH', 'DELETE']);
  }
}

function createJob(call: RestCall, store: { counter: number; jobs: Map<string, QueryJob> }): RestResult {
  const body = objectBody(call);
  const operation = body.operation;
  if (operation !== 'query' && operation !== 'queryAll')
    throw new SfError('INVALIDJOB', `Invalid operation for a query job: ${String(operation)}`, 400);
  if (typeof body.query !== 'string' || body.query.trim() === '')
    throw new SfError('INVALIDJOB', 'A query job needs a query', 400);
  const delimiterName = body.columnDelimiter ?? 'COMMA';
  const lineEndingName = body.lineEnding ?? 'LF';
  if (typeof delimiterName !== 'string' || !DELIMITERS[delimiterName])
    throw new SfError('INVALIDJOB', `Invalid columnDelimiter: ${String(delimiterName)}`, 400);
  if (typeof lineEndingName !== 'string' || !LINE_ENDINGS[lineEndingName])
    throw new SfError('INVALIDJOB', `Invalid lineEnding: ${String(lineEndingName)}`, 400);
  if (body.contentType !== undefined && body.contentType !== 'CSV')
    throw new SfError('INVALIDJOB', `Invalid contentType: ${String(body.contentType)}`, 400);

  const { org } = call.ctx;
  const userId = call.caller.runAs.userId;
  const parsed = parseSoql(body.query);
  refuseUnsupported(parsed);
  const source = querySourceFor(org, userId, apiBase(call), false, operation === 'queryAll');
  const columns = leafColumns(queryColumns(parsed, source));
  const { records } = executeSoql(parsed, source, { now: org.now() });
  const delimiter = DELIMITERS[delimiterName];
  const csvLine = (values: string[]) => values.map((v) => `"${v.replace(/"/g, '""')}"`).join(delimiter);
  store.counter += 1;
  const job: QueryJob = {
    id: makeId('750', store.counter),
    operation,
    object: records[0]?.attributes.type ?? source.describe(parsed.from.name)?.name ?? parsed.from.name,
    createdById: userId,
    createdDate: formatDateTime(org.now()),
    state: 'UploadComplete',
    apiVersion: Number(call.version),
    columnDelimiter: delimiterName,
    lineEnding: lineEndingName,
    header: csvLine(columns.map((c) => c.path.join('.'))),
    lines: records.map((r) => csvLine(columns.map((c) => csvValue(r, c)))),
  };
  store.jobs.set(job.id, job);
  return ok(jobInfo(job, 'created'));
}

/** The SOQL forms the Bulk API 2.0 guide lists as unsupported in query jobs. */
function refuseUnsupported(query: SoqlQuery): void {
  const refuse = (what: string) => {
    throw new SfError('API_ERROR', `${what} not supported in Bulk V2 Query`, 400);
  };
  if (query.select.some((s) => s.kind === 'subquery'))
    throw new SfError('API_ERROR', 'Aggregate Relationships not supported in Bulk V2 Query with CSV content type', 400);
  if (query.countOnly || query.select.some((s) => s.kind === 'aggregate')) refuse('Aggregate functions');
  if (query.groupBy.length) refuse('GROUP BY');
  if (query.offset !== undefined) refuse('OFFSET');
  if (query.select.some((s) => s.kind === 'fields')) refuse('FIELDS()');
}

interface Column {
  path: string[];
  datetime: boolean;
}

/** Relationship columns flattened to their dotted paths (`Owner.Name`), as the CSV header names them. */
function leafColumns(columns: ColumnMetadata[], prefix: string[] = []): Column[] {
  return columns.flatMap((c) =>
    c.joinColumns.length
      ? leafColumns(c.joinColumns, [...prefix, c.columnName])
      : [{ path: [...prefix, c.columnName], datetime: c.apexType === 'Datetime' }],
  );
}

function csvValue(record: QueryRow, column: Column): string {
  let value: unknown = record;
  for (const key of column.path)
    value = value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : null;
  if (value === null || value === undefined) return '';
  // Bulk results write datetimes in UTC with a Z, where REST JSON has +0000.
  if (column.datetime && typeof value === 'string') return value.replace(/\+0000$/, 'Z');
  return String(value);
}

/**
 * A job as Salesforce shows it: the create and abort answers without jobType; the list adds it; one job's
 * info adds the processing counts (no PK chunking here).
 */
function jobInfo(job: QueryJob, view: 'created' | 'listed' | 'detail'): Record<string, unknown> {
  const listed = view !== 'created';
  const detail = view === 'detail';
  return {
    id: job.id,
    operation: job.operation,
    object: job.object,
    createdById: job.createdById,
    createdDate: job.createdDate,
    systemModstamp: job.createdDate,
    state: job.state,
    concurrencyMode: 'Parallel',
    contentType: 'CSV',
    apiVersion: job.apiVersion,
    ...(listed ? { jobType: 'V2Query' } : {}),
    lineEnding: job.lineEnding,
    columnDelimiter: job.columnDelimiter,
    ...(detail
      ? {
          numberRecordsProcessed: job.state === 'JobComplete' ? job.lines.length : 0,
          retries: 0,
          totalProcessingTime: 0,
          isPkChunkingSupported: false,
        }
      : {}),
  };
}

/**
 * `GET /jobs/query/{id}/results?locator=&maxRecords=`: one set of CSV rows with its header. The locator is
 * the base64 of the next row's offset (Salesforce's look like `MTAwMDA`), the string `null` after the last set.
 */
function results(call: RestCall, job: QueryJob): RestResult {
  if (job.state === 'Aborted')
    throw new SfError(
      'JOB_NOT_COMPLETE',
      'can only download query results of successfully completed bulk job with status: JOB_COMPLETE. Current status: ABORTED',
      412,
    );
  if (Number(call.version) !== job.apiVersion)
    throw new SfError('INVALIDJOB', 'Query results must be read with the API version that created the job', 409);
  const locator = call.query.get('locator');
  const offset = locator ? Number(Buffer.from(locator, 'base64').toString('utf8')) : 0;
  if (!Number.isInteger(offset) || offset < 0 || offset > job.lines.length)
    throw new SfError('INVALID_LOCATOR', `Invalid locator: ${locator}`, 400);
  const maxText = call.query.get('maxRecords');
  const max = maxText === null ? Number.MAX_SAFE_INTEGER : Number(maxText);
  if (!Number.isInteger(max) || max < 1) throw new SfError('INVALIDJOB', `Invalid maxRecords: ${maxText}`, 400);
  const lines = job.lines.slice(offset, offset + max);
  const next = offset + lines.length;
  const eol = LINE_ENDINGS[job.lineEnding];
  return {
    status: 200,
    contentType: 'text/csv',
    body: [job.header, ...lines].map((l) => l + eol).join(''),
    headers: {
      'Sforce-Locator':
        next < job.lines.length ? Buffer.from(String(next)).toString('base64').replace(/=+$/, '') : 'null',
      'Sforce-NumberOfRecords': String(lines.length),
    },
  };
}
