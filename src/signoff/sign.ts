import { CompactSign, importJWK, type CryptoKey } from 'jose';
import { randomUUID } from 'node:crypto';
import type { Plan } from '../spec/plan';
import type { ResolvedIntegration } from '../spec/normalize';
import { canonicalJson, lifecycleDigest, planDigest, specDigest } from './canonical';
import type { SigningKeyFile } from './keys';
import type { ApprovalClaims, ApprovalRequirement, Decision, RequestClaims, VerifiedIdentity } from './statements';
import type { AttestationClaims } from '../shared/review';
import { APPROVAL_TYP, ATTESTATION_TYP, REQUEST_TYP } from './verify';

/** Signs statements with the approval service's key. Only the server (and `onramp dev`'s own tools) holds one. */
export class Signer {
  private constructor(
    readonly kid: string,
    private readonly key: CryptoKey | Uint8Array,
  ) {}

  static async fromKey(file: SigningKeyFile): Promise<Signer> {
    return new Signer(file.kid, await importJWK({ ...file.jwk, kid: file.kid }, 'EdDSA'));
  }

  private async sign(typ: string, claims: object): Promise<string> {
    return new CompactSign(new TextEncoder().encode(canonicalJson(claims)))
      .setProtectedHeader({ alg: 'EdDSA', kid: this.kid, typ })
      .sign(this.key);
  }

  /** The request an onboarding starts with: `requester` is the signed-in submitter, `requirement` from policy. */
  signRequest(request: {
    workflowId: string;
    plan: Plan;
    integration: ResolvedIntegration;
    requester: VerifiedIdentity;
    requirement: ApprovalRequirement;
  }): Promise<string> {
    return this.signRequestClaims({
      workflowId: request.workflowId,
      planDigest: planDigest(request.plan),
      specDigest: specDigest(request.integration),
      requester: request.requester,
      requirement: request.requirement,
    });
  }

  /** The request a change to a managed integration starts with, bound to the workflow's whole input. */
  signLifecycleRequest(request: {
    workflowId: string;
    input: { desired: { integration: ResolvedIntegration }; request?: string };
    requester: VerifiedIdentity;
    requirement: ApprovalRequirement;
  }): Promise<string> {
    return this.signRequestClaims({
      workflowId: request.workflowId,
      planDigest: lifecycleDigest(request.input),
      specDigest: specDigest(request.input.desired.integration),
      requester: request.requester,
      requirement: request.requirement,
    });
  }

  private signRequestClaims(claims: Omit<RequestClaims, 'typ' | 'issuedAt'>): Promise<string> {
    const full: RequestClaims = { typ: 'onramp-request', ...claims, issuedAt: new Date().toISOString() };
    return this.sign(REQUEST_TYP, full);
  }

  /** One decision of one signed-in approver on one run of one plan; its id makes it usable once. */
  signApproval(decision: {
    workflowId: string;
    runId: string;
    planDigest: string;
    approver: VerifiedIdentity;
    decision: Decision;
    comment?: string;
  }): Promise<string> {
    const claims: ApprovalClaims = {
      typ: 'onramp-approval',
      ...decision,
      at: new Date().toISOString(),
      id: randomUUID(),
    };
    return this.sign(APPROVAL_TYP, claims);
  }

  /** An owner's review of one integration in one campaign run, over the facts they were shown. */
  signAttestation(attestation: Omit<AttestationClaims, 'typ' | 'at' | 'id'>): Promise<string> {
    const claims: AttestationClaims = {
      typ: 'onramp-attestation',
      ...attestation,
      at: new Date().toISOString(),
      id: randomUUID(),
    };
    return this.sign(ATTESTATION_TYP, claims);
  }
}
