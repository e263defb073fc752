/**
 * Credential handover: where an external system reads its Salesforce credential (the spec's `handover`),
 * one JSON secret in a secrets manager its team owns. onramp writes it (onboarding, rotation), keeps only
 * the current credential readable there, and removes it (offboarding, undo), each time only after proving
 * the secret is its own: a mark it keeps beside the value (an AWS tag, Vault custom metadata, a field of
 * the file), naming the onboarding that wrote it. A secret without that mark is the external team's and
 * is never overwritten or deleted.
 */
import type { OnrampConfig } from '../config';
import type { HandoverSpec, HandoverStoreKind } from '../spec/schema';
import { SecretStoreError } from './store';

/** onramp's mark on a handed-over secret: who owns it (the onboarding) and which run wrote the current value. */
export interface HandoverStamp {
  owner: string;
  run: string;
}

/** What is at a handover path, by reference: never the value. */
export interface HandoverState {
  /** The onboarding that owns it; undefined when it lacks onramp's mark. */
  owner: string | undefined;
  /** The store's own version id or number of the current value. */
  version: string;
  writtenAt: string;
  /** The workflow run that wrote the current value. */
  run: string | undefined;
}

export interface HandoverTarget {
  readonly kind: HandoverStoreKind;
  /** Where `path` is, for people: `aws:acme/billing/salesforce`. */
  where(path: string): string;
  inspect(path: string): Promise<HandoverState | undefined>;
  /**
   * Makes `value` the only readable value at `path`, refusing (SecretStoreError 'foreign') a secret that
   * lacks `stamp.owner`'s mark. Writing the value that is there already (a retried attempt) adds nothing.
   */
  write(path: string, value: string, stamp: HandoverStamp): Promise<HandoverState>;
  /** Deletes the secret at `path` (every version); false when nothing is there; refuses a foreign one. */
  remove(path: string, owner: string): Promise<boolean>;
}

/**
 * The owner in onramp's mark: the onboarding that first wrote the secret (rotations keep it). No brackets,
 * unlike the org's marker: AWS tag values allow only letters, digits, spaces and `_.:/=+-@`.
 */
export function handoverOwner(integration: string, onboardingId: string): string {
  return `onramp:${integration} onboarding ${onboardingId}`;
}

/** Whether an owner is some onboarding of this integration (a leftover of an earlier one is still its own). */
export function ownedByIntegration(owner: string | undefined, integration: string): boolean {
  return owner?.startsWith(handoverOwner(integration, '')) ?? false;
}

/** Tag or metadata keys of onramp's mark. */
export const HANDOVER_OWNER_KEY = 'onramp-handover-owner';
export const HANDOVER_RUN_KEY = 'onramp-handover-run';

export function foreignHandover(where: string, owner: string | undefined): SecretStoreError {
  return new SecretStoreError(
    `${where} exists and ${owner ? `belongs to another onramp onboarding (${owner})` : 'was not written by onramp'}: onramp never overwrites or deletes a secret it did not write; choose another handover.path or have its owners remove it`,
    'foreign',
  );
}

/** Why a handover location cannot be used with this configuration (store not configured, inside onramp's own), or undefined. */
export function handoverProblem(
  handover: HandoverSpec,
  secrets: OnrampConfig['secrets'],
): { field: 'store' | 'path'; message: string } | undefined {
  const own = (prefix: string) =>
    prefix && `${handover.path}/`.startsWith(prefix)
      ? {
          field: 'path' as const,
          message: `is inside onramp's own secrets (${prefix}); the external team owns the handover path`,
        }
      : undefined;
  switch (handover.store) {
    case 'aws':
      if (!secrets.aws.region)
        return {
          field: 'store',
          message: 'aws is not configured here (secrets.aws.region, ONRAMP_SECRETS_AWS_REGION)',
        };
      return secrets.backend === 'aws' ? own(secrets.aws.prefix) : undefined;
    case 'vault':
      if (!secrets.vault.address)
        return {
          field: 'store',
          message: 'vault is not configured here (secrets.vault.address, ONRAMP_SECRETS_VAULT_ADDRESS)',
        };
      return secrets.backend === 'vault' ? own(secrets.vault.prefix) : undefined;
    case 'file':
      if (!secrets.handoverDir)
        return {
          field: 'store',
          message: 'file is not configured here (secrets.handoverDir, ONRAMP_SECRETS_HANDOVER_DIR)',
        };
      return undefined;
  }
}
