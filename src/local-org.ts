/**
 * The local Salesforce org is a development package (`@onramp/local-org`, packages/local-org): `onramp dev`,
 * `onramp org start` and the demo load it on demand, so a production install (the container image) runs
 * without it and only those commands need it.
 */
export type LocalOrgPackage = typeof import('@onramp/local-org');

export function loadLocalOrg(): LocalOrgPackage {
  try {
    // require, not import(): the CLI runs its TypeScript through tsx's CommonJS hook (bin/onramp).
    return require('@onramp/local-org') as LocalOrgPackage;
  } catch (error) {
    const missing =
      (error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' &&
      String((error as Error).message).includes('@onramp/local-org');
    if (!missing) throw error;
    throw new Error(
      'the local org (@onramp/local-org) is a development package and is not installed here: run onramp from a checkout after npm ci',
      { cause: error },
    );
  }
}
