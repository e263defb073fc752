import type { Connection } from 'jsforce';
import { soqlQuote } from './soql';
import type { VerificationEvidence } from '../shared/types';
import { errorsOf, queryUrl, records, runComposite } from './composite';
import { ONRAMP_CODES, SalesforceApiError } from './errors';

const verificationFailed = (message: string) => new SalesforceApiError(message, ONRAMP_CODES.verificationFailed);

/** Objects to try reading as the integration, to prove access outside its grant is refused. */
const PROBE_OBJECTS = ['Contact', 'Lead', 'Case', 'Opportunity', 'Account', 'Campaign', 'User'];

export interface VerificationRequest {
  /** A connection signed in exactly as the external system will sign in. */
  integration: Connection;
  admin: Connection;
  flow: 'jwt-bearer' | 'client-credentials';
  userId: string;
  appApiName: string;
  grantedObjects: string[];
  /** The field grants (`Object.Field`); a field of a granted object outside them proves field-level security. */
  grantedFields: string[];
}

interface LoginRow {
  Id: string;
  LoginTime: string;
  Status: string;
  Application: string;
  LoginType: string;
}

/**
 * The proof an auditor asks for: a token obtained as the integration, a sample call as its user, the
 * LoginHistory row that shows who signed in through which app, reads outside the grant refused, and the
 * proof token revoked again. Besides the token grant and the revoke this takes two API calls: one
 * composite as the admin (the sign-in's LoginHistory row and the describe that picks a field outside the
 * grant) and one composite as the integration (the sample call and the refused reads).
 */
export async function verifyIntegration(request: VerificationRequest): Promise<VerificationEvidence> {
  const identity = request.integration.userInfo;
  if (identity?.id?.slice(0, 15) !== request.userId.slice(0, 15)) {
    const issuedTo = identity?.id ?? 'nobody';
    throw verificationFailed(`the token was issued for ${issuedTo}, not the integration user ${request.userId}`);
  }
  const sampleObject = request.grantedObjects[0];
  const adminReads = await runComposite(request.admin, [
    {
      method: 'GET',
      referenceId: 'login',
      url: queryUrl(
        `SELECT Id, LoginTime, Status, Application, LoginType FROM LoginHistory WHERE UserId = ${soqlQuote(request.userId)} ORDER BY LoginTime DESC LIMIT 1`,
      ),
    },
    ...(sampleObject
      ? [
          {
            method: 'GET' as const,
            referenceId: 'describe',
            url: `/sobjects/${encodeURIComponent(sampleObject)}/describe`,
          },
        ]
      : []),
  ]);
  const [last] = records<LoginRow>(adminReads.get('login'));
  if (!last || last.Status !== 'Success' || last.Application !== request.appApiName) {
    throw new SalesforceApiError(
      `LoginHistory shows no successful sign-in of the integration user through ${request.appApiName} yet`,
      ONRAMP_CODES.loginHistoryPending,
    );
  }
  const ungrantedField = sampleObject
    ? pickUngrantedField(sampleObject, adminReads.get('describe')?.body, request.grantedFields)
    : undefined;
  const granted = new Set(request.grantedObjects.map((o) => o.toLowerCase()));
  const probe = PROBE_OBJECTS.find((o) => !granted.has(o.toLowerCase()));
  const sampleSoql = sampleObject ? `SELECT Id FROM ${sampleObject} LIMIT 5` : undefined;
  const subrequests = [
    ...(sampleSoql ? [{ method: 'GET' as const, referenceId: 'sample', url: queryUrl(sampleSoql) }] : []),
    ...(probe
      ? [{ method: 'GET' as const, referenceId: 'probeObject', url: queryUrl(`SELECT Id FROM ${probe} LIMIT 1`) }]
      : []),
    ...(ungrantedField
      ? [
          {
            method: 'GET' as const,
            referenceId: 'probeField',
            url: queryUrl(`SELECT ${ungrantedField.split('.')[1]} FROM ${ungrantedField.split('.')[0]} LIMIT 1`),
          },
        ]
      : []),
  ];
  const responses = subrequests.length ? await runComposite(request.integration, subrequests, false) : new Map();
  const sample = responses.get('sample');
  if (sample && sample.httpStatusCode !== 200) {
    throw verificationFailed(`the sample call as the integration failed: ${errorsOf(sample)[0]?.errorCode}`);
  }
  const outOfScope: VerificationEvidence['outOfScope'] = [];
  for (const [ref, what] of [
    ['probeObject', `SELECT Id FROM ${probe}`],
    ['probeField', `SELECT ${ungrantedField}`],
  ] as const) {
    const response = responses.get(ref);
    if (!response) continue;
    const code = errorsOf(response)[0]?.errorCode;
    if (response.httpStatusCode === 200 || !code) {
      throw verificationFailed(`the integration could run ${what}, which its permission set does not grant`);
    }
    outOfScope.push({ request: what, refusedWith: code });
  }

  const token = request.integration.accessToken;
  if (token) await request.integration.oauth2.revokeToken(token);
  return {
    tokenObtainedAt: last.LoginTime,
    flow: request.flow,
    tokenUserId: request.userId,
    sampleCall: {
      request: sampleSoql ?? 'identity',
      recordCount: (sample?.body as { totalSize?: number } | undefined)?.totalSize ?? 0,
    },
    loginHistory: {
      id: last.Id,
      loginTime: last.LoginTime,
      status: last.Status,
      application: last.Application,
      loginType: last.LoginType,
    },
    outOfScope,
    tokenRevoked: Boolean(token),
  };
}

/** A readable, permissionable field of the object that the spec did not grant, from the admin's describe. */
function pickUngrantedField(object: string, describe: unknown, grantedFields: string[]): string | undefined {
  const granted = new Set(grantedFields.map((f) => f.toLowerCase()));
  const fields =
    (describe as { fields?: Array<{ name: string; type: string; permissionable: boolean }> } | undefined)?.fields ?? [];
  const candidate = fields.find(
    (f) => f.permissionable && f.type !== 'reference' && !granted.has(`${object}.${f.name}`.toLowerCase()),
  );
  return candidate ? `${object}.${candidate.name}` : undefined;
}
