import { DEV_PEOPLE, type SeededPerson } from '../../signoff/dev-people';

export type { SeededPerson };

/** The people the embedded provider signs in: onramp dev's one list (src/signoff/dev-people.ts). */
export const SEEDED_PEOPLE: readonly SeededPerson[] = Object.values(DEV_PEOPLE);

/**
 * The embedded provider's mail-enabled groups: the teams the examples name as `owner`. A group is known
 * to the owner register by its address, as Entra ID, Google and Okta groups can carry one.
 */
export const SEEDED_GROUPS: ReadonlyArray<{ name: string; email: string }> = [
  { name: 'billing-team', email: 'billing-team@acme.example' },
  { name: 'logistics', email: 'logistics@acme.example' },
];

/** The password of every seeded person: the embedded provider is a loopback-only development stand-in. */
export const SEEDED_PASSWORD = 'onramp-dev';
