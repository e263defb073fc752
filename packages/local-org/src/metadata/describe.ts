import { CONNECTED_APP_FILE, ECA_TYPES } from './eca-types';
import { RECORD_TYPES } from './record-types';
import { buildXml } from './soap-xml';

/**
 * describeMetadata: the metadata types this org models, as DescribeMetadataObject (xmlName, directoryName,
 * suffix, inFolder, metaFile, childXmlNames). ApexClass is the one of them deployed with a -meta.xml file.
 */
export function describeMetadata(): string {
  const folders: Record<string, { folder: string; suffix: string }> = {
    ...RECORD_TYPES,
    ConnectedApp: CONNECTED_APP_FILE,
    ...ECA_TYPES,
  };
  const metadataObjects = Object.entries(folders)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([xmlName, { folder, suffix }]) => ({
      directoryName: folder,
      inFolder: 'false',
      metaFile: String(xmlName === 'ApexClass'),
      suffix,
      xmlName,
    }));
  return buildXml({
    describeMetadataResponse: {
      result: { metadataObjects, organizationNamespace: '', partialSaveAllowed: 'false', testRequired: 'true' },
    },
  });
}
