import JSZip from 'jszip';

/**
 * Builds Metadata API deploy zips for External Client Apps in the layout the Metadata API Developer Guide
 * documents (externalClientApps/*.eca, extlClntAppOauthSettings/*.ecaOauth, extlClntAppGlobalOauthSets/*.ecaGlblOauth,
 * extlClntAppOauthPolicies/*.ecaOauthPlcy, package.xml at the root for singlePackage deploys).
 */
export interface EcaSpec {
  name: string;
  label?: string;
  contactEmail?: string | null;
  /** Enum names as in commaSeparatedOauthScopes: Api, RefreshToken, Web, ... */
  scopes?: string[];
  callbackUrl?: string;
  certificate?: string;
  consumerKey?: string;
  consumerSecret?: string;
  clientCredentials?: { user: string } | null;
  permittedUsers?: 'AdminApprovedPreAuthorized' | 'AllSelfAuthorized';
  permissionSets?: string[];
  profiles?: string[];
  ipRelaxation?: string;
  refreshToken?: { type: string; period?: number; unit?: string };
  sessionTimeoutInMinutes?: number;
  trustedIpRanges?: Array<{ start: string; end: string }>;
  /** Which parts to include (all by default). */
  parts?: Array<'header' | 'settings' | 'global' | 'policies'>;
}

const NS = 'http://soap.sforce.com/2006/04/metadata';
const esc = (v: string) => v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const el = (name: string, value: string | number | boolean | undefined | null) =>
  value === undefined || value === null ? '' : `<${name}>${esc(String(value))}</${name}>`;
const doc = (root: string, inner: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${NS}">${inner}</${root}>\n`;

export const member = {
  settings: (name: string) => `${name}_oauth`,
  global: (name: string) => `${name}_glbloauth`,
  policies: (name: string) => `${name}_oauthPlcy`,
};

export function ecaFiles(spec: EcaSpec): Array<{ type: string; member: string; path: string; xml: string }> {
  const parts = spec.parts ?? ['header', 'settings', 'global', 'policies'];
  const files: Array<{ type: string; member: string; path: string; xml: string }> = [];
  if (parts.includes('header')) {
    files.push({
      type: 'ExternalClientApplication',
      member: spec.name,
      path: `externalClientApps/${spec.name}.eca`,
      xml: doc(
        'ExternalClientApplication',
        el('contactEmail', spec.contactEmail === undefined ? 'integrations@example.com' : spec.contactEmail) +
          el('description', 'onramp test app') +
          el('distributionState', 'Local') +
          el('isProtected', false) +
          el('label', spec.label ?? spec.name),
      ),
    });
  }
  if (parts.includes('settings')) {
    const ranges = (spec.trustedIpRanges ?? [])
      .map((r) => `<trustedIpRanges>${el('end', r.end)}${el('start', r.start)}</trustedIpRanges>`)
      .join('');
    files.push({
      type: 'ExtlClntAppOauthSettings',
      member: member.settings(spec.name),
      path: `extlClntAppOauthSettings/${member.settings(spec.name)}.ecaOauth`,
      xml: doc(
        'ExtlClntAppOauthSettings',
        el('commaSeparatedOauthScopes', (spec.scopes ?? ['Api', 'RefreshToken']).join(',')) +
          el('externalClientApplication', spec.name) +
          el('label', `${spec.name} OAuth`) +
          ranges,
      ),
    });
  }
  if (parts.includes('global')) {
    files.push({
      type: 'ExtlClntAppGlobalOauthSettings',
      member: member.global(spec.name),
      path: `extlClntAppGlobalOauthSets/${member.global(spec.name)}.ecaGlblOauth`,
      xml: doc(
        'ExtlClntAppGlobalOauthSettings',
        el('callbackUrl', spec.callbackUrl ?? 'https://login.salesforce.com/services/oauth2/success') +
          el('certificate', spec.certificate) +
          el('consumerKey', spec.consumerKey) +
          el('consumerSecret', spec.consumerSecret) +
          el('externalClientApplication', spec.name) +
          el('isClientCredentialsFlowEnabled', !!spec.clientCredentials) +
          el('isConsumerSecretOptional', false) +
          el('isPkceRequired', false) +
          el('label', `${spec.name} global OAuth`),
      ),
    });
  }
  if (parts.includes('policies')) {
    const refresh = spec.refreshToken ?? { type: 'Infinite' };
    files.push({
      type: 'ExtlClntAppOauthConfigurablePolicies',
      member: member.policies(spec.name),
      path: `extlClntAppOauthPolicies/${member.policies(spec.name)}.ecaOauthPlcy`,
      xml: doc(
        'ExtlClntAppOauthConfigurablePolicies',
        el('clientCredentialsFlowUser', spec.clientCredentials?.user) +
          el('commaSeparatedPermissionSet', spec.permissionSets?.length ? spec.permissionSets.join(',') : undefined) +
          el('commaSeparatedProfile', spec.profiles?.length ? spec.profiles.join(',') : undefined) +
          el('externalClientApplication', spec.name) +
          el('ipRelaxationPolicyType', spec.ipRelaxation ?? 'Enforce') +
          el('isClientCredentialsFlowEnabled', !!spec.clientCredentials) +
          el('label', `${spec.name} policies`) +
          el('permittedUsersPolicyType', spec.permittedUsers ?? 'AdminApprovedPreAuthorized') +
          el('refreshTokenPolicyType', refresh.type) +
          el('refreshTokenValidityPeriod', refresh.period) +
          el('refreshTokenValidityUnit', refresh.unit) +
          el('sessionTimeoutInMinutes', spec.sessionTimeoutInMinutes),
      ),
    });
  }
  return files;
}

export function packageXml(types: Map<string, string[]>, version = '62.0'): string {
  const inner = [...types]
    .map(([name, members]) => `<types>${members.map((m) => el('members', m)).join('')}${el('name', name)}</types>`)
    .join('');
  return doc('Package', inner + el('version', version));
}

/** A singlePackage deploy zip for these apps; `destroy` lists ExternalClientApplication names to delete. */
export async function ecaDeployZip(
  specs: EcaSpec[],
  options: { destroy?: string[]; omitFiles?: string[] } = {},
): Promise<Buffer> {
  const zip = new JSZip();
  const types = new Map<string, string[]>();
  for (const spec of specs) {
    for (const f of ecaFiles(spec)) {
      types.set(f.type, [...(types.get(f.type) ?? []), f.member]);
      if (!options.omitFiles?.includes(f.path)) zip.file(f.path, f.xml);
    }
  }
  zip.file('package.xml', packageXml(types));
  if (options.destroy?.length)
    zip.file('destructiveChanges.xml', packageXml(new Map([['ExternalClientApplication', options.destroy]])));
  return zip.generateAsync({ type: 'nodebuffer' });
}
