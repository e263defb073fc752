import { XMLBuilder } from 'fast-xml-parser';
import JSZip from 'jszip';
import { formatDateTime } from '../engine/values';
import type { LocalOrg } from '../org';
import type { Row } from '../store/database';
import { publicComponent } from './connected-app';
import { APP_TYPES, appTypeFile, storedComponents } from './components';
import { fileProperties } from './crud';
import { RECORD_TYPES } from './record-types';
import { SoapFault, type SoapCall } from './soap-request';
import { METADATA_NS, asArray, bool, buildXml, text, type XmlRecord } from './soap-xml';

const RETRIEVE_TABLE = '_MetadataRetrieve';

interface RetrieveJob {
  Id: string;
  /** The requested manifest: type name → members (`*` for all). */
  types: Array<{ name: string; members: string[] }>;
  version: string;
  singlePackage: boolean;
  packageNames: string[];
  createdById: string;
  createdDate: string;
  /** The finished RetrieveResult without its zip, once done. */
  result: Record<string, unknown> | null;
  /** Base64 zip, kept until a checkRetrieveStatus hands it out (Salesforce then deletes it). */
  zip: string | null;
}

// Files in a retrieved zip are indented by four spaces, and the zip has no folder entries, as Salesforce's.
const fileBuilder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  suppressEmptyNode: true,
  format: true,
  indentBy: '    ',
});
const xmlFile = (root: string, content: Record<string, unknown>) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n${fileBuilder.build({ [root]: { '@xmlns': METADATA_NS, ...content } }) as string}`;

const rec = (v: unknown): XmlRecord =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as XmlRecord) : ({} as XmlRecord);

/**
 * `retrieve`: queues a RetrieveRequest (unpackaged manifest, singlePackage, packageNames) and answers with an
 * AsyncResult; the zip is built on the first checkRetrieveStatus.
 */
export function startRetrieve(org: LocalOrg, userId: string, call: SoapCall): string {
  const request = rec(call.args.request);
  const unpackaged = rec(request.unpackaged);
  const job: RetrieveJob = {
    Id: org.db.nextId('09S'),
    types: asArray(unpackaged.types).map((t) => ({
      name: text(rec(t).name) ?? '',
      members: asArray(rec(t).members).map((m) => text(m) ?? ''),
    })),
    version: text(unpackaged.version) || text(request.apiVersion) || org.apiVersion,
    singlePackage: bool(request.singlePackage) ?? false,
    packageNames: asArray(request.packageNames).map((n) => text(n) ?? ''),
    createdById: userId,
    createdDate: formatDateTime(org.now()),
    result: null,
    zip: null,
  };
  org.db.insert(RETRIEVE_TABLE, job as unknown as Row);
  return buildXml({ retrieveResponse: { result: { done: 'false', id: job.Id, state: 'Queued' } } });
}

/**
 * `checkRetrieveStatus(id, includeZip)`: the retrieve completes on the first check. With includeZip (the
 * default) the zip is returned once and then dropped, as the guide says Salesforce deletes it.
 */
export async function checkRetrieveStatus(org: LocalOrg, call: SoapCall): Promise<string> {
  const id = text(call.args.asyncProcessId) ?? text(call.args.id) ?? '';
  const includeZip = bool(call.args.includeZip) ?? true;
  const stored = /^[a-zA-Z0-9]{15,18}$/.test(id)
    ? (org.db.get(RETRIEVE_TABLE, id) as unknown as RetrieveJob | undefined)
    : undefined;
  if (!stored) throw SoapFault.api('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id');
  let job = stored;
  if (!job.result) job = { ...job, ...(await runRetrieve(org, job)) };
  const zip = includeZip ? job.zip : null;
  if (zip) job = { ...job, zip: null };
  org.db.update(RETRIEVE_TABLE, job.Id, job as unknown as Row);
  return buildXml({ checkRetrieveStatusResponse: { result: { ...job.result, ...(zip ? { zipFile: zip } : {}) } } });
}

async function runRetrieve(org: LocalOrg, job: RetrieveJob): Promise<Pick<RetrieveJob, 'result' | 'zip'>> {
  const base = job.singlePackage ? '' : 'unpackaged/';
  const zip = new JSZip();
  const files: Array<Record<string, unknown>> = [];
  const messages: Array<{ fileName: string; problem: string }> = [];
  const manifest = `${base}package.xml`;
  const problem = (p: string) => messages.push({ fileName: manifest, problem: p });

  for (const name of job.packageNames) problem(`No package named '${name}' found`);
  for (const { name: type, members } of job.types) {
    if (!APP_TYPES.includes(type)) {
      problem(
        RECORD_TYPES[type]
          ? `The local org does not emulate retrieves of the metadata type ${type}`
          : `Entity type: '${type}' is unknown`,
      );
      continue;
    }
    const file = appTypeFile(type)!;
    const all = storedComponents(org, type);
    const wanted = members.includes('*')
      ? all
      : members.flatMap((member) => {
          const found = all.find((c) => String(c.component.fullName).toLowerCase() === member.toLowerCase());
          if (!found) problem(`Entity of type '${type}' named '${member}' cannot be found`);
          return found ? [found] : [];
        });
    for (const { app, component } of wanted) {
      const { fullName, ...content } = publicComponent(component);
      const path = `${base}${file.folder}/${String(fullName)}.${file.suffix}`;
      zip.file(path, xmlFile(type, content), { createFolders: false });
      files.push({ ...fileProperties(org, type, app, component), fileName: path });
    }
  }
  zip.file(
    manifest,
    xmlFile('Package', {
      types: job.types.map((t) => ({ members: t.members, name: t.name })),
      version: job.version,
    }),
    { createFolders: false },
  );
  const now = formatDateTime(org.now());
  const creator = org.db.get('User', job.createdById);
  const creatorName = String(creator?.Name ?? creator?.Username ?? '');
  files.push({
    createdById: job.createdById,
    createdByName: creatorName,
    createdDate: now,
    fileName: manifest,
    fullName: manifest,
    id: '',
    lastModifiedById: job.createdById,
    lastModifiedByName: creatorName,
    lastModifiedDate: now,
    manageableState: 'unmanaged',
    type: 'Package',
  });
  return {
    result: {
      done: 'true',
      fileProperties: files,
      id: job.Id,
      messages,
      status: 'Succeeded',
      success: 'true',
    },
    zip: await zip.generateAsync({ type: 'base64', compression: 'DEFLATE' }),
  };
}
