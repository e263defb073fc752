import formbody from '@fastify/formbody';
import Fastify, { type FastifyInstance } from 'fastify';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { registerAdmin } from './admin/routes';
import { registerApex } from './apex/routes';
import { Faults } from './admin/faults';
import { CallCounter } from './admin/counters';
import { OrgClock } from './admin/clock';
import { Persistence } from './admin/persistence';
import { createBootstrapApp, type BootstrapCredentials } from './apps/bootstrap';
import { ApiUsage } from './http/api-usage';
import type { OrgContext } from './http/context';
import { selfSignedTls } from './http/certificates';
import { registerMetadata } from './metadata/routes';
import { sendRestError } from './http/rest-reply';
import { registerOAuth } from './oauth/routes';
import { Sessions } from './oauth/sessions';
import { LocalOrg, type OrgSettings } from './org';
import { checkSandboxName } from './seed/sandbox';
import { claimFile } from './store/file-claim';
import { registerRest } from './rest/routes';
import { notFound } from './errors';

export interface LocalOrgServerOptions {
  host?: string;
  /** HTTP port; 0 picks a free one. */
  port?: number;
  /** HTTPS port (self-signed certificate); 0 picks a free one; null disables HTTPS. */
  httpsPort?: number | null;
  /** Which listener's URL stands in for the My Domain URL. */
  instanceScheme?: 'http' | 'https';
  /** Persist the org to this JSON file and reload it on the next start. */
  stateFile?: string;
  /** Where to write the bootstrap app's private key (PEM) so other processes can sign in as the admin. */
  privateKeyPath?: string;
  settings?: Partial<OrgSettings>;
  /** `sandbox`: the org is a sandbox named `sandboxName` (usernames end in `.<sandboxName>`, IsSandbox). */
  kind?: 'production' | 'sandbox';
  sandboxName?: string;
  /**
   * The production org this sandbox is a copy of (same process): its state at start becomes the sandbox's
   * (users, permissions, apps, records), unless the sandbox's own state file is restored. Without it, the
   * sandbox is a copy of a freshly seeded production org.
   */
  production?: RunningLocalOrg;
  /** Quiet unless asked: tests start many orgs. */
  logger?: boolean;
}

export interface RunningLocalOrg {
  org: LocalOrg;
  context: OrgContext & { faults: Faults; counter: CallCounter; clock: OrgClock };
  instanceUrl: string;
  httpUrl: string;
  httpsUrl: string | null;
  /** PEM of the HTTPS listener's self-signed certificate, for clients that verify TLS. */
  tlsCertificatePem: string | null;
  bootstrap: BootstrapCredentials & { privateKeyPath: string | null };
  /** A live admin session (the bootstrap grant), for tests and `onramp org start --json`. */
  adminAccessToken: string;
  close(): Promise<void>;
}

/**
 * Starts the local org: one LocalOrg served over HTTP and HTTPS on loopback, seeded, with the bootstrap
 * app onramp signs in with, the admin API, and optional persistence to a file.
 */
export async function startLocalOrg(options: LocalOrgServerOptions = {}): Promise<RunningLocalOrg> {
  const sandbox = sandboxOf(options);
  const host = options.host ?? '127.0.0.1';
  const http = buildApp(options.logger ?? false);
  const tls = options.httpsPort === null ? null : await selfSignedTls(host);
  const https = tls ? buildApp(options.logger ?? false, { key: tls.keyPem, cert: tls.certificatePem }) : null;

  // The instance URL must be known before routes answer, but ports are known only after listen():
  // listen first on both, then create the org and register routes... fastify forbids routes after
  // listen, so reserve ports by listening on throwaway servers is racy. Instead, routes read the
  // context lazily through this holder, filled before the first request can arrive.
  const holder: { ctx?: RunningLocalOrg['context'] } = {};
  for (const app of [http, https]) if (app) mountRoutes(app, () => holder.ctx!);

  // A failure after the first listen (port taken, unreadable state file) must not leave listeners open.
  let persistence: Persistence | undefined;
  const releases: Array<() => void> = [];
  const release = () => releases.splice(0).forEach((r) => r());
  try {
    // Claimed before anything listens or is written: a second org on the same files must not clobber them.
    for (const file of [options.stateFile, options.privateKeyPath]) if (file) releases.push(claimFile(file));
    await http.listen({ host, port: options.port ?? 0 });
    if (https) await https.listen({ host, port: options.httpsPort ?? 0 });
    const httpUrl = `http://${host}:${(http.server.address() as AddressInfo).port}`;
    const httpsUrl = https ? `https://${host}:${(https.server.address() as AddressInfo).port}` : null;
    const instanceUrl = options.instanceScheme === 'https' && httpsUrl ? httpsUrl : httpUrl;

    // The admin API moves this clock (POST /_org/time) to age tokens and certificates without waiting.
    const clock = new OrgClock();
    const org = new LocalOrg({ instanceUrl, settings: options.settings, clock: () => clock.now(), sandbox });
    persistence = options.stateFile ? new Persistence(org, options.stateFile) : undefined;
    const restored = persistence?.load() ?? false;
    const copied = !restored && options.production !== undefined;
    if (copied) org.copyProduction(options.production!.org.snapshot());
    // A copy keeps production's bootstrap app, its consumer key and certificate, as a sandbox copy keeps apps.
    const bootstrap = await createBootstrapApp(org, { reuseFromState: restored || copied });
    if (!restored) org.markInitialState();
    const sessions = new Sessions(org);
    const ctx = { org, sessions, usage: new ApiUsage(org), faults: new Faults(), counter: new CallCounter(), clock };
    holder.ctx = ctx;
    persistence?.start();

    let privateKeyPath: string | null = null;
    if (options.privateKeyPath) {
      mkdirSync(dirname(options.privateKeyPath), { recursive: true });
      writeFileSync(options.privateKeyPath, bootstrap.privateKeyPem, { mode: 0o600 });
      privateKeyPath = options.privateKeyPath;
    }
    const adminSession = sessions.issue({ userId: org.adminUserId, scopes: ['api', 'web', 'refresh_token'] });

    return {
      org,
      context: ctx,
      instanceUrl,
      httpUrl,
      httpsUrl,
      tlsCertificatePem: tls?.certificatePem ?? null,
      bootstrap: { ...bootstrap, privateKeyPath },
      adminAccessToken: adminSession.Id,
      async close() {
        // Listeners first, so every write a request made before the close is in the final save.
        await Promise.all([http.close(), https?.close()]);
        await persistence?.stop();
        release();
      },
    };
  } catch (error) {
    await persistence?.stop().catch(() => undefined);
    await Promise.allSettled([http.close(), https?.close()]);
    release();
    throw error;
  }
}

function sandboxOf(options: LocalOrgServerOptions): { name: string } | undefined {
  if ((options.kind ?? 'production') === 'production') {
    if (options.sandboxName !== undefined || options.production)
      throw new Error('sandboxName and production are options of a sandbox (kind: "sandbox")');
    return undefined;
  }
  if (options.sandboxName === undefined) throw new Error('a sandbox needs its sandboxName');
  if (options.production?.org.sandboxName != null)
    throw new Error('production must be a production org, not the sandbox ' + options.production.org.sandboxName);
  return { name: checkSandboxName(options.sandboxName) };
}

function buildApp(logger: boolean, https?: { key: string; cert: string }): FastifyInstance {
  const app = Fastify({
    logger,
    https: https ?? null,
    bodyLimit: 50 * 1024 * 1024,
    forceCloseConnections: true,
    // The Salesforce CLI keeps an instance URL's trailing slash and asks for `//services/data`; orgs serve it.
    rewriteUrl: (request: { url?: string }) => collapseSlashes(request.url ?? '/'),
  } as never) as unknown as FastifyInstance;
  app.register(formbody);
  // Salesforce answers a path it does not serve in the REST error shape, not with fastify's JSON.
  app.setNotFoundHandler((_request, reply) => sendRestError(reply, notFound()));
  // SOAP bodies arrive as text/xml; keep them as strings for the namespace-aware parser.
  app.addContentTypeParser(
    ['text/xml', 'application/xml', 'application/soap+xml'],
    { parseAs: 'string' },
    (_req, body, done) => done(null, body),
  );
  return app;
}

/** `//services//data?q=a//b` → `/services/data?q=a//b`: only the path's slashes are collapsed. */
function collapseSlashes(url: string): string {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  return path.replace(/\/{2,}/g, '/') + (q < 0 ? '' : url.slice(q));
}

function mountRoutes(app: FastifyInstance, ctx: () => RunningLocalOrg['context']): void {
  registerAdmin(app, ctx);
  registerOAuth(app, ctx);
  registerRest(app, ctx);
  registerMetadata(app, ctx);
  registerApex(app, ctx);
}
