import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { OrgContext } from '../http/context';
import { SoapFault, readSoapCall, soapFaultXml, soapSession } from '../metadata/soap-request';
import { buildXml, envelope } from '../metadata/soap-xml';

const APEX_NS = 'http://soap.sforce.com/2006/08/apex';
const XML_TYPE = 'text/xml;charset=UTF-8';

/**
 * The Apex SOAP API (`/services/Soap/s/NN.0[/{orgId}]`), where `sf apex run` sends `executeAnonymous`. The
 * local org has no Apex runtime, so it never claims to have run code: every call answers an
 * ExecuteAnonymousResult that did not compile (compiled and success false), the way a real org reports code
 * it cannot compile, with a compileProblem saying why.
 */
export function registerApex(app: FastifyInstance, ctx: () => OrgContext): void {
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    try {
      return reply
        .code(200)
        .type(XML_TYPE)
        .send(envelope(executeAnonymous(ctx(), request), APEX_NS));
    } catch (error) {
      return reply.code(500).type(XML_TYPE).send(soapFaultXml(error));
    }
  };
  app.post('/services/Soap/s/:version', handler);
  app.post('/services/Soap/s/:version/*', handler);
}

function executeAnonymous(ctx: OrgContext, request: FastifyRequest): string {
  if (typeof request.body !== 'string') throw SoapFault.client('Expected a text/xml SOAP envelope');
  const call = readSoapCall(request.body);
  soapSession(ctx, call);
  if (call.operation !== 'executeAnonymous')
    throw SoapFault.client(
      `No operation available for request {${APEX_NS}}${call.operation}, please check the WSDL for the service.`,
    );
  return buildXml({
    executeAnonymousResponse: {
      result: {
        column: '-1',
        compileProblem: 'The local org cannot compile or execute Apex (an emulator without an Apex runtime)',
        compiled: 'false',
        exceptionMessage: { '@xsi:nil': 'true' },
        exceptionStackTrace: { '@xsi:nil': 'true' },
        line: '-1',
        success: 'false',
      },
    },
  });
}
