import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import type { Connection } from 'jsforce';
import { randomBytes } from 'node:crypto';
import type { OnrampConfig } from '../config';
import type { Logger } from '../logger';
import { findFreePort } from '../temporal/dev-server';
import { buildOnrampServer } from './app';
import { consoleUrlOf } from './config';
import { startEmbeddedIdp, type EmbeddedIdp } from './idp/embedded-idp';

export interface RunningServer {
  url: string;
  app: FastifyInstance;
  /** Present when the server signs people in with the embedded provider. */
  idp?: EmbeddedIdp;
  close(): Promise<void>;
}

export interface ListenOptions {
  config: OnrampConfig;
  client: Client;
  admin: (org?: string) => Promise<Connection>;
  logger?: Logger;
  /** Run the embedded OpenID provider and sign in with it (`onramp dev`, the demo, the tests). */
  embeddedIdp?: boolean;
  /** Overrides server.port; 0 picks a free one. */
  port?: number;
}

const EMBEDDED_CLIENT_ID = 'onramp-console';

/** Starts the server, and with `embeddedIdp` the loopback OpenID provider registered for it first. */
export async function listenOnrampServer(options: ListenOptions): Promise<RunningServer> {
  const settings = options.config.server;
  const host = settings.host;
  const port = (options.port ?? settings.port) || (await findFreePort(host));
  const publicUrl = consoleUrlOf(settings, port);
  let config = options.config;
  let idp: EmbeddedIdp | undefined;
  if (options.embeddedIdp) {
    // A fresh client secret per start: only this server process can redeem codes at this provider.
    const clientSecret = randomBytes(24).toString('base64url');
    idp = await startEmbeddedIdp({
      clients: [
        {
          clientId: EMBEDDED_CLIENT_ID,
          clientSecret,
          redirectUris: [`${publicUrl}/auth/callback`],
          postLogoutRedirectUris: [`${publicUrl}/signed-out`],
        },
      ],
    });
    const oidc = {
      issuer: idp.issuer,
      clientId: EMBEDDED_CLIENT_ID,
      clientSecret,
      groupsClaim: 'groups',
      scopes: 'openid email profile groups',
    };
    config = { ...config, server: { ...settings, oidc } };
  }
  try {
    const app = await buildOnrampServer({
      config,
      client: options.client,
      admin: options.admin,
      publicUrl,
      logger: options.logger,
    });
    await app.listen({ host, port });
    return {
      url: publicUrl,
      app,
      ...(idp ? { idp } : {}),
      async close() {
        await app.close();
        await idp?.close();
      },
    };
  } catch (error) {
    await idp?.close();
    throw error;
  }
}
