import type { OAuthApp } from '../apps/model';
import { allApps, appByName, deleteApp, saveApp } from '../apps/registry';
import type { LocalOrg } from '../org';
import { assertScopeEnums, connectedAppFromMetadata, ordered, publicComponent } from './connected-app';
import { findStoredComponent, planEcaChanges, type EcaComponent } from './eca';
import { APP_TYPES as SUPPORTED, appTypeFile, CONNECTED_APP, storedComponents } from './components';
import { ECA_FIELD_ORDER, ECA_HEADER, ECA_TYPES, isEcaType } from './eca-types';
import { SoapFault, type SoapCall } from './soap-request';
import { asArray, buildXml, normalize, text, xsiTypeOf, type XmlRecord } from './soap-xml';
import { RECORD_TYPES, recordFileProperties, userName } from './record-types';
import { problem, type MetadataProblem } from './validation';

export interface CrudContext {
  org: LocalOrg;
  userId: string;
  allOrNone: boolean;
}

interface ItemResult {
  fullName: string;
  problems: MetadataProblem[];
  created?: boolean;
}

const MAX_COMPONENTS = 10;

/**
 * The Spring '26 block (help article 005228017: "Connected App creation via APIs (including the Metadata
 * API) is blocked in the same way as the UI"). The article quotes no API error text; this wording is ours.
 */
export const CONNECTED_APP_CREATION_BLOCKED = problem(
  'FUNCTIONALITY_NOT_ENABLED',
  "You can't create a connected app. As of Spring '26, new connected apps can be created only by package installation or after Salesforce Support enables connected app creation for your org. Create an external client app instead.",
);

const ROLLED_BACK = problem(
  'ALL_OR_NONE_OPERATION_ROLLED_BACK',
  'Record rolled back because not all records were valid and the request was using AllOrNone header',
);

function checkType(type: string | undefined): string {
  if (!type) throw SoapFault.client('Each metadata element needs an xsi:type');
  if (!SUPPORTED.includes(type)) {
    throw SoapFault.api(
      'INVALID_TYPE',
      `The local org emulates the Metadata API for ${SUPPORTED.join(', ')} only, not ${type}`,
    );
  }
  return type;
}

function sameTypeItems(call: SoapCall): { type: string; items: XmlRecord[] } {
  const raws = asArray(call.rawArgs.metadata as unknown);
  if (raws.length === 0) throw SoapFault.client('No metadata element in the request');
  if (raws.length > MAX_COMPONENTS) {
    throw SoapFault.api(
      'EXCEEDED_ID_LIMIT',
      `record limit reached. cannot submit more than ${MAX_COMPONENTS} records in this operation`,
    );
  }
  const types = raws.map((r) => xsiTypeOf(r));
  const type = checkType(types[0]);
  if (types.some((t) => t !== type))
    throw SoapFault.api('INVALID_TYPE', 'All metadata components in one call must be of the same type');
  const items = raws.map((r) => {
    const v = normalize(r);
    return v && typeof v === 'object' && !Array.isArray(v) ? v : {};
  });
  if (type === CONNECTED_APP) items.forEach(assertScopeEnums);
  return { type, items };
}

function namesOf(call: SoapCall, field = 'fullNames'): string[] {
  const names = asArray(call.args[field]).map((v) => text(v) ?? '');
  if (names.length > MAX_COMPONENTS) {
    throw SoapFault.api(
      'EXCEEDED_ID_LIMIT',
      `record limit reached. cannot submit more than ${MAX_COMPONENTS} records in this operation`,
    );
  }
  return names;
}

/**
 * Runs per-item work atomically per item, and for AllOrNoneHeader atomically for the call: on any failure
 * every change is undone and the items that had succeeded report ALL_OR_NONE_OPERATION_ROLLED_BACK.
 */
function perItem<T>(cc: CrudContext, items: T[], work: (item: T) => ItemResult): ItemResult[] {
  const results: ItemResult[] = [];
  const failed = new Error('rollback');
  try {
    cc.org.db.transaction(() => {
      for (const item of items) {
        let result: ItemResult;
        try {
          result = cc.org.db.transaction(() => work(item));
        } catch (error) {
          if (!(error instanceof ItemFailure)) throw error;
          result = error.result;
        }
        results.push(result);
      }
      if (cc.allOrNone && results.some((r) => r.problems.length)) throw failed;
    });
  } catch (error) {
    if (error !== failed) throw error;
    for (const r of results) if (!r.problems.length) r.problems.push(ROLLED_BACK);
  }
  return results;
}

class ItemFailure extends Error {
  constructor(readonly result: ItemResult) {
    super('item failed');
  }
}

export function createMetadata(cc: CrudContext, call: SoapCall): string {
  const { type, items } = sameTypeItems(call);
  if (isEcaType(type)) return saveResults('createMetadata', ecaWrites(cc, type, items, 'create'));
  const results = perItem(cc, items, (md) => {
    const fullName = text(md.fullName) ?? '';
    if (!cc.org.settings.connectedAppCreationAllowed) return { fullName, problems: [CONNECTED_APP_CREATION_BLOCKED] };
    if (fullName && appByName(cc.org, fullName)) return { fullName, problems: [duplicateName(fullName)] };
    return writeConnectedApp(cc, md, undefined);
  });
  return saveResults('createMetadata', results);
}

export function updateMetadata(cc: CrudContext, call: SoapCall): string {
  const { type, items } = sameTypeItems(call);
  if (isEcaType(type)) return saveResults('updateMetadata', ecaWrites(cc, type, items, 'update'));
  const results = perItem(cc, items, (md) => {
    const fullName = text(md.fullName) ?? '';
    const existing = connectedApp(cc.org, fullName);
    if (!existing) return { fullName, problems: [notFound(CONNECTED_APP, fullName)] };
    return writeConnectedApp(cc, md, existing);
  });
  return saveResults('updateMetadata', results);
}

export function upsertMetadata(cc: CrudContext, call: SoapCall): string {
  const { type, items } = sameTypeItems(call);
  if (isEcaType(type)) return upsertResults(ecaWrites(cc, type, items, 'upsert'));
  const results = perItem(cc, items, (md) => {
    const fullName = text(md.fullName) ?? '';
    const existing = connectedApp(cc.org, fullName);
    if (!existing) {
      if (!cc.org.settings.connectedAppCreationAllowed)
        return { fullName, problems: [CONNECTED_APP_CREATION_BLOCKED], created: false };
      if (fullName && appByName(cc.org, fullName))
        return { fullName, problems: [duplicateName(fullName)], created: false };
    }
    return { ...writeConnectedApp(cc, md, existing), created: !existing };
  });
  return upsertResults(results);
}

export function deleteMetadata(cc: CrudContext, call: SoapCall): string {
  const type = checkType(text(call.args.type));
  const names = namesOf(call);
  if (isEcaType(type)) {
    const results = perItem(cc, names, (fullName) =>
      applyOrFail(cc, planEcaChanges(cc.org, allApps(cc.org), [], [{ type, fullName }], cc.userId), 'delete'),
    );
    return deleteResults(results);
  }
  const results = perItem(cc, names, (fullName) => {
    const existing = connectedApp(cc.org, fullName);
    if (!existing) return { fullName, problems: [notFound(type, fullName)] };
    deleteApp(cc.org, existing);
    cc.org.audit('deleteConnectedApplication', 'Connected Apps', `Deleted connected app ${existing.label}`, cc.userId);
    return { fullName: existing.fullName, problems: [] };
  });
  return deleteResults(results);
}

export function renameMetadata(cc: CrudContext, call: SoapCall): string {
  const type = checkType(text(call.args.type));
  const oldName = text(call.args.oldFullName) ?? '';
  const newName = text(call.args.newFullName) ?? '';
  if (type !== CONNECTED_APP) {
    return saveResults('renameMetadata', [
      { fullName: newName, problems: [problem('INVALID_TYPE', `renameMetadata is not supported for ${type}`)] },
    ]);
  }
  const results = perItem(cc, [0], () => {
    const existing = connectedApp(cc.org, oldName);
    if (!existing) return { fullName: newName, problems: [notFound(type, oldName)] };
    const clash = appByName(cc.org, newName);
    if (clash && clash.Id !== existing.Id) return { fullName: newName, problems: [duplicateName(newName)] };
    const md = {
      ...(existing.metadata.ConnectedApp as XmlRecord),
      fullName: newName,
      oauthConfig: {
        ...((existing.metadata.ConnectedApp.oauthConfig as XmlRecord) ?? {}),
        consumerSecret: existing.consumerSecret,
      },
    } as XmlRecord;
    if (!existing.metadata.ConnectedApp.oauthConfig) delete md.oauthConfig;
    return writeConnectedApp(cc, md, existing);
  });
  return saveResults('renameMetadata', results);
}

export function readMetadata(cc: CrudContext, call: SoapCall): string {
  const type = checkType(text(call.args.type));
  const names = namesOf(call);
  const apps = allApps(cc.org);
  const records = names.map((name) => {
    let component: Record<string, unknown> | undefined;
    if (type === CONNECTED_APP) component = connectedApp(cc.org, name)?.metadata.ConnectedApp;
    else component = findStoredComponent(apps, type, name)?.component;
    // jsforce reads `<records xsi:nil="true"/>` as a record without fullName, which is how tools detect "missing".
    if (!component) return { '@xsi:nil': 'true' };
    return { '@xsi:type': type, ...publicComponent(component) };
  });
  return buildXml({ readMetadataResponse: { result: { records } } });
}

export function listMetadata(cc: CrudContext, call: SoapCall): string {
  const queries = asArray(call.args.queries).map((q) =>
    q && typeof q === 'object' && !Array.isArray(q) ? text(q.type) : undefined,
  );
  if (queries.length > 3)
    throw SoapFault.api('INVALID_QUERY_FILTER_OPERATOR', 'listMetadata accepts at most 3 queries per call');
  const files: Record<string, unknown>[] = [];
  for (const type of queries) {
    if (!type) continue;
    if (RECORD_TYPES[type]) {
      files.push(...RECORD_TYPES[type].rows(cc.org).map((row) => recordFileProperties(cc.org, type, row)));
      continue;
    }
    // Salesforce's fault for a type name it does not know; the local org gives it for every type it does not model.
    if (!SUPPORTED.includes(type)) throw SoapFault.api('INVALID_TYPE', `Unknown type:${type}`);
    for (const { app, component } of storedComponents(cc.org, type))
      files.push(fileProperties(cc.org, type, app, component));
  }
  return buildXml({ listMetadataResponse: { result: files } });
}

/** FileProperties of a stored component; ids of ECA parts are derived from the app's id (see eca-types). */
export function fileProperties(
  org: LocalOrg,
  type: string,
  app: OAuthApp,
  stored: Record<string, unknown>,
): Record<string, unknown> {
  const file = appTypeFile(type)!;
  const fullName = String(stored.fullName);
  const nameOf = (id: unknown) => userName(org, id);
  // Apps written by other means (the bootstrap app) carry no file dates: the ConnectedApplication row has them.
  const row = org.db.get('ConnectedApplication', app.Id);
  stored = {
    _createdDate: row?.CreatedDate,
    _createdById: row?.CreatedById,
    _lastModifiedDate: row?.LastModifiedDate,
    _lastModifiedById: row?.LastModifiedById,
    ...stored,
  };
  return {
    createdById: stored._createdById ?? org.adminUserId,
    createdByName: nameOf(stored._createdById ?? org.adminUserId),
    createdDate: stored._createdDate ?? '',
    fileName: `${file.folder}/${fullName}.${file.suffix}`,
    fullName,
    id: type === CONNECTED_APP ? app.Id : componentId(type, app),
    lastModifiedById: stored._lastModifiedById ?? org.adminUserId,
    lastModifiedByName: nameOf(stored._lastModifiedById ?? org.adminUserId),
    lastModifiedDate: stored._lastModifiedDate ?? '',
    manageableState: 'unmanaged',
    type,
  };
}

export const componentId = (type: string, app: OAuthApp) => {
  const prefix = ECA_TYPES[type]?.idPrefix ?? app.Id.slice(0, 3);
  return `${prefix}${app.Id.slice(3)}`;
};

function ecaWrites(
  cc: CrudContext,
  type: string,
  items: XmlRecord[],
  mode: 'create' | 'update' | 'upsert',
): ItemResult[] {
  return perItem(cc, items, (md) => {
    const fullName = text(md.fullName) ?? '';
    const apps = allApps(cc.org);
    const exists =
      type === ECA_HEADER
        ? apps.some((a) => a.kind === 'ExternalClientApp' && a.fullName.toLowerCase() === fullName.toLowerCase())
        : !!findStoredComponent(apps, type, fullName);
    if (mode === 'create' && exists) return { fullName, problems: [duplicateName(fullName)] };
    if (mode === 'update' && !exists) return { fullName, problems: [notFound(type, fullName)] };
    const component: EcaComponent = { type, fullName, record: ordered(md, ECA_FIELD_ORDER[type]) as XmlRecord };
    const plan = planEcaChanges(cc.org, apps, [component], [], cc.userId);
    return { ...applyOrFail(cc, plan, exists ? 'update' : 'create'), fullName, created: !exists };
  });
}

function applyOrFail(cc: CrudContext, plan: ReturnType<typeof planEcaChanges>, verb: string): ItemResult {
  const problems = plan.outcomes.flatMap((o) => o.problems);
  if (problems.length) throw new ItemFailure({ fullName: plan.outcomes[0]?.fullName ?? '', problems });
  for (const app of plan.save) {
    saveApp(cc.org, app);
    cc.org.audit(
      `${verb}ExternalClientApplication`,
      'External Client Apps',
      `${verb === 'create' ? 'Created' : 'Changed'} external client app ${app.label}`,
      cc.userId,
    );
  }
  for (const app of plan.remove) {
    deleteApp(cc.org, app);
    cc.org.audit(
      'deleteExternalClientApplication',
      'External Client Apps',
      `Deleted external client app ${app.label}`,
      cc.userId,
    );
  }
  return { fullName: plan.outcomes[0]?.fullName ?? '', problems: [] };
}

function writeConnectedApp(cc: CrudContext, md: XmlRecord, existing: OAuthApp | undefined): ItemResult {
  const fullName = text(md.fullName) ?? '';
  const outcome = connectedAppFromMetadata(cc.org, md, existing, cc.userId);
  if (!outcome.app) return { fullName, problems: outcome.errors };
  saveApp(cc.org, outcome.app);
  const verb = existing ? 'updateConnectedApplication' : 'insertConnectedApplication';
  cc.org.audit(
    verb,
    'Connected Apps',
    `${existing ? 'Changed' : 'Created'} connected app ${outcome.app.label}`,
    cc.userId,
  );
  return { fullName: outcome.app.fullName, problems: [] };
}

const connectedApp = (org: LocalOrg, name: string) => {
  const app = name ? appByName(org, name) : undefined;
  return app?.kind === 'ConnectedApp' ? app : undefined;
};

const duplicateName = (fullName: string) =>
  problem(
    'DUPLICATE_DEVELOPER_NAME',
    `This API Name already exists or has been previously used: ${fullName}. Please choose a different API Name.`,
  );
const notFound = (type: string, fullName: string) =>
  problem('INVALID_CROSS_REFERENCE_KEY', `In field: fullName - no ${type} named ${fullName} found`, ['fullName']);

const errorsXml = (problems: MetadataProblem[]) =>
  problems.map((p) => ({
    ...(p.fields?.length ? { fields: p.fields } : {}),
    message: p.message,
    statusCode: p.statusCode,
  }));

function saveResults(operation: string, results: ItemResult[]): string {
  const result = results.map((r) => ({
    ...(r.problems.length ? { errors: errorsXml(r.problems) } : {}),
    fullName: r.fullName,
    success: String(!r.problems.length),
  }));
  return buildXml({ [`${operation}Response`]: { result } });
}

function upsertResults(results: ItemResult[]): string {
  const result = results.map((r) => ({
    created: String(!r.problems.length && !!r.created),
    ...(r.problems.length ? { errors: errorsXml(r.problems) } : {}),
    fullName: r.fullName,
    success: String(!r.problems.length),
  }));
  return buildXml({ upsertMetadataResponse: { result } });
}

function deleteResults(results: ItemResult[]): string {
  const result = results.map((r) => ({
    ...(r.problems.length ? { errors: errorsXml(r.problems) } : {}),
    fullName: r.fullName,
    success: String(!r.problems.length),
  }));
  return buildXml({ deleteMetadataResponse: { result } });
}
