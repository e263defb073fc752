import type { OnrampConfig } from '../config';
import { resolve } from 'node:path';

/** Where onramp's own secrets are, for people (runbook, `onramp credentials`): an address, a prefix, a file; no credential. */
export function describeSecretStore(secrets: OnrampConfig['secrets']): string {
  switch (secrets.backend) {
    case 'aws':
      return `AWS Secrets Manager${secrets.aws.region ? ` in ${secrets.aws.region}` : ''}, names under ${secrets.aws.prefix}`;
    case 'vault':
      return `Vault ${secrets.vault.address}, KV v2 mount ${secrets.vault.mount}, under ${secrets.vault.prefix}`;
    case 'file':
      return `encrypted file ${resolve(secrets.file)}`;
  }
}
