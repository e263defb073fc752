import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FaultRule } from './faults';

/** Which protocol a path belongs to: each answers errors in its own shape. */
export type Surface = 'rest' | 'soap' | 'oauth';

export function surfaceOf(path: string): Surface {
  if (path.startsWith('/services/Soap/')) return 'soap';
  if (path.startsWith('/services/oauth2/') || path.startsWith('/id/')) return 'oauth';
  return 'rest';
}

const REST_JSON = 'application/json;charset=UTF-8';

/**
 * The page Salesforce serves while an instance is down for maintenance (HTTP 503, text/html). jsforce
 * turns an exact `text/html` content type into its "HTTP response contains html content" error.
 */
export const MAINTENANCE_PAGE =
  '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN" "http://www.w3.org/TR/html4/loose.dtd">\n' +
  '<html><head><title>Maintenance</title></head><body><center><table bgcolor="white" style="align: center;"><tr><td>' +
  '<span style="font-family: Verdana; font-size: medium; font-weight: bold;">We are down for maintenance.</span><br><br>' +
  "Sorry for the inconvenience. We'll be back shortly.</td></tr></table></center></body></html>\n";

/** A fault's answer in the shape of the request's surface; none for latency and connection faults. */
export interface FaultAnswer {
  status: number;
  contentType: string;
  body: string;
}

/** Sends the fault's response in the shape of the request's surface, or destroys the connection. */
export function sendFault(request: FastifyRequest, reply: FastifyReply, rule: FaultRule, errorId: string): void {
  if (rule.kind === 'drop') {
    // No response at all: the client sees a reset socket, as with a load balancer dropping the connection.
    reply.hijack();
    request.raw.socket?.destroy();
    return;
  }
  const answer = faultAnswer(request.url, rule, errorId);
  if (answer) reply.code(answer.status).header('content-type', answer.contentType).send(answer.body);
}

export function faultAnswer(
  url: string,
  rule: Pick<FaultRule, 'kind' | 'style'>,
  errorId: string,
): FaultAnswer | undefined {
  const surface = surfaceOf(url.split('?')[0]);
  switch (rule.kind) {
    case 'server-error': {
      const message = `An unexpected error occurred. Please include this ErrorId if you contact support: ${errorId}`;
      if (surface === 'soap') return soapFault(url, 500, 'UNKNOWN_EXCEPTION', message);
      if (surface === 'oauth') return oauthError(500, 'server_error', message);
      return restError(500, 'UNKNOWN_EXCEPTION', message);
    }
    case 'unavailable': {
      if (rule.style !== 'busy') return { status: 503, contentType: 'text/html', body: MAINTENANCE_PAGE };
      if (surface === 'soap') return soapFault(url, 503, 'SERVER_UNAVAILABLE', 'Server too busy');
      if (surface === 'oauth') return oauthError(503, 'temporarily_unavailable', 'Server too busy');
      return restError(503, 'SERVER_UNAVAILABLE', 'Server too busy');
    }
    case 'request-limit': {
      if (surface === 'soap') return soapFault(url, 500, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');
      if (surface === 'oauth') return oauthError(400, 'rate_limit_exceeded', 'Number of logins exceeded');
      return restError(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');
    }
    case 'response-lost':
      return rule.style === 'server-error' ? faultAnswer(url, { kind: 'server-error' }, errorId) : undefined;
    case 'drop':
    case 'latency':
      return undefined;
  }
}

function restError(status: number, errorCode: string, message: string): FaultAnswer {
  return { status, contentType: REST_JSON, body: JSON.stringify([{ message, errorCode }]) };
}

function oauthError(status: number, error: string, description: string): FaultAnswer {
  return {
    status,
    contentType: 'application/json;charset=UTF-8',
    body: JSON.stringify({ error, error_description: description }),
  };
}

/** A SOAP fault as the Metadata (and partner) API sends it: `sf:` prefix bound to the API's fault namespace. */
function soapFault(url: string, status: number, code: string, message: string): FaultAnswer {
  const ns = url.startsWith('/services/Soap/m/')
    ? 'http://soap.sforce.com/2006/04/metadata'
    : url.startsWith('/services/Soap/T/')
      ? 'urn:fault.tooling.soap.sforce.com'
      : 'urn:fault.partner.soap.sforce.com';
  const text = escapeXml(`${code}: ${message}`);
  const body =
    '<?xml version="1.0" encoding="UTF-8"?>' +
    '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ' +
    `xmlns:sf="${ns}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">` +
    `<soapenv:Body><soapenv:Fault><faultcode>sf:${code}</faultcode><faultstring>${text}</faultstring>` +
    `<detail><sf:UnexpectedErrorFault xsi:type="sf:UnexpectedErrorFault"><sf:exceptionCode>${code}</sf:exceptionCode>` +
    `<sf:exceptionMessage>${escapeXml(message)}</sf:exceptionMessage></sf:UnexpectedErrorFault></detail>` +
    '</soapenv:Fault></soapenv:Body></soapenv:Envelope>';
  return { status, contentType: 'text/xml;charset=UTF-8', body };
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
