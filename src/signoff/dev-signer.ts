import type { OnrampConfig } from '../config';
import { DEV_PEOPLE } from './dev-people';
import { loadSigningKey } from './keys';
import { loadPolicy, type ApprovalPolicy } from './policy';
import { Signer } from './sign';
import type { VerifiedIdentity } from './statements';

/** A seeded person by email, `sub` or role name (`securityApprover`); nobody else exists in dev. */
export function devPerson(name: string): VerifiedIdentity {
  const key = name.trim().toLowerCase();
  const found = Object.entries(DEV_PEOPLE).find(([role, p]) => [role.toLowerCase(), p.sub, p.email].includes(key));
  if (!found) {
    const known = Object.values(DEV_PEOPLE)
      .map((p) => p.email)
      .join(', ');
    throw new Error(`${name} is not one of onramp dev's people (${known})`);
  }
  const [, person] = found;
  return { sub: person.sub, email: person.email, groups: [...person.groups] };
}

export interface DevSignoff {
  signer: Signer;
  policy: ApprovalPolicy;
  /** What `startOnboarding` takes, submitted by a seeded person (the requester by default). */
  submission(by?: VerifiedIdentity | string): { signer: Signer; requester: VerifiedIdentity; policy: ApprovalPolicy };
  /** What `approve`/`reject` take, decided by a seeded person (or any identity, for tests of refusals). */
  decision(
    by: VerifiedIdentity | string,
    comment?: string,
  ): { signer: Signer; approver: VerifiedIdentity; comment?: string };
}

/**
 * TESTS AND BENCHMARKS ONLY: stands in for the onramp server (and its sign-in) with the key a local stack
 * created and its seeded people, for workflow-level tests and benchmarks that do not go through the server
 * (the CLI and the demo do: they sign in). It loads the key
 * file and refuses when it is missing; it never creates one (only the embedded stack does). Whoever holds
 * the key file is the approval service: outside `onramp dev`, only the server does.
 */
export async function devSignoff(config: OnrampConfig): Promise<DevSignoff> {
  const signer = await Signer.fromKey(loadSigningKey(config.signoff.keyFile));
  const policy = loadPolicy(config.policy.file);
  const identity = (by: VerifiedIdentity | string) => (typeof by === 'string' ? devPerson(by) : by);
  return {
    signer,
    policy,
    submission: (by = DEV_PEOPLE.requester) => ({ signer, requester: identity(by), policy }),
    decision: (by, comment) => ({ signer, approver: identity(by), ...(comment ? { comment } : {}) }),
  };
}
