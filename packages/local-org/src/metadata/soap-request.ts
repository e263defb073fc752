import { SfError } from '../errors';
import type { OrgContext } from '../http/context';
import { sameId } from '../store/ids';
import {
  faultEnvelope,
  normalize,
  parseWithTypes,
  type XmlRecord,
  type XmlValue,
  bool,
  text,
  XmlSyntaxError,
} from './soap-xml';

/** A request the Metadata API refuses as a whole: a SOAP fault with HTTP 500. */
export class SoapFault extends Error {
  constructor(
    /** Prefixed fault code, e.g. `sf:INVALID_SESSION_ID` or `soapenv:Client`. */
    readonly faultcode: string,
    readonly faultstring: string,
    /** The API exception code for the fault detail, when the fault is an API fault (not a SOAP/XML one). */
    readonly exceptionCode?: string,
  ) {
    super(faultstring);
    this.name = 'SoapFault';
  }

  static api(code: string, message: string): SoapFault {
    return new SoapFault(`sf:${code}`, `${code}: ${message}`, code);
  }

  static client(message: string): SoapFault {
    return new SoapFault('soapenv:Client', message);
  }
}

export interface SoapCall {
  operation: string;
  /** The operation element, raw (attributes kept) so that `xsi:type` of each metadata item can be read. */
  rawArgs: Record<string, unknown>;
  args: XmlRecord;
  sessionId: string | undefined;
  allOrNone: boolean;
}

const rec = (v: unknown): Record<string, unknown> | undefined =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

/** Reads a SOAP 1.1 envelope whatever prefixes the client chose. */
export function readSoapCall(xml: string): SoapCall {
  let raw: unknown;
  try {
    raw = parseWithTypes(xml);
  } catch (error) {
    const message = error instanceof XmlSyntaxError ? error.message : String(error);
    throw SoapFault.client(`Could not parse the request envelope: ${message}`);
  }
  const env = rec(rec(raw)?.Envelope);
  if (!env) throw SoapFault.client('Expected a SOAP Envelope element');
  const body = rec(env.Body);
  const operation = body && Object.keys(body).find((k) => !k.startsWith('@'));
  if (!body || !operation) throw SoapFault.client('Expected an operation element in the SOAP Body');
  const rawArgs = rec(body[operation]) ?? {};
  const header = normalize(env.Header ?? '');
  const headerRec: XmlRecord = header && typeof header === 'object' && !Array.isArray(header) ? header : {};
  const session = headerRec.SessionHeader as XmlRecord | undefined;
  const allOrNoneHeader = headerRec.AllOrNoneHeader as XmlRecord | undefined;
  const args = normalize(rawArgs);
  return {
    operation,
    rawArgs,
    args: args && typeof args === 'object' && !Array.isArray(args) ? args : {},
    sessionId: text(session?.sessionId as XmlValue | undefined)?.trim() || undefined,
    allOrNone: bool(allOrNoneHeader?.allOrNone as XmlValue | undefined) ?? false,
  };
}

/** The fault envelope (sent with HTTP 500) for anything a SOAP handler threw. */
export function soapFaultXml(error: unknown): string {
  const fault =
    error instanceof SoapFault
      ? error
      : SoapFault.api(
          'UNKNOWN_EXCEPTION',
          `An unexpected error occurred: ${error instanceof Error ? error.message : String(error)}`,
        );
  return faultEnvelope(
    fault.faultcode,
    fault.faultstring,
    fault.exceptionCode,
    fault.exceptionCode ? fault.faultstring.slice(fault.exceptionCode.length + 2) : undefined,
  );
}

/**
 * The session of a SOAP call (SessionHeader), refused as INVALID_SESSION_ID when dead, without the api scope or,
 * given the endpoint's org id, of another org; the call is then charged to the daily allocation.
 */
export function soapSession(ctx: OrgContext, call: SoapCall, orgId?: string): { userId: string } {
  const session = ctx.sessions.resolve(call.sessionId);
  if (
    !session ||
    (!session.scopes.includes('api') && !session.scopes.includes('full')) ||
    (orgId && !sameId(orgId, ctx.org.orgId))
  ) {
    throw SoapFault.api('INVALID_SESSION_ID', 'Invalid Session ID found in SessionHeader: Illegal Session');
  }
  try {
    ctx.usage.charge();
  } catch (error) {
    if (error instanceof SfError) throw SoapFault.api(error.errorCode, error.message);
    throw error;
  }
  return session;
}
