import { SecretsManagerClient, SecretsManagerServiceException } from '@aws-sdk/client-secrets-manager';
import { SecretStoreError } from './store';

export interface AwsSecretsSettings {
  region?: string | undefined;
  /** Another endpoint than AWS's own: a VPC endpoint, or moto in the tests. */
  endpoint?: string | undefined;
}

/** The SDK's client; credentials come from the SDK's default chain (environment, profile, container, instance). */
export function secretsManagerClient(settings: AwsSecretsSettings): SecretsManagerClient {
  return new SecretsManagerClient({
    ...(settings.region ? { region: settings.region } : {}),
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    maxAttempts: 3,
  });
}

/** Whether Secrets Manager said the secret, or the version asked for, does not exist. */
export function isNotFound(error: unknown): boolean {
  return error instanceof SecretsManagerServiceException && error.name === 'ResourceNotFoundException';
}

/** Credentials absent, refused or not allowed cannot be fixed by a retry; the rest (network, throttling) can. */
const REFUSALS: Record<string, 'missing-key' | 'wrong-key'> = {
  CredentialsProviderError: 'missing-key',
  UnrecognizedClientException: 'wrong-key',
  InvalidSignatureException: 'wrong-key',
  SignatureDoesNotMatch: 'wrong-key',
  ExpiredTokenException: 'wrong-key',
  AccessDeniedException: 'wrong-key',
  InvalidClientTokenId: 'wrong-key',
};

/** An AWS SDK error as a SecretStoreError whose code tells the activities whether retrying helps. */
export function awsError(what: string, error: unknown): SecretStoreError {
  if (error instanceof SecretStoreError) return error;
  const name = (error as Error).name ?? 'Error';
  const message = `AWS Secrets Manager: ${what}: ${name}: ${(error as Error).message}`;
  if (name in REFUSALS) return new SecretStoreError(message, REFUSALS[name]!);
  if (name === 'InvalidRequestException' || name === 'InvalidParameterException' || name === 'ValidationException') {
    return new SecretStoreError(message, 'bad-path');
  }
  return new SecretStoreError(message, 'io');
}

/** Runs one SDK request, its error as awsError's. */
export async function awsCall<T>(what: string, request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (e) {
    throw awsError(what, e);
  }
}
