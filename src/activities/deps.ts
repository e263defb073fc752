import { readFileSync } from 'node:fs';
import type { Connection } from 'jsforce';
import { orgSettings, type OnrampConfig, type OrgSettings } from '../config';
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
 * onramp's own admin sessions, one per org, shared by all activities of a worker process: signing in once
 * per process and org instead of once per step keeps each org's API allocation for real work. jsforce
 * re-signs in on 401. `get(org)` takes an org reference as workflows carry it: absent is the default org.
 */
export class AdminSession {
  private readonly connections = new Map<string, Promise<Connection>>();

  constructor(private readonly config: OnrampConfig) {}

  get(org?: string): Promise<Connection> {
    const settings = orgSettings(this.config, org);
    let connection = this.connections.get(settings.name);
    if (!connection) {
      connection = this.connect(settings).catch((error) => {
        this.connections.delete(settings.name);
        throw error;
      });
      this.connections.set(settings.name, connection);
    }
    return connection;
  }

  private connect(sf: OrgSettings): Promise<Connection> {
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

/**
 * The org an activity's arguments are for: the first that has its own `org`, its integration's (a step
 * input), or its desired state's (day-two workflows). Absent: the default org, as in every history from
 * before many orgs.
 */
export function orgOfInputs(args: readonly unknown[]): string | undefined {
  for (const input of args) {
    const org = orgOf(input);
    if (org) return org;
  }
  return undefined;
}

function orgOf(input: unknown): string | undefined {
  if (!input || typeof input !== 'object') return undefined;
  const { org, integration, desired } = input as {
    org?: unknown;
    integration?: { org?: unknown };
    desired?: { integration?: { org?: unknown } };
  };
  const found = org ?? integration?.org ?? desired?.integration?.org;
  return typeof found === 'string' ? found : undefined;
}
