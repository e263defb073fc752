import assert from 'node:assert/strict';
import { SfError } from '../src/errors';
import { asUser, type RunAs } from '../src/engine/run-as';
import { LocalOrg } from '../src/org';
import {
  INTEGRATION_PROFILE,
  INTEGRATION_PSL_DEVELOPER_NAME,
  INTEGRATION_USER_LICENSE,
} from '../src/seed/integration-license';
import type { Row } from '../src/store/database';

export const newOrg = () => new LocalOrg({ instanceUrl: 'http://x' });
export const adminOf = (org: LocalOrg): RunAs => asUser(org.adminUserId);

let counter = 0;
export function userInput(org: LocalOrg, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  counter += 1;
  return {
    Username: `rules.user${counter}@onramp-test.example.com`,
    LastName: 'Integration',
    FirstName: 'Billing',
    Alias: 'bint',
    Email: 'owner@example.com',
    TimeZoneSidKey: 'America/Los_Angeles',
    LocaleSidKey: 'en_US',
    EmailEncodingKey: 'UTF-8',
    LanguageLocaleKey: 'en_US',
    ProfileId: org.seed!.profiles[INTEGRATION_PROFILE],
    ...overrides,
  };
}

export function createIntegrationUser(org: LocalOrg, overrides: Record<string, unknown> = {}): Row {
  return org.dml.create(adminOf(org), 'User', userInput(org, overrides));
}

export function userLicense(org: LocalOrg, name = INTEGRATION_USER_LICENSE): Row {
  return org.db.find('UserLicense', (l) => l.Name === name)!;
}

export function integrationPsl(org: LocalOrg): Row {
  return org.db.find('PermissionSetLicense', (l) => l.DeveloperName === INTEGRATION_PSL_DEVELOPER_NAME)!;
}

export function apexClass(org: LocalOrg, name = 'BillingSync'): Row {
  return org.db.find('ApexClass', (c) => c.Name === name)!;
}

export function profilePermissionSet(org: LocalOrg, profileName: string): Row {
  const profileId = org.seed!.profiles[profileName];
  return org.db.find('PermissionSet', (ps) => ps.IsOwnedByProfile === true && ps.ProfileId === profileId)!;
}

export function auditRows(org: LocalOrg): Row[] {
  return [...org.db.rows('SetupAuditTrail')];
}

/** Asserts that fn throws Salesforce's error, exactly, and leaves the org exactly as it was. */
export function assertRefused(
  org: LocalOrg,
  fn: () => unknown,
  expected: { errorCode: string; message?: string | RegExp; fields?: string[]; status?: number },
): SfError {
  const before = org.snapshot();
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof SfError, `expected an SfError ${expected.errorCode}, got ${String(caught)}`);
  assert.equal(caught.errorCode, expected.errorCode, caught.message);
  if (typeof expected.message === 'string') assert.equal(caught.message, expected.message);
  else if (expected.message) assert.match(caught.message, expected.message);
  if (expected.fields) assert.deepEqual(caught.fields, expected.fields);
  assert.equal(caught.status, expected.status ?? 400);
  assert.deepEqual(org.snapshot(), before, 'a refused call must leave no trace');
  return caught;
}
