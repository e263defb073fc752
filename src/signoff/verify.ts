// Workflow code imports this file: verification runs inside the workflow sandbox (jws.ts is pure JS).
import { Failure } from '../shared/failures';
import type { Plan } from '../spec/plan';
import type { ResolvedIntegration } from '../spec/normalize';
import { lifecycleDigest, planDigest, specDigest } from './canonical';
import { verifyCompactJws } from './jws';
import type { AttestationClaims } from '../shared/review';
import type { ApprovalClaims, Jwks, RequestClaims } from './statements';

export const REQUEST_TYP = 'onramp-request+jws';
export const APPROVAL_TYP = 'onramp-approval+jws';
export const ATTESTATION_TYP = 'onramp-attestation+jws';

function verified<T>(token: unknown, jwks: Jwks, typ: string, what: string): T {
  const result = verifyCompactJws(token, jwks);
  if ('refused' in result) throw Failure.SignatureRefused(`${what} refused: ${result.refused}`);
  // The type is in the signed header, so an approval cannot be presented as a request or the reverse.
  if (result.typ !== typ)
    throw Failure.SignatureRefused(`${what} refused: a ${result.typ || 'statement of no type'} is not a ${typ}`);
  return result.payload as T;
}

const isIdentity = (v: unknown) => {
  const i = v as { sub?: unknown; email?: unknown; groups?: unknown } | null;
  return !!i && typeof i.sub === 'string' && i.sub !== '' && typeof i.email === 'string' && Array.isArray(i.groups);
};

/**
 * The signed request of an onboarding, checked against what the workflow was started with: the
 * workflow id, the plan and the resolved spec must be the ones the approval service signed.
 */
export function verifyRequest(
  token: unknown,
  jwks: Jwks,
  started: { workflowId: string; plan: Plan; integration: ResolvedIntegration },
): RequestClaims {
  const claims = requestClaims(token, jwks, started.workflowId, 'onboarding');
  if (claims.planDigest !== planDigest(started.plan)) {
    throw Failure.DigestMismatch('the plan given is not the plan the request was signed for (plan digest differs)');
  }
  if (claims.specDigest !== specDigest(started.integration)) {
    throw Failure.DigestMismatch(
      'the integration given is not the one the request was signed for (spec digest differs)',
    );
  }
  return claims;
}

function requestClaims(token: unknown, jwks: Jwks, workflowId: string, what: string): RequestClaims {
  const claims = verified<RequestClaims>(token, jwks, REQUEST_TYP, `the ${what} request`);
  if (claims?.typ !== 'onramp-request' || !isIdentity(claims.requester) || !Array.isArray(claims.requirement?.rules)) {
    throw Failure.SignatureRefused(`the ${what} request refused: it is not an onramp request`);
  }
  if (claims.workflowId !== workflowId) {
    throw Failure.DigestMismatch(`the signed request is for workflow ${claims.workflowId}, not ${workflowId}`);
  }
  return claims;
}

/**
 * The signed request of a change to a managed integration (offboarding, remediation), checked against the
 * workflow's whole input: its digest (lifecycleDigest) is what the approval service signed as `planDigest`.
 */
export function verifyLifecycleRequest(
  token: unknown,
  jwks: Jwks,
  started: { workflowId: string; input: { request?: string }; what: string },
): RequestClaims {
  const claims = requestClaims(token, jwks, started.workflowId, started.what);
  if (claims.planDigest !== lifecycleDigest(started.input)) {
    throw Failure.DigestMismatch(
      `the ${started.what} given is not the one the request was signed for (digest differs)`,
    );
  }
  return claims;
}

/** A signed decision, checked to be for this workflow, this run and this plan. */
export function verifyApproval(
  token: unknown,
  jwks: Jwks,
  run: { workflowId: string; runId: string; planDigest: string },
): ApprovalClaims {
  const claims = verified<ApprovalClaims>(token, jwks, APPROVAL_TYP, 'the decision');
  if (
    claims?.typ !== 'onramp-approval' ||
    !isIdentity(claims.approver) ||
    typeof claims.id !== 'string' ||
    !claims.id
  ) {
    throw Failure.SignatureRefused('the decision refused: it is not an onramp approval statement');
  }
  if (claims.decision !== 'approved' && claims.decision !== 'rejected') {
    throw Failure.SignatureRefused(`the decision refused: unknown decision ${String(claims.decision)}`);
  }
  if (claims.workflowId !== run.workflowId || claims.runId !== run.runId) {
    throw Failure.ApprovalNotBound(
      `the decision was signed for ${claims.workflowId} run ${claims.runId}, not this run`,
    );
  }
  if (claims.planDigest !== run.planDigest) throw Failure.ApprovalNotBound('the decision was signed for another plan');
  return claims;
}

/** An owner's signed review, checked to be for this campaign's run; the campaign checks the rest (owner, facts). */
export function verifyAttestation(
  token: unknown,
  jwks: Jwks,
  run: { campaignId: string; runId: string },
): AttestationClaims {
  const claims = verified<AttestationClaims>(token, jwks, ATTESTATION_TYP, 'the review');
  if (claims?.typ !== 'onramp-attestation' || !isIdentity(claims.reviewer) || typeof claims.id !== 'string') {
    throw Failure.SignatureRefused('the review refused: it is not an onramp attestation');
  }
  if (claims.campaignId !== run.campaignId || claims.runId !== run.runId) {
    throw Failure.ApprovalNotBound(
      `the signed review is for campaign ${claims.campaignId} run ${claims.runId}, not ${run.campaignId} run ${run.runId}`,
    );
  }
  return claims;
}
