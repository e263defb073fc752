// Workflow code imports this file: types only.

/** A person as the sign-in (OIDC) verified them: `sub` is the stable id, `email` and `groups` are claims. */
export interface VerifiedIdentity {
  sub: string;
  email: string;
  groups: string[];
}

/**
 * One condition an onboarding's approvals must meet: `count` distinct people, each matching the rule
 * (one of `groups` among their groups, or their email or a group of theirs among `identities`).
 */
export interface ApprovalRule {
  /** Where the rule comes from, for messages: `policy`, `spec`. */
  source: string;
  count: number;
  groups: string[];
  identities: string[];
}

/** What policy (and the spec, only ever adding to it) requires before an onboarding may run. */
export interface ApprovalRequirement {
  /** All must hold. The first is always the policy's. */
  rules: ApprovalRule[];
  /** Never approve, whatever their groups: the requester always, the spec's owner where policy says so. */
  neverApprove: { subs: string[]; emails: string[] };
  /** Who is told when nobody decides in time. */
  escalationGroup?: string;
  /** Why the policy asked for its count (`full scope`, `modify-all on Account`, ...), for approvers. */
  reasons: string[];
}

/** Signed by the approval service when it starts an onboarding: binds the workflow to one plan and requester. */
export interface RequestClaims {
  typ: 'onramp-request';
  workflowId: string;
  /** SHA-256 (hex) of the canonical plan minus its seat counts (canonical.ts `planDigest`). */
  planDigest: string;
  /** SHA-256 (hex) of the canonical resolved integration the steps carry out. */
  specDigest: string;
  requester: VerifiedIdentity;
  requirement: ApprovalRequirement;
  issuedAt: string;
}

export type Decision = 'approved' | 'rejected';

/** Signed by the approval service for one decision of one signed-in approver on one run. */
export interface ApprovalClaims {
  typ: 'onramp-approval';
  workflowId: string;
  runId: string;
  planDigest: string;
  approver: VerifiedIdentity;
  decision: Decision;
  at: string;
  comment?: string;
  /** Unique per statement: a statement is accepted once. */
  id: string;
}

/** A public signing key as a JWK (RFC 8037 OKP, Ed25519). */
export interface PublicJwk {
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
  kid: string;
  alg?: string;
  use?: string;
}

export interface Jwks {
  keys: PublicJwk[];
}
