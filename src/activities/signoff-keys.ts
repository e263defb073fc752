import type { Jwks } from '../signoff/statements';

/**
 * The public keys this worker trusts, for the onboarding workflow to verify signed requests and decisions
 * with (docs/signoff.md, "How the worker learns the public keys"): run as a local activity, its answer is
 * recorded by the worker in history, where no workflow starter can put keys of their own.
 */
export function signoffKeyActivities(jwks: Jwks) {
  return {
    async signoffKeys(): Promise<Jwks> {
      return jwks;
    },
  };
}
