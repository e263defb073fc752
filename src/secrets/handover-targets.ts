import type { OnrampConfig } from '../config';
import type { HandoverSpec, HandoverStoreKind } from '../spec/schema';
import { handoverProblem, type HandoverTarget } from './handover';
import { AwsHandoverTarget } from './handover-aws';
import { FileHandoverTarget } from './handover-file';
import { VaultHandoverTarget } from './handover-vault';
import { SecretStoreError } from './store';

/** The handover targets of a configuration, opened on first use and kept (one client per store and process). */
export class HandoverTargets {
  private readonly opened = new Map<HandoverStoreKind, HandoverTarget>();

  constructor(private readonly secrets: OnrampConfig['secrets']) {}

  get(handover: HandoverSpec): HandoverTarget {
    const problem = handoverProblem(handover, this.secrets);
    if (problem) throw new SecretStoreError(`handover.${problem.field}: ${problem.message}`, 'bad-path');
    const { aws, vault, handoverDir } = this.secrets;
    const target =
      this.opened.get(handover.store) ??
      (handover.store === 'aws'
        ? new AwsHandoverTarget(aws)
        : handover.store === 'vault'
          ? new VaultHandoverTarget({ ...vault, address: vault.address! })
          : new FileHandoverTarget(handoverDir!));
    this.opened.set(handover.store, target);
    return target;
  }
}
