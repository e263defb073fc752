import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { OrgContext } from '../http/context';
import {
  createMetadata,
  deleteMetadata,
  listMetadata,
  readMetadata,
  renameMetadata,
  updateMetadata,
  upsertMetadata,
  type CrudContext,
} from './crud';
import { registerOAuthCredentials } from './credentials-routes';
import { checkDeployStatus, startDeploy } from './deploy';
import { describeMetadata } from './describe';
import { checkRetrieveStatus, startRetrieve } from './retrieve';
import { SoapFault, readSoapCall, soapFaultXml, soapSession, type SoapCall } from './soap-request';
import { envelope } from './soap-xml';

const XML_TYPE = 'text/xml;charset=UTF-8';
/** Metadata API versions the local org answers (ConnectedApp exists since 29.0). */
const MIN_VERSION = 29;

type Operation = (cc: CrudContext, call: SoapCall) => string | Promise<string>;

const OPERATIONS: Record<string, Operation> = {
  createMetadata,
  readMetadata,
  updateMetadata,
  upsertMetadata,
  deleteMetadata,
  renameMetadata,
  listMetadata,
  deploy: (cc, call) => startDeploy(cc.org, cc.userId, call),
  checkDeployStatus: (cc, call) => checkDeployStatus(cc.org, call),
  describeMetadata: () => describeMetadata(),
  retrieve: (cc, call) => startRetrieve(cc.org, cc.userId, call),
  checkRetrieveStatus: (cc, call) => checkRetrieveStatus(cc.org, call),
};

/** The Metadata API over SOAP (ConnectedApp CRUD, External Client App deploys) and the ECA OAuth credentials REST resources. */
export function registerMetadata(app: FastifyInstance, ctx: () => OrgContext): void {
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    try {
      const body = await handleSoap(ctx(), request);
      return reply.code(200).type(XML_TYPE).send(envelope(body));
    } catch (error) {
      return reply.code(500).type(XML_TYPE).send(soapFaultXml(error));
    }
  };
  app.post('/services/Soap/m/:version', handler);
  // The endpoint's tail is the org id in the login result's metadataServerUrl; simple-salesforce posts
  // deploys to `.../deployRequest[/{id}]` instead, which real orgs serve as the same endpoint.
  app.post('/services/Soap/m/:version/*', handler);
  registerOAuthCredentials(app, ctx);
}

async function handleSoap(ctx: OrgContext, request: FastifyRequest): Promise<string> {
  const params = request.params as { version: string; '*'?: string };
  const tail = params['*']?.split('/')[0];
  const orgId = tail && /^00D[a-zA-Z0-9]{12}(?:[a-zA-Z0-9]{3})?$/.test(tail) ? tail : undefined;
  const version = /^(\d+)\.0$/.exec(params.version);
  if (!version || Number(version[1]) < MIN_VERSION || Number(version[1]) > Number(ctx.org.apiVersion)) {
    throw SoapFault.api('UNSUPPORTED_API_VERSION', `Invalid Api version specified on URL: ${params.version}`);
  }
  if (typeof request.body !== 'string') throw SoapFault.client('Expected a text/xml SOAP envelope');
  const call = readSoapCall(request.body);
  const operation = OPERATIONS[call.operation];

  const session = soapSession(ctx, call, orgId);
  const access = ctx.org.dml.access(session.userId);
  const perms = access.perms.system;
  if (!perms.PermissionsApiEnabled && !perms.PermissionsModifyAllData)
    throw SoapFault.api('API_DISABLED_FOR_USER', 'API is disabled for this User');
  if (!perms.PermissionsModifyAllData && !perms.PermissionsModifyMetadata && !perms.PermissionsCustomizeApplication) {
    throw SoapFault.api(
      'INSUFFICIENT_ACCESS',
      'use of the Metadata API requires a user with the ModifyAllData or ModifyMetadata permissions',
    );
  }
  if (!operation) {
    throw SoapFault.client(
      `No operation available for request {http://soap.sforce.com/2006/04/metadata}${call.operation}, please check the WSDL for the service.`,
    );
  }
  return operation({ org: ctx.org, userId: session.userId, allOrNone: call.allOrNone }, call);
}
