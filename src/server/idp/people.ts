import { DEV_PEOPLE, type SeededPerson } from '../../signoff/dev-people';

export type { SeededPerson };

/** The people the embedded provider signs in: onramp dev's one list (src/signoff/dev-people.ts). */
export const SEEDED_PEOPLE: readonly SeededPerson[] = Object.values(DEV_PEOPLE);

/** The password of every seeded person: the embedded provider is a loopback-only development stand-in. */
export const SEEDED_PASSWORD = 'onramp-dev';
