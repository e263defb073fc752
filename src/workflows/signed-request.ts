import { proxyLocalActivities, workflowInfo } from '@temporalio/workflow';
import type { signoffKeyActivities } from '../activities/signoff-keys';
import type { OnboardingInput } from '../shared/types';
import type { Jwks, RequestClaims } from '../signoff/statements';
import { verifyLifecycleRequest, verifyRequest } from '../signoff/verify';

const { signoffKeys } = proxyLocalActivities<ReturnType<typeof signoffKeyActivities>>({
  startToCloseTimeout: '10 seconds',
});

export interface SignedRequest {
  keys: Jwks;
  claims: RequestClaims;
  run: { workflowId: string; runId: string; planDigest: string };
}

/**
 * Before anything else: the worker's trusted keys (a local activity, so they are the worker's and not the
 * starter's; docs/signoff.md), then the request's signature and its binding to this workflow, plan and
 * spec. A missing or wrong one fails the workflow with a typed, non-retryable failure; nothing was written.
 */
export async function verifiedRequest(
  input: Pick<OnboardingInput, 'request' | 'plan' | 'integration'>,
): Promise<SignedRequest> {
  const keys = await signoffKeys();
  const { workflowId, runId } = workflowInfo();
  const claims = verifyRequest(input.request, keys, { workflowId, plan: input.plan, integration: input.integration });
  return { keys, claims, run: { workflowId, runId, planDigest: claims.planDigest } };
}

/** The same for a change to a managed integration (offboarding, remediation): bound to the workflow's whole input. */
export async function verifiedLifecycleRequest(input: { request?: string }, what: string): Promise<SignedRequest> {
  const keys = await signoffKeys();
  const { workflowId, runId } = workflowInfo();
  const claims = verifyLifecycleRequest(input.request, keys, { workflowId, input, what });
  return { keys, claims, run: { workflowId, runId, planDigest: claims.planDigest } };
}
