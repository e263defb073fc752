import { readFileSync } from 'node:fs';
import type { Connection } from 'jsforce';
import type { OnrampConfig } from '../config';
import type { Logger } from '../logger';
import { connectWithJwt } from '../salesforce/connection';
import type { SecretStore } from '../secrets/store';

/** What activities need from the outside world, handed in by the worker (and by tests). */
export interface ActivityDeps {
  config: OnrampConfig;
  secrets: SecretStore;
  logger: Logger;
}

/**
 * onramp's own admin session, shared by all activities of a worker process: signing in once per process
 * instead of once per step keeps the org's API allocation for real work. jsforce re-signs in on 401.
 */
export class AdminSession {
  private connection: Promise<Connection> | undefined;

  constructor(private readonly config: OnrampConfig) {}

  get(): Promise<Connection> {
    this.connection ??= this.connect().catch((error) => {
      this.connection = undefined;
      throw error;
    });
    return this.connection;
  }

  private connect(): Promise<Connection> {
    const sf = this.config.salesforce;
    return connectWithJwt({
      loginUrl: sf.loginUrl ?? sf.instanceUrl,
      audience: sf.audience,
      consumerKey: sf.consumerKey,
      username: sf.username,
      privateKeyPem: readFileSync(sf.privateKeyPath, 'utf8'),
      apiVersion: sf.apiVersion,
    });
  }
}
