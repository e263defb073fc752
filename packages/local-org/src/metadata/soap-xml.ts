import { XMLBuilder, XMLParser } from 'fast-xml-parser';

export const METADATA_NS = 'http://soap.sforce.com/2006/04/metadata';
const SOAP_ENV_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';

/** An XML element as plain data: text, a record of children (repeated children become arrays), or nil. */
export type XmlValue = string | XmlRecord | XmlValue[] | null;
export interface XmlRecord {
  [name: string]: XmlValue;
}

// Clients disagree on prefixes (jsforce: default namespace; Apex mdapi and zeep: `met:`/`env:`), so
// element and attribute names lose their prefixes and only local names are compared.
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
});

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  suppressEmptyNode: true,
  suppressBooleanAttributes: false,
});

export class XmlSyntaxError extends Error {}

/** Parses XML into XmlValue: attributes dropped except `xsi:nil` (→ null); `#text` with attributes unwrapped. */
export function parseXml(xml: string): XmlRecord {
  let raw: unknown;
  try {
    raw = parser.parse(xml, true);
  } catch (error) {
    throw new XmlSyntaxError(error instanceof Error ? error.message : String(error));
  }
  const value = normalize(raw);
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new XmlSyntaxError('no root element');
  return value;
}

/** The raw parse with attributes kept (`@type` for `xsi:type`), for envelopes whose items are typed. */
export function parseWithTypes(xml: string): unknown {
  try {
    return parser.parse(xml, true);
  } catch (error) {
    throw new XmlSyntaxError(error instanceof Error ? error.message : String(error));
  }
}

export function normalize(raw: unknown): XmlValue {
  if (raw === null || raw === undefined) return '';
  if (Array.isArray(raw)) return raw.map(normalize);
  if (typeof raw !== 'object') return String(raw);
  const obj = raw as Record<string, unknown>;
  if (obj['@nil'] === 'true') return null;
  const out: XmlRecord = {};
  let hasChildren = false;
  for (const [key, value] of Object.entries(obj)) {
    if (key.startsWith('@')) continue;
    if (key === '#text') continue;
    out[key] = normalize(value);
    hasChildren = true;
  }
  if (!hasChildren) return '#text' in obj ? String(obj['#text']) : '';
  return out;
}

/** The local type name of an element's `xsi:type` attribute in a raw parse, if any. */
export function xsiTypeOf(raw: unknown): string | undefined {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const t = (raw as Record<string, unknown>)['@type'];
  return typeof t === 'string' ? t.slice(t.indexOf(':') + 1) : undefined;
}

export const asArray = <T>(value: T | T[] | undefined | null): T[] =>
  value === undefined || value === null || value === '' ? [] : Array.isArray(value) ? value : [value];

export function text(value: XmlValue | undefined): string | undefined {
  if (typeof value === 'string') return value;
  return undefined;
}

export function bool(value: XmlValue | undefined): boolean | undefined {
  const t = text(value);
  if (t === undefined || t === '') return undefined;
  return t === 'true' || t === '1';
}

export function buildXml(content: unknown): string {
  return builder.build(content) as string;
}

/**
 * The SOAP envelope real orgs answer with. jsforce walks `/:Envelope$/ → /:Body$/ → first key`, so the
 * Envelope and Body are prefixed, the Body has no attributes (they would become that first key), and the
 * namespaces sit on the Envelope.
 */
export function envelope(bodyXml: string, namespace = METADATA_NS): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    `<soapenv:Envelope xmlns:soapenv="${SOAP_ENV_NS}" xmlns="${namespace}" xmlns:xsi="${XSI_NS}">` +
    `<soapenv:Body>${bodyXml}</soapenv:Body></soapenv:Envelope>`
  );
}

export function escapeXml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/**
 * A SOAP fault as the Metadata API sends it (HTTP 500). jsforce reads the unprefixed faultcode and
 * faultstring, and refreshes sessions only on `<faultcode>xx:INVALID_SESSION_ID</faultcode>`.
 */
export function faultEnvelope(
  faultcode: string,
  faultstring: string,
  exceptionCode?: string,
  exceptionMessage?: string,
): string {
  const detail = exceptionCode
    ? `<detail><sf:UnexpectedErrorFault xsi:type="sf:UnexpectedErrorFault"><sf:exceptionCode>${escapeXml(exceptionCode)}</sf:exceptionCode>` +
      `<sf:exceptionMessage>${escapeXml(exceptionMessage ?? faultstring)}</sf:exceptionMessage></sf:UnexpectedErrorFault></detail>`
    : '';
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    `<soapenv:Envelope xmlns:soapenv="${SOAP_ENV_NS}" xmlns:sf="${METADATA_NS}" xmlns:xsi="${XSI_NS}">` +
    `<soapenv:Body><soapenv:Fault><faultcode>${escapeXml(faultcode)}</faultcode><faultstring>${escapeXml(faultstring)}</faultstring>${detail}` +
    '</soapenv:Fault></soapenv:Body></soapenv:Envelope>'
  );
}
