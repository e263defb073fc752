import { Connection } from 'jsforce';
import { JWT_BEARER_GRANT_TYPE, signJwtBearerAssertion } from '../crypto/jwt';
import { recordSalesforceCall } from '../observability/salesforce-metrics';

export interface JwtLogin {
  /** Where the token endpoint lives: the My Domain URL (or login/test.salesforce.com). */
  loginUrl: string;
  /** `aud` of the assertion: https://login.salesforce.com, https://test.salesforce.com, or the My Domain URL. */
  audience: string;
  consumerKey: string;
  username: string;
  privateKeyPem: string;
  apiVersion: string;
}

export interface ClientCredentialsLogin {
  loginUrl: string;
  consumerKey: string;
  consumerSecret: string;
  apiVersion: string;
}

/**
 * A jsforce connection signed in with the JWT bearer flow. JWT grants issue no refresh token, so the
 * connection re-runs the grant itself when a session expires (jsforce's default refresher would fail).
 */
export async function connectWithJwt(login: JwtLogin): Promise<Connection> {
  const assertion = () =>
    signJwtBearerAssertion({
      privateKeyPem: login.privateKeyPem,
      consumerKey: login.consumerKey,
      username: login.username,
      audience: login.audience,
    });
  return connect(login.loginUrl, login.apiVersion, () => ({
    grant_type: JWT_BEARER_GRANT_TYPE,
    assertion: assertion(),
  }));
}

/** A jsforce connection as a client-credentials app's run-as user. */
export async function connectWithClientCredentials(login: ClientCredentialsLogin): Promise<Connection> {
  return connect(login.loginUrl, login.apiVersion, () => ({ grant_type: 'client_credentials' }), {
    clientId: login.consumerKey,
    clientSecret: login.consumerSecret,
  });
}

async function connect(
  loginUrl: string,
  version: string,
  grant: () => { grant_type: string; [name: string]: string },
  client?: { clientId: string; clientSecret: string },
): Promise<Connection> {
  const conn: Connection = new Connection({
    loginUrl,
    version,
    oauth2: { loginUrl, ...client },
    refreshFn: (c, callback) => {
      c.authorize(grant())
        .then(() => callback(null, c.accessToken ?? undefined))
        .catch((error: Error) => callback(error));
    },
  });
  countApiCalls(conn);
  await conn.authorize(grant());
  return conn;
}

/**
 * Every REST, SOAP and Metadata API request of the connection goes through its transport (the OAuth token
 * requests through another): counted there, with the daily allocation each answer's Sforce-Limit-Info reports.
 */
function countApiCalls(conn: Connection): void {
  const transport = conn._transport;
  const send = transport.httpRequest.bind(transport);
  transport.httpRequest = (request, options) => {
    const sent = send(request, options);
    // The StreamPromise itself is returned: jsforce reads the response as a stream from it.
    sent.then(
      (response) => recordSalesforceCall(response.statusCode, headerOf(response.headers, 'sforce-limit-info')),
      () => recordSalesforceCall(undefined, undefined),
    );
    return sent;
  };
}

function headerOf(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
