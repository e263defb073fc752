/** A person of the embedded identity provider: what it puts in its tokens. */
export interface SeededPerson {
  sub: string;
  email: string;
  name: string;
  groups: string[];
}

/**
 * The people `onramp dev`, the demo and the tests sign in as. Their emails are the ones the examples
 * name (`requestedBy`, `approvers`), and their groups are the ones the default role mapping
 * (src/server/config.ts) turns into roles, so the examples run unmodified.
 */
export const SEEDED_PEOPLE: readonly SeededPerson[] = [
  { sub: 'u-jdoe', email: 'jdoe@acme.example', name: 'Jane Doe', groups: ['onramp-requesters'] },
  { sub: 'u-security', email: 'security@acme.example', name: 'Sam Okafor', groups: ['onramp-security-approvers'] },
  {
    sub: 'u-sfadmins',
    email: 'salesforce-admins@acme.example',
    name: 'Priya Raman',
    groups: ['onramp-security-approvers'],
  },
  { sub: 'u-admin', email: 'admin@acme.example', name: 'Alex Admin', groups: ['onramp-admins'] },
  { sub: 'u-auditor', email: 'auditor@acme.example', name: 'Avery Auditor', groups: ['onramp-auditors'] },
  { sub: 'u-mallory', email: 'mallory@acme.example', name: 'Mallory Outsider', groups: ['sales'] },
];

/** The password of every seeded person: the embedded provider is a loopback-only development stand-in. */
export const SEEDED_PASSWORD = 'onramp-dev';
