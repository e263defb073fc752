import { Dml } from './engine/dml';
import { SYSTEM } from './engine/run-as';
import { formatDateTime } from './engine/values';
import { ruleRegistry } from './rules';
import type { ObjectRules } from './rules/types';
import { Schema } from './schema';
import { makeSandbox } from './seed/sandbox';
import { seedOrg, type SeedResult } from './seed/seed';
import { OrgDatabase, type OrgState } from './store/database';

export interface OrgSettings {
  /** Spring '26: new Connected Apps are blocked unless Salesforce Support enabled them for the org. */
  connectedAppCreationAllowed: boolean;
  /** Session lifetime of issued access tokens, in seconds (the org's session timeout policy). */
  sessionTimeoutSeconds: number;
  /** Daily API request allocation (the rolling 24 h limit behind REQUEST_LIMIT_EXCEEDED). */
  dailyApiRequests: number;
  /** Metadata deploys finish after this many checkDeployStatus polls, as real deploys are asynchronous. */
  deployPollsUntilDone: number;
}

export const DEFAULT_SETTINGS: OrgSettings = {
  connectedAppCreationAllowed: false,
  sessionTimeoutSeconds: 2 * 60 * 60,
  dailyApiRequests: 100_000,
  deployPollsUntilDone: 1,
};

export interface LocalOrgOptions {
  /** Base URL standing in for the org's My Domain URL, e.g. https://127.0.0.1:8443 */
  instanceUrl: string;
  /** Newest API version the org serves, as "NN.0". */
  apiVersion?: string;
  settings?: Partial<OrgSettings>;
  clock?: () => Date;
  /** A sandbox of a production org: its name is the suffix of every username (seed/sandbox.ts). */
  sandbox?: { name: string };
}

/**
 * One Salesforce org: its object definitions, its records, the DML engine that enforces Salesforce's
 * rules, and the settings that differ between orgs. Protocol layers (REST, SOAP, OAuth) sit on top.
 */
export class LocalOrg {
  readonly schema = new Schema();
  readonly db = new OrgDatabase();
  readonly dml = new Dml(this);
  readonly apiVersion: string;
  instanceUrl: string;
  private readonly clock: () => Date;
  private seeded!: SeedResult;
  private initialState!: OrgState;

  constructor(options: LocalOrgOptions) {
    this.instanceUrl = options.instanceUrl.replace(/\/$/, '');
    this.apiVersion = options.apiVersion ?? '66.0';
    this.clock = options.clock ?? (() => new Date());
    this.seeded = seedOrg(this, { ...DEFAULT_SETTINGS, ...options.settings });
    this.sandboxName = options.sandbox?.name ?? null;
    this.applySandbox();
    this.markInitialState();
  }

  /** The sandbox's name, or null for a production org. */
  readonly sandboxName: string | null;

  /**
   * Makes this sandbox a copy of a production org's state (its users, permissions, apps and records), as
   * creating or refreshing a sandbox does; what reset() returns to becomes the copy.
   */
  copyProduction(production: OrgState): void {
    if (this.sandboxName === null) throw new Error('only a sandbox is a copy of a production org');
    this.db.load(production);
    this.applySandbox();
    this.markInitialState();
  }

  private applySandbox(): void {
    if (this.sandboxName === null) return;
    const sandbox = makeSandbox(this.db, { name: this.sandboxName, adminUserId: this.seeded.adminUserId });
    this.seeded = { ...this.seeded, ...sandbox };
  }

  now(): Date {
    return this.clock();
  }

  get orgId(): string {
    return this.seeded.orgId;
  }

  get adminUserId(): string {
    return this.seeded.adminUserId;
  }

  get seed(): SeedResult | undefined {
    return this.seeded;
  }

  get settings(): OrgSettings {
    return this.db.get('_Settings', 'org') as unknown as OrgSettings;
  }

  updateSettings(patch: Partial<OrgSettings>): OrgSettings {
    this.db.update('_Settings', 'org', patch);
    return this.settings;
  }

  apiPath(version = this.apiVersion): string {
    return `/services/data/v${version}`;
  }

  rulesFor(type: string): ObjectRules {
    return ruleRegistry[type] ?? {};
  }

  /** A SetupAuditTrail row, as Salesforce writes for every setup change. */
  audit(action: string, section: string, display: string, byUserId = this.adminUserId): void {
    const now = formatDateTime(this.now());
    this.db.insert('SetupAuditTrail', {
      Id: this.db.nextId('0Ym'),
      Action: action,
      Section: section,
      Display: display,
      CreatedById: byUserId,
      CreatedDate: now,
      DelegateUser: null,
      CreatedByContext: null,
      ResponsibleNamespacePrefix: null,
      IsDeleted: false,
      LastModifiedDate: now,
      LastModifiedById: byUserId,
      SystemModstamp: now,
    });
  }

  snapshot(): OrgState {
    return this.db.snapshot();
  }

  restore(state: OrgState): void {
    this.db.load(state);
  }

  /** Back to the org as it was when markInitialState() was last called (after seeding and bootstrap). */
  reset(): void {
    this.db.load(this.initialState);
  }

  /** Makes `state` (by default the current state) what reset() returns to; persistence restores a saved one. */
  markInitialState(state: OrgState = this.db.snapshot()): void {
    this.initialState = state;
  }

  /** The state reset() returns to; read-only. */
  initialSnapshot(): OrgState {
    return this.initialState;
  }

  /** Creates records as the org itself (no running-user security), for seeding and the admin API. */
  insertAsSystem(type: string, values: Record<string, unknown>) {
    return this.dml.create(SYSTEM, type, values);
  }
}
