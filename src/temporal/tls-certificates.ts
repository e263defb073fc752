// Certificates for a Temporal frontend serving TLS and requiring client certificates (mTLS) on loopback:
// a CA, the frontend's certificate and onramp's client certificate, both signed by that CA. Made with the
// openssl command (a CA-signed chain with names and extended key usages is what it does best), on P-256
// keys, which take milliseconds where RSA takes most of a second on a small machine.

import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface CertificatePaths {
  certPath: string;
  keyPath: string;
}

export interface TlsMaterial {
  caCertPath: string;
  caKeyPath: string;
  /** The frontend's certificate, for localhost and 127.0.0.1. */
  server: CertificatePaths;
  /** A client certificate signed by the CA: what the frontend accepts. */
  client: CertificatePaths;
}

const VALIDITY_DAYS = '365';
const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

async function openssl(args: string[]): Promise<void> {
  try {
    await run('openssl', args);
  } catch (error) {
    const { stderr, message } = error as { stderr?: string; message: string };
    throw new Error(`openssl ${args[0]} failed: ${(stderr || message).trim()}`, { cause: error });
  }
}

/** A self-signed CA in `dir` (`<name>-ca.pem`, `<name>-ca.key`). */
export async function createCa(dir: string, name: string): Promise<{ certPath: string; keyPath: string }> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const certPath = join(dir, `${name}-ca.pem`);
  const keyPath = join(dir, `${name}-ca.key`);
  await openssl([
    'req',
    '-x509',
    ...newKey,
    '-subj',
    `/O=onramp/CN=${name} CA`,
    '-days',
    VALIDITY_DAYS,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
    '-keyout',
    keyPath,
    '-out',
    certPath,
  ]);
  return { certPath, keyPath };
}

/**
 * A certificate signed by the CA: `serverAuth` for a server (named by `names`, by default the loopback
 * names), `clientAuth` for mTLS, or both for a server that is also its own peers' client (Temporal's
 * internode TLS).
 */
export async function issueCertificate(
  ca: { certPath: string; keyPath: string },
  dir: string,
  name: string,
  usage: 'serverAuth' | 'clientAuth' | 'serverAuth,clientAuth',
  names = 'DNS:localhost,IP:127.0.0.1',
): Promise<CertificatePaths> {
  const keyPath = join(dir, `${name}.key`);
  const certPath = join(dir, `${name}.pem`);
  const csrPath = join(dir, `${name}.csr`);
  const extPath = join(dir, `${name}.ext`);
  await openssl(['req', '-new', ...newKey, '-subj', `/O=onramp/CN=${name}`, '-keyout', keyPath, '-out', csrPath]);
  const altNames = usage.startsWith('serverAuth') ? `subjectAltName=${names}\n` : '';
  writeFileSync(extPath, `${altNames}extendedKeyUsage=${usage}\nkeyUsage=critical,digitalSignature\n`);
  await openssl([
    'x509',
    '-req',
    '-in',
    csrPath,
    '-CA',
    ca.certPath,
    '-CAkey',
    ca.keyPath,
    '-set_serial',
    // A leading 01 keeps the serial positive and its length fixed.
    `0x01${randomBytes(11).toString('hex')}`,
    '-days',
    VALIDITY_DAYS,
    '-sha256',
    '-extfile',
    extPath,
    '-out',
    certPath,
  ]);
  return { certPath, keyPath };
}

/** A CA, the frontend's certificate (for `serverNames`) and a client certificate, in `dir`. */
export async function createTlsMaterial(dir: string, serverNames?: string): Promise<TlsMaterial> {
  const ca = await createCa(dir, 'temporal');
  const server = serverNames
    ? await issueCertificate(ca, dir, 'temporal-frontend', 'serverAuth,clientAuth', serverNames)
    : await issueCertificate(ca, dir, 'temporal-frontend', 'serverAuth');
  const client = await issueCertificate(ca, dir, 'onramp-client', 'clientAuth');
  return { caCertPath: ca.certPath, caKeyPath: ca.keyPath, server, client };
}
