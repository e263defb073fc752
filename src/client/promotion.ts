import type { Client } from '@temporalio/client';
import { orgRef, orgSettings, type OnrampConfig } from '../config';
import { Failure } from '../shared/failures';
import type { RegistryRecord } from '../shared/registry';
import { promotionWaiver, type ApprovalPolicy } from '../signoff/policy';
import { environmentDelta, promotedDifferences, promotionDigest, type PromotionBasis } from '../spec/promotion';
import { integrationKey } from '../spec/names';
import type { IntegrationSpec } from '../spec/schema';
import { registeredState, registryRecord } from './registry';

/** What the promotion rule needs to know about one production onboarding. */
export interface PromotionQuestion {
  /** The spec to onboard in production. */
  spec: IntegrationSpec;
  /** onramp's name of the production org. */
  production: string;
  /** onramp's names of that org's sandboxes (configuration). */
  sandboxes: string[];
  policy: ApprovalPolicy;
  /** The integration's registry record in an org, undefined when it has none. */
  registryIn(org: string): Promise<RegistryRecord | undefined>;
}

/**
 * Why this production onboarding may run (src/spec/promotion.ts), or a PromotionUnverified failure that
 * says, sandbox by sandbox, why none counts: a completed, verified and still active onboarding of a spec
 * with the same promotion digest. The policy's waiver counts instead, with its reason. Reads only.
 * The server asks at plan time, the worker again before the first write.
 */
export async function promotionBasis(question: PromotionQuestion): Promise<PromotionBasis> {
  const { spec, policy } = question;
  const digest = promotionDigest(spec);
  const why: string[] = [];
  for (const sandbox of question.sandboxes) {
    const record = await question.registryIn(sandbox);
    if (!record) {
      why.push(`${sandbox}: no completed and verified onboarding there`);
      continue;
    }
    if (record.state !== 'active') {
      why.push(`${sandbox}: ${record.state} there`);
      continue;
    }
    const onboarded = record.desired.integration.spec;
    if (promotionDigest(onboarded) !== digest) {
      why.push(
        `${sandbox}: the spec differs from the one onboarded there in ${promotedDifferences(onboarded, spec).join(', ')}`,
      );
      continue;
    }
    // Registered only by an onboarding whose verification passed (src/workflows/onboard.ts), so an active
    // record of the same digest is a completed and verified run.
    return {
      kind: 'sandbox-verified',
      promotionDigest: digest,
      sandbox,
      onboardingId: record.desired.onboardingId,
      onboardedAt: record.desired.onboardedAt,
      delta: environmentDelta(onboarded, spec),
    };
  }
  const waiver = promotionWaiver(policy, spec.name);
  if (waiver) return { kind: 'waived', promotionDigest: digest, reason: waiver.reason };
  const where = question.sandboxes.length
    ? why.join('; ')
    : `${question.production} has no sandbox in onramp's configuration`;
  throw Failure.PromotionUnverified(
    `${spec.name} cannot be onboarded in production org ${question.production} before the same spec is onboarded and verified in one of its sandboxes (${where}), and the approval policy waives no sandbox run for it`,
  );
}

/**
 * onramp's names of the sandboxes of the production org `production`: the `kind: sandbox` orgs whose
 * `sandboxOf` names it, or that name none when it is the only production org configured.
 */
export function sandboxesOf(config: OnrampConfig, production: string): string[] {
  const orgs = Object.values(config.orgs);
  const onlyProduction = orgs.filter((o) => o.kind === 'production').length === 1;
  return orgs
    .filter(
      (o) => o.kind === 'sandbox' && (o.sandboxOf === production || (o.sandboxOf === undefined && onlyProduction)),
    )
    .map((o) => o.name);
}

/** The integration's registry record in an org (by name), undefined when none runs there. */
async function registryIn(client: Client, config: OnrampConfig, name: string, org: string) {
  const key = integrationKey(name, orgRef(config, org));
  return (await registeredState(client, key)) === undefined ? undefined : registryRecord(client, key);
}

/**
 * The promotion rule for an onboarding of `spec` in the org `ref` (a reference: absent is the default org):
 * undefined where it does not apply (a sandbox; a production org with no sandbox configured; the policy's
 * `promotion.requireSandbox: false`), else the basis, or PromotionUnverified. `isSandbox` is what the org
 * itself says (the plan's org facts).
 */
export async function checkPromotion(
  client: Client,
  config: OnrampConfig,
  /** Read only when the rule may apply: a worker of a single-org install never needs the policy file. */
  policyOf: () => ApprovalPolicy,
  spec: IntegrationSpec,
  ref: string | undefined,
  isSandbox: boolean | undefined,
): Promise<PromotionBasis | undefined> {
  const target = orgSettings(config, ref);
  if (target.kind === 'sandbox' || isSandbox === true) return undefined;
  const sandboxes = sandboxesOf(config, target.name);
  if (sandboxes.length === 0) return undefined;
  const policy = policyOf();
  if (!policy.promotion.requireSandbox) return undefined;
  return promotionBasis({
    spec,
    production: target.name,
    sandboxes,
    policy,
    registryIn: (org) => registryIn(client, config, spec.name, org),
  });
}
