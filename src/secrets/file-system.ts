import { mkdir } from 'node:fs/promises';
import { SecretStoreError } from './store';

/**
 * A file system error as a SecretStoreError: EISDIR and ENOTDIR say no store file can exist at the path
 * (`bad-path`, for a person to fix); anything else may pass (a full disk, a descriptor limit) and is `io`.
 */
export function fileSystemError(what: string, error: unknown): SecretStoreError {
  if (error instanceof SecretStoreError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  return new SecretStoreError(
    `${what}: ${(error as Error).message}`,
    code === 'EISDIR' || code === 'ENOTDIR' ? 'bad-path' : 'io',
  );
}

/** `mkdir -p`, whose EEXIST means a regular file is where the directory belongs. */
export async function ensureDirectory(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST')
      throw new SecretStoreError(`${dir} is a file, not a directory`, 'bad-path');
    throw fileSystemError(`cannot create ${dir}`, e);
  }
}
