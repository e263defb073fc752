// Why a TLS connection to Temporal failed, in words a person can act on. The SDK reports a refused client
// certificate as "transport error" or a connect deadline; a TLS handshake of our own with the same
// settings hears the server's alert (certificate required, unknown CA) and names the setting to fix.

import { connect, type ConnectionOptions } from 'node:tls';
import { loadConfigData } from '@temporalio/envconfig';
import { describeTemporalConnection, temporalClientProfile, type TemporalSettings } from './connection-settings';

const PROBE_TIMEOUT_MS = 3_000;
/** A server rejects a TLS 1.3 client certificate after the client thinks the handshake is done. */
const ALERT_WAIT_MS = 1_000;

function hostAndPort(address: string): { host: string; port: number } {
  const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(address);
  return match ? { host: match[1]!, port: Number(match[2]) } : { host: address, port: 7233 };
}

/** The TLS error the server's frontend answers with, or undefined when the handshake is accepted. */
function handshake(address: string, options: ConnectionOptions): Promise<Error | undefined> {
  const { host, port } = hostAndPort(address);
  return new Promise((resolve) => {
    // gRPC servers refuse a TLS client that does not offer HTTP/2.
    const socket = connect({ host, port, ALPNProtocols: ['h2'], ...options });
    const done = (error?: Error) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(error);
    };
    const timer = setTimeout(() => done(), PROBE_TIMEOUT_MS);
    socket.once('error', (error) => done(error));
    socket.once('secureConnect', () => setTimeout(() => done(), ALERT_WAIT_MS));
  });
}

/** What to fix, when a TLS handshake with these settings explains a failed connection; otherwise undefined. */
async function explainTlsFailure(settings: TemporalSettings): Promise<string | undefined> {
  const { tls, apiKey } = temporalClientProfile(settings);
  const secured = apiKey !== undefined || (tls !== undefined && !tls.disabled);
  if (!secured) {
    const error = await handshake(settings.address, { rejectUnauthorized: false });
    // Any handshake at all, even one ending in an alert, means the server speaks TLS.
    const spoke = error === undefined || /alert|certificate/i.test(error.message);
    return spoke
      ? 'the server speaks TLS: set TEMPORAL_TLS=true (and the client certificate it may require)'
      : undefined;
  }
  const { host } = hostAndPort(settings.address);
  const ca = loadConfigData(tls?.serverCACert);
  const cert = loadConfigData(tls?.clientCert);
  const key = loadConfigData(tls?.clientKey);
  const servername = tls?.serverName ?? (/^[\d.:]+$/.test(host) ? undefined : host);
  const error = await handshake(settings.address, {
    ...(ca ? { ca: Buffer.from(ca) } : {}),
    ...(cert && key ? { cert: Buffer.from(cert), key: Buffer.from(key) } : {}),
    ...(servername ? { servername } : {}),
  });
  if (!error) return undefined;
  // OpenSSL's message carries its internals around the part that matters: "tlsv13 alert certificate required".
  const named = /alert ([a-z ]+?)(?::|$)/i.exec(error.message);
  const alert = named ? `TLS alert: ${named[1]}` : error.message.split('\n')[0]!;
  if (/certificate required|handshake failure/i.test(alert) && !cert) {
    return `the server requires a client certificate (${alert}): set TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH`;
  }
  if (/alert: (unknown ca|bad certificate|certificate unknown|certificate required|handshake failure)/i.test(alert)) {
    return `the server refused the client certificate (${alert}): it must be signed by a CA the server trusts (TEMPORAL_TLS_CLIENT_CERT_PATH)`;
  }
  if (/self.signed|unable to (get|verify)|altname|hostname|certificate has expired/i.test(alert)) {
    return `the server's certificate is not trusted (${alert}): set TEMPORAL_TLS_SERVER_CA_CERT_PATH to its CA, or TEMPORAL_TLS_SERVER_NAME to the name it carries`;
  }
  return `TLS handshake failed: ${alert}`;
}

/**
 * One line saying why onramp could not connect. The SDK says little more than "transport error" when TLS
 * fails, so a handshake of onramp's own asks the server why, and the line names the setting to fix.
 */
export async function temporalConnectFailure(settings: TemporalSettings, error: unknown): Promise<string> {
  const reason = error instanceof Error ? error.message : String(error);
  const tls = await explainTlsFailure(settings).catch(() => undefined);
  return `cannot reach Temporal at ${describeTemporalConnection(settings)}: ${tls ?? reason}`;
}
