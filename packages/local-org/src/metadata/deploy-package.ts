import JSZip from 'jszip';
import { appTypeFile } from './components';
import { asArray, parseXml, text, XmlSyntaxError, type XmlRecord } from './soap-xml';

/** A component named in package.xml with the file that holds it (undefined when missing from the zip). */
export interface PackagedComponent {
  type: string;
  fullName: string;
  fileName: string;
  record?: XmlRecord;
  problem?: string;
}

export interface DeployPackage {
  components: PackagedComponent[];
  deletions: Array<{ type: string; fullName: string; fileName: string }>;
  /** Problems with the package as a whole (no package.xml, unreadable zip). */
  problems: Array<{ fileName: string; problem: string }>;
}

/**
 * Reads a Metadata API deploy zip: package.xml at the root (singlePackage) or in one top-level folder,
 * component files at `<folder>/<member>.<suffix>`, and destructiveChanges(Pre|Post).xml beside package.xml.
 */
export async function readDeployPackage(zipBase64: string, singlePackage: boolean): Promise<DeployPackage> {
  const out: DeployPackage = { components: [], deletions: [], problems: [] };
  let zip: JSZip;
  try {
    zip = await JSZip.loadAsync(Buffer.from(zipBase64, 'base64'));
  } catch (error) {
    out.problems.push({
      fileName: '',
      problem: `The zip file could not be read: ${error instanceof Error ? error.message : String(error)}`,
    });
    return out;
  }
  const paths = Object.keys(zip.files).filter((p) => !zip.files[p].dir);
  let base = '';
  if (!paths.includes('package.xml')) {
    const nested = paths.filter((p) => /^[^/]+\/package\.xml$/.test(p));
    if (singlePackage || nested.length !== 1) {
      out.problems.push({ fileName: 'package.xml', problem: 'No package.xml found' });
      return out;
    }
    base = nested[0].slice(0, -'package.xml'.length);
  }
  const read = (path: string) => zip.file(base + path)?.async('string');

  const manifest = await readManifest(await read('package.xml'), 'package.xml', out);
  if (!manifest) return out;
  for (const [type, members] of manifest) {
    const file = appTypeFile(type);
    if (!file) {
      for (const fullName of members) {
        out.components.push({
          type,
          fullName,
          fileName: 'package.xml',
          problem: `The local org does not emulate deploys of the metadata type ${type}`,
        });
      }
      continue;
    }
    const names = members.includes('*')
      ? paths
          .filter((p) => p.startsWith(`${base}${file.folder}/`) && p.endsWith(`.${file.suffix}`))
          .map((p) => p.slice(`${base}${file.folder}/`.length, -file.suffix.length - 1))
      : members;
    for (const fullName of names) {
      const fileName = `${file.folder}/${fullName}.${file.suffix}`;
      const content = await read(fileName);
      if (content === undefined) {
        out.components.push({
          type,
          fullName,
          fileName: 'package.xml',
          problem: `An object '${fullName}' of type ${type} was named in package.xml, but was not found in zipped directory`,
        });
        continue;
      }
      try {
        const parsed = parseXml(content);
        const root = parsed[type];
        if (root === undefined) throw new XmlSyntaxError(`expected root element ${type}`);
        out.components.push({
          type,
          fullName,
          fileName,
          record: root && typeof root === 'object' && !Array.isArray(root) ? root : {},
        });
      } catch (error) {
        out.components.push({
          type,
          fullName,
          fileName,
          problem: `Error parsing file: ${error instanceof Error ? error.message : String(error)}`,
        });
      }
    }
  }
  for (const name of ['destructiveChangesPre.xml', 'destructiveChanges.xml', 'destructiveChangesPost.xml']) {
    const content = await read(name);
    if (content === undefined) continue;
    const destructive = await readManifest(content, name, out);
    for (const [type, members] of destructive ?? [])
      for (const fullName of members) out.deletions.push({ type, fullName, fileName: name });
  }
  return out;
}

async function readManifest(
  content: string | undefined,
  fileName: string,
  out: DeployPackage,
): Promise<Map<string, string[]> | undefined> {
  if (content === undefined) return undefined;
  let pkg: XmlRecord;
  try {
    const parsed = parseXml(content);
    const root = parsed.Package;
    if (root === undefined) throw new XmlSyntaxError('expected root element Package');
    pkg = root && typeof root === 'object' && !Array.isArray(root) ? root : {};
  } catch (error) {
    out.problems.push({
      fileName,
      problem: `Error parsing file: ${error instanceof Error ? error.message : String(error)}`,
    });
    return undefined;
  }
  const types = new Map<string, string[]>();
  for (const t of asArray(pkg.types)) {
    const entry = t && typeof t === 'object' && !Array.isArray(t) ? t : {};
    const name = text(entry.name);
    if (!name) {
      out.problems.push({ fileName, problem: 'No name specified for a types element' });
      continue;
    }
    types.set(name, [...(types.get(name) ?? []), ...asArray(entry.members).map((m) => text(m) ?? '')]);
  }
  return types;
}
