import type { ResolvedApp } from '../spec/normalize';

/** Everything onramp puts on an OAuth app, whichever kind of app carries it. */
export interface AppRequest {
  app: ResolvedApp;
  /** Written into the description: proves onramp created this app for this onboarding (src/salesforce/ownership.ts). */
  marker: string;
  consumerKey: string;
  /**
   * Absent only for an adopted app whose secret onramp was never given: the app then keeps the secret it
   * has (docs/day-two.md, "Rotation of an adopted integration").
   */
  consumerSecret?: string;
  /** PEM certificate for the JWT bearer flow; absent for client credentials. */
  certificatePem?: string;
}

/**
 * Salesforce consumer keys are 85 characters starting with 3MVG9; onramp chooses the key itself (both app
 * kinds accept a supplied key) so a retried create is recognisable and nothing has to be read back.
 */
export function consumerKeyFor(random: Uint8Array): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._';
  let key = '3MVG9';
  for (let i = 0; key.length < 85; i++) key += alphabet[random[i % random.length] % alphabet.length];
  return key;
}
