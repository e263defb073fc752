/**
 * Trusted sign-off: the approval policy, the approval service's signing key, and the signed statements
 * the onboarding workflow verifies (docs/signoff.md). The server uses it like this:
 *
 *   const policy = loadPolicy(config.policy.file);               // at start; refuses to start when invalid
 *   const signer = await Signer.fromKey(loadSigningKey(config.signoff.keyFile)); // refuses when missing
 *   // submit, `me` = the signed-in person { sub, email, groups } from the OIDC id token:
 *   if (requestRefusal(policy, me)) -> 403
 *   const prepared = await prepareOnboarding(source, config, admin);            // src/client/onboarding.ts
 *   const handle = await startOnboarding(client, config, prepared, { signer, requester: me, policy });
 *   // approve / reject, `me` = the signed-in approver; the workflow decides whether it counts:
 *   await approve(client, integration, { signer, approver: me, comment });
 *   await reject(client, integration, { signer, approver: me, comment });
 *   // who may decide (to list "requests awaiting me"): ineligibility(status.requirement, status.requester, me)
 *
 * Workflow code must not import this file (it reaches Node's crypto and fs): it imports verify.ts,
 * rules.ts, canonical.ts and statements.ts directly.
 */
export { canonicalJson, planDigest, specDigest } from './canonical';
export { DEV_PEOPLE, type DevPerson } from './dev-people';
export { devPerson, devSignoff, type DevSignoff } from './dev-signer';
export {
  ensureDevSigningKey,
  generateSigningKey,
  loadJwks,
  loadSigningKey,
  publicJwkOf,
  SignoffKeyError,
  thumbprintOf,
  trustKey,
  type SigningKeyFile,
} from './keys';
export { loadPolicy, parsePolicy, PolicyError, type ApprovalPolicy } from './policy';
export { lifecycleRequirement, requestRefusal, requirementFor } from './requirement';
export { approvalsNeeded, ineligibility, missingApprovals } from './rules';
export { Signer } from './sign';
export type * from './statements';
export { verifyCompactJws } from './jws';
export {
  APPROVAL_TYP,
  ATTESTATION_TYP,
  REQUEST_TYP,
  verifyApproval,
  verifyAttestation,
  verifyLifecycleRequest,
  verifyRequest,
} from './verify';
