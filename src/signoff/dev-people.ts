import type { VerifiedIdentity } from './statements';

/** A seeded person: what the embedded sign-in provider puts in its tokens. */
export interface SeededPerson extends VerifiedIdentity {
  name: string;
}

/**
 * THE seeded people of `onramp dev`, the demo and the tests: the embedded sign-in provider
 * (src/server/idp) signs them in, deploy/policy.yaml names their groups, and the dev signer
 * (dev-signer.ts) signs as them in workflow-level tests that do not go through the server.
 * - `onramp-*` groups give the server's roles (src/server/config.ts) and the policy's requesters/approvers;
 * - `security@acme.example` and `salesforce-admins@acme.example` are mail-style group addresses (as Google
 *   Workspace names groups), the teams the examples' specs list as `approvers`.
 * Never used outside the embedded stack and the tests.
 */
export const DEV_PEOPLE = {
  requester: { sub: 'u-jdoe', email: 'jdoe@acme.example', name: 'Jane Doe', groups: ['onramp-requesters'] },
  securityApprover: {
    sub: 'u-alice',
    email: 'alice@acme.example',
    name: 'Alice Okafor',
    groups: ['onramp-security-approvers', 'security@acme.example'],
  },
  secondSecurityApprover: {
    sub: 'u-bob',
    email: 'bob@acme.example',
    name: 'Bob Raman',
    groups: ['onramp-security-approvers', 'security@acme.example'],
  },
  admin: {
    sub: 'u-admin',
    email: 'admin@acme.example',
    name: 'Alex Admin',
    groups: ['onramp-admins', 'onramp-requesters', 'salesforce-admins@acme.example'],
  },
  /** In the billing-team group, the owner of the billing examples: answers their access reviews (docs/reviews.md). */
  owner: {
    sub: 'u-owen',
    email: 'owen@acme.example',
    name: 'Owen Owner',
    groups: ['onramp-requesters', 'billing-team@acme.example'],
  },
  auditor: { sub: 'u-auditor', email: 'auditor@acme.example', name: 'Avery Auditor', groups: ['onramp-auditors'] },
  /** Signed in, but in no group onramp knows: the person every refusal test needs. */
  outsider: { sub: 'u-mallory', email: 'mallory@acme.example', name: 'Mallory Outsider', groups: ['sales'] },
} as const satisfies Record<string, SeededPerson>;

export type DevPerson = keyof typeof DEV_PEOPLE;
