import type { OnrampConfig } from '../config';
import { AwsSecretsManagerStore } from './aws-secrets-manager-store';
import { createEncryptedFileSecretStore } from './encrypted-file-store';
import type { SecretStore } from './store';
import { VaultKvStore } from './vault-kv-store';

/**
 * The configured SecretStore, verified: a missing or wrong key, or AWS or Vault credentials that do not work, throw
 * a SecretStoreError here, before anything is written or the worker polls.
 */
export async function openSecretStore(
  settings: OnrampConfig['secrets'],
  env: NodeJS.ProcessEnv = process.env,
): Promise<SecretStore> {
  const store =
    settings.backend === 'aws'
      ? new AwsSecretsManagerStore(settings.aws)
      : settings.backend === 'vault'
        ? new VaultKvStore({ ...settings.vault, address: settings.vault.address! })
        : createEncryptedFileSecretStore({ path: settings.file, keyPath: settings.keyFile, env });
  await store.verify();
  return store;
}
