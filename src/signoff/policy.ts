import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

const groupList = z
  .array(z.string().trim().min(1, { error: 'must name a group' }))
  .min(1, { error: 'must list at least one group' });

/**
 * The approval policy: owned by onramp's admins, outside every spec (a spec is written by the requester).
 * deploy/policy.yaml is the documented default; docs/signoff.md explains each field.
 */
export const PolicySchema = z.strictObject({
  /** Groups (the IdP's group claim) whose members may submit onboardings. */
  requesters: groupList,
  /** Groups whose members may approve or reject. */
  approvers: groupList,
  /** Told when a request waits too long; never approves by being told. */
  escalation: z.string().trim().min(1).optional(),
  approvals: z
    .strictObject({
      default: z.number().int().min(1).default(1),
      /** When the plan carries an elevated risk or targets a production org. */
      elevated: z.number().int().min(1).default(2),
    })
    .refine((a) => a.elevated >= a.default, { error: 'elevated must be at least default', path: ['elevated'] })
    .prefault({}),
  /** Plan risk codes (src/spec/static-checks.ts) that need `approvals.elevated`. */
  elevatedRisks: z
    .array(z.string().min(1))
    .default([
      'full-scope',
      'modify-all-records',
      'view-all-records',
      'apex-class-access',
      'delete-rights',
      'ip-relaxed',
    ]),
  /** A production org (or one whose kind the plan does not know) needs `approvals.elevated`. */
  elevateProduction: z.boolean().default(true),
  /** The spec's owner (its team address) approving their own integration. The requester never may. */
  ownerMayApprove: z.boolean().default(false),
  /**
   * Promotion (docs/day-two.md): a production onboarding needs a completed and verified onboarding of the
   * same spec in a sandbox of that org, unless a waiver here names the integration with its reason.
   */
  promotion: z
    .strictObject({
      requireSandbox: z.boolean().default(true),
      waivers: z
        .array(
          z.strictObject({
            integration: z.string().trim().min(1, { error: 'must name the integration' }),
            reason: z
              .string({ error: 'must say why the sandbox run is waived' })
              .trim()
              .min(10, { error: 'must say in at least 10 characters why the sandbox run is waived' }),
          }),
        )
        .default([]),
    })
    .prefault({}),
});

/** The policy's waiver of the sandbox run for `integration`, if any. */
export const promotionWaiver = (policy: ApprovalPolicy, integration: string) =>
  policy.promotion.waivers.find((w) => w.integration.toLowerCase() === integration.toLowerCase());

export type ApprovalPolicy = z.output<typeof PolicySchema>;

export class PolicyError extends Error {
  constructor(file: string, issues: string[]) {
    super(`invalid approval policy ${file}:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'PolicyError';
  }
}

export function parsePolicy(text: string, file = 'policy'): ApprovalPolicy {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new PolicyError(file, [(error as Error).message]);
  }
  const parsed = PolicySchema.safeParse(raw ?? {});
  if (!parsed.success)
    throw new PolicyError(
      file,
      parsed.error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`),
    );
  return parsed.data;
}

/** Reads the policy file; a missing or invalid one is an error (there is no policy-less mode). */
export function loadPolicy(file: string): ApprovalPolicy {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new PolicyError(file, [`cannot be read: ${(error as Error).message}`]);
  }
  return parsePolicy(text, file);
}
