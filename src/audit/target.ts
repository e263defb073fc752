/**
 * The audit's view of one integration's desired state: exactly what the comparison needs, small enough
 * to travel in the registry workflow's memo so the audit reads every integration's desired state from
 * one visibility listing. Pure (types only): the registry workflow computes it.
 */
import type { OwnerRegister, RegistryRecord, RegistryState } from '../shared/registry';
import { registerOf } from './owner-register';
import type { AppRecord } from '../shared/types';
import type { ResolvedApp } from '../spec/normalize';
import type { FieldGrant, IpRange, ObjectGrant } from '../spec/schema';

export interface AuditTarget {
  integration: string;
  state: RegistryState;
  revision: number;
  onboardedAt: string;
  /** For the inventory (`onramp list`): who owns it and what it is for, as the approved spec says. */
  owner?: string;
  purpose?: string;
  user: { id: string; username: string; firstName: string; lastName: string; profileName: string };
  permissionSet: { id: string; name: string };
  access: { objects: ObjectGrant[]; fields: FieldGrant[]; apexClasses: string[] };
  app: {
    kind: AppRecord['kind'];
    /** Absent in memos published before the inventory. */
    flow?: ResolvedApp['flow'];
    apiName: string;
    consumerKey: string;
    /** Metadata scope values (Api, RefreshToken, ...). */
    scopes: string[];
    callbackUrls: string[];
    /** The ipRelaxation value for the app kind (ENFORCE / Enforce, ...). */
    ipRelaxation: string;
    trustedIpRanges: Array<Pick<IpRange, 'start' | 'end'>>;
    /** The permission set through which users are admin-approved (pre-authorized). */
    permissionSetName: string;
  };
  certificate?: { fingerprint: string; expiresAt: string };
  register: OwnerRegister;
}

export function auditTargetOf(record: RegistryRecord): AuditTarget {
  const { integration, provisioned } = record.desired;
  const { app, user, access } = integration;
  const credentials = provisioned.credentials;
  return {
    integration: record.integration,
    state: record.state,
    revision: record.revision,
    onboardedAt: record.desired.onboardedAt,
    owner: integration.spec.owner,
    purpose: integration.spec.purpose,
    user: {
      id: provisioned.userId,
      username: provisioned.username,
      firstName: user.firstName,
      lastName: user.lastName,
      profileName: user.profileName,
    },
    permissionSet: { id: provisioned.permissionSetId, name: integration.names.permissionSetName },
    access: { objects: access.objects, fields: access.fields, apexClasses: access.apexClasses },
    app: {
      kind: provisioned.app.kind,
      flow: app.flow,
      apiName: provisioned.app.apiName,
      consumerKey: provisioned.app.consumerKey,
      scopes: app.metadataScopes,
      callbackUrls: app.callbackUrls,
      ipRelaxation: app.ipRelaxation,
      trustedIpRanges: app.trustedIpRanges.map((r) => ({ start: r.start, end: r.end })),
      permissionSetName: app.permissionSetName,
    },
    ...(credentials.certificateFingerprint && credentials.certificateExpiresAt
      ? {
          certificate: { fingerprint: credentials.certificateFingerprint, expiresAt: credentials.certificateExpiresAt },
        }
      : {}),
    register: registerOf(record.desired),
  };
}

/**
 * A registry's memo as the audit can use it, or undefined when it must ask the registry instead: a memo
 * published before the owner register existed lacks `register` (registries republish only on a change),
 * and the registry's query derives it from the recorded spec.
 */
export function currentAuditTarget(memo: unknown): AuditTarget | undefined {
  const target = memo as Partial<AuditTarget> | undefined;
  return target?.register ? (target as AuditTarget) : undefined;
}
