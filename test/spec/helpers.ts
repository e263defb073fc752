import { stringify } from 'yaml';
import type { IntegrationSpecInput } from '../../src/spec/schema';

/** A minimal valid spec; tests override pieces of it. */
export function baseSpec(overrides: Partial<IntegrationSpecInput> = {}): IntegrationSpecInput {
  return {
    apiVersion: 'onramp/v1',
    kind: 'Integration',
    name: 'billing',
    displayName: 'Billing system',
    owner: 'billing-team@acme.example',
    purpose: 'Issues invoices from closed opportunities.',
    requestedBy: 'jdoe@acme.example',
    approvers: ['security@acme.example'],
    app: { flow: 'jwt-bearer' },
    access: { objects: [{ name: 'Account', rights: ['read'] }] },
    ...overrides,
  };
}

export function yamlOf(spec: unknown): string {
  return stringify(spec);
}
