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

/** Sends the fault's response in the shape of the request's surface, or destroys the connection. */
export function sendFault(request: FastifyRequest, reply: FastifyReply, rule: FaultRule, errorId: string): void {
  const surface = surfaceOf(request.url.split('?')[0]);
  switch (rule.kind) {
    case 'drop':
      // No response at all: the client sees a reset socket, as with a load balancer dropping the connection.
      reply.hijack();
      request.raw.socket?.destroy();
      return;
    case 'server-error': {
      const message = `An unexpected error occurred. Please include this ErrorId if you contact support: ${errorId}`;
      if (surface === 'soap') return void soapFault(reply, request.url, 500, 'UNKNOWN_EXCEPTION', message);
      if (surface === 'oauth') return void oauthError(reply, 500, 'server_error', message);
      return void restError(reply, 500, 'UNKNOWN_EXCEPTION', message);
    }
    case 'unavailable': {
      if (rule.style !== 'busy') {
        reply.code(503).header('content-type', 'text/html').send(MAINTENANCE_PAGE);
        return;
      }
      if (surface === 'soap') return void soapFault(reply, request.url, 503, 'SERVER_UNAVAILABLE', 'Server too busy');
      if (surface === 'oauth') return void oauthError(reply, 503, 'temporarily_unavailable', 'Server too busy');
      return void restError(reply, 503, 'SERVER_UNAVAILABLE', 'Server too busy');
    }
    case 'request-limit': {
      if (surface === 'soap') return void soapFault(reply, request.url, 500, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');
      if (surface === 'oauth') return void oauthError(reply, 400, 'rate_limit_exceeded', 'Number of logins exceeded');
      return void restError(reply, 403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');
    }
    case 'latency':
      return;
  }
}

function restError(reply: FastifyReply, status: number, errorCode: string, message: string): void {
  reply.code(status).header('content-type', REST_JSON).send(JSON.stringify([{ message, errorCode }]));
}

function oauthError(reply: FastifyReply, status: number, error: string, description: string): void {
  reply.code(status).header('content-type', 'application/json;charset=UTF-8').send(JSON.stringify({ error, error_description: description }));
}

/** A SOAP fault as the Metadata (and partner) API sends it: `sf:` prefix bound to the API's fault namespace. */
function soapFault(reply: FastifyReply, url: string, status: number, code: string, message: string): void {
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
  reply.code(status).header('content-type', 'text/xml;charset=UTF-8').send(body);
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
