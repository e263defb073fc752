import type { VerifiedIdentity } from './statements';

/**
 * `onramp dev`'s seeded people, in the groups deploy/policy.yaml names: the embedded sign-in provider
 * issues these identities, and until the CLI calls the server, the dev signer (dev-signer.ts) stands in
 * for it with them. Never used outside the embedded stack and the tests.
 */
export const DEV_PEOPLE = {
  requester: { sub: 'dev-requester', email: 'jdoe@acme.example', groups: ['onramp-requesters'] },
  securityApprover: { sub: 'dev-security-1', email: 'alice@acme.example', groups: ['security@acme.example'] },
  secondSecurityApprover: { sub: 'dev-security-2', email: 'bob@acme.example', groups: ['security@acme.example'] },
  admin: {
    sub: 'dev-admin',
    email: 'admin@acme.example',
    groups: ['salesforce-admins@acme.example', 'onramp-requesters'],
  },
  auditor: { sub: 'dev-auditor', email: 'auditor@acme.example', groups: ['onramp-auditors'] },
} as const satisfies Record<string, VerifiedIdentity>;

export type DevPerson = keyof typeof DEV_PEOPLE;
