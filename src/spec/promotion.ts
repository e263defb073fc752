/**
 * Promotion from a sandbox to its production org compares specs by what they build and grant, leaving
 * aside what legitimately differs per environment. Defined once, here: the server's plan-time check, the
 * worker's re-check before the first write, `onramp promote` and the evidence all use these functions.
 * Pure (no Node imports).
 */
import { canonicalJson, sha256Hex } from '../signoff/canonical';
import type { IntegrationSpec } from './schema';

/**
 * The spec fields that may differ between a sandbox and production: where the external system calls back
 * from and which addresses it comes from (callback URLs, trusted IP ranges, IP policy), where its
 * credential is handed over, the integration user's overrides (usernames are per org), who asked, and
 * which orgs the spec names.
 */
export const ENVIRONMENT_FIELDS = [
  'app.callbackUrls',
  'app.trustedIpRanges',
  'app.ipPolicy',
  'handover',
  'user',
  'requestedBy',
  'orgs',
] as const;
export type EnvironmentField = (typeof ENVIRONMENT_FIELDS)[number];

/** One environment-specific field that differs between the sandbox's spec and production's. */
export interface EnvironmentDifference {
  field: EnvironmentField;
  from: unknown;
  to: unknown;
}

function fieldOf(spec: IntegrationSpec, field: EnvironmentField): unknown {
  if (field.startsWith('app.')) return (spec.app as Record<string, unknown>)[field.slice('app.'.length)];
  return (spec as Record<string, unknown>)[field];
}

/** The spec without its environment-specific fields: what must be the same in the sandbox and production. */
export function promotedPart(spec: IntegrationSpec): unknown {
  const { app } = spec;
  return {
    ...spec,
    handover: undefined,
    user: undefined,
    requestedBy: undefined,
    orgs: undefined,
    app: { ...app, callbackUrls: undefined, trustedIpRanges: undefined, ipPolicy: undefined },
  };
}

/** SHA-256 (hex) of the spec's canonical JSON without its environment-specific fields. */
export const promotionDigest = (spec: IntegrationSpec): string => sha256Hex(canonicalJson(promotedPart(spec)));

/** The environment-specific fields whose values differ from the sandbox's spec to production's. */
export function environmentDelta(from: IntegrationSpec, to: IntegrationSpec): EnvironmentDifference[] {
  return ENVIRONMENT_FIELDS.flatMap((field) => {
    const [a, b] = [fieldOf(from, field), fieldOf(to, field)];
    return canonicalJson(a) === canonicalJson(b) ? [] : [{ field, from: a ?? null, to: b ?? null }];
  });
}

/**
 * The top-level parts (and app settings) outside the environment-specific fields that differ: why two specs
 * are not the same promotion. Empty exactly when their promotion digests are equal.
 */
export function promotedDifferences(from: IntegrationSpec, to: IntegrationSpec): string[] {
  const a = promotedPart(from) as Record<string, unknown>;
  const b = promotedPart(to) as Record<string, unknown>;
  const differs = (x: unknown, y: unknown) => canonicalJson(x) !== canonicalJson(y);
  const appA = a.app as Record<string, unknown>;
  const appB = b.app as Record<string, unknown>;
  const app = [...new Set([...Object.keys(appA), ...Object.keys(appB)])]
    .filter((k) => differs(appA[k], appB[k]))
    .map((k) => `app.${k}`);
  const rest = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => k !== 'app' && differs(a[k], b[k]));
  return [...rest, ...app].sort();
}

/**
 * Why a production onboarding may run: the same spec (by promotion digest) completed and verified in a
 * sandbox of that org, or the approval policy's waiver with its reason. Carried in the plan (so it is
 * signed and approved with it), then in the registry and the evidence.
 */
export type PromotionBasis =
  | {
      kind: 'sandbox-verified';
      promotionDigest: string;
      /** The sandbox org (onramp's name for it) where the same spec was onboarded and verified. */
      sandbox: string;
      onboardingId: string;
      onboardedAt: string;
      /** The environment-specific fields that differ from the sandbox's spec. */
      delta: EnvironmentDifference[];
    }
  | { kind: 'waived'; promotionDigest: string; reason: string };

/** The plan's lines about its promotion basis. */
export function describePromotion(basis: PromotionBasis): string[] {
  if (basis.kind === 'waived')
    return [
      `sandbox run waived by the approval policy: ${basis.reason}`,
      `spec digest ${basis.promotionDigest.slice(0, 12)}`,
    ];
  return [
    `the same spec (digest ${basis.promotionDigest.slice(0, 12)}) was onboarded and verified in sandbox ${basis.sandbox} (onboarding ${basis.onboardingId}, ${basis.onboardedAt})`,
    ...(basis.delta.length === 0
      ? ['no environment-specific field differs']
      : basis.delta.map((d) => `~ ${d.field}: ${JSON.stringify(d.from)} -> ${JSON.stringify(d.to)}`)),
  ];
}
