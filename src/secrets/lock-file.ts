import { open, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ensureDirectory, fileSystemError } from './file-system';
import { SecretStoreError } from './store';

const STALE_LOCK_MS = 30_000;

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Takes the exclusive lock file that serializes writers across processes; resolves with its release.
 * A lock older than STALE_LOCK_MS was left by a crashed process and is taken over.
 */
export async function acquireLock(lockPath: string, timeoutMs: number): Promise<() => Promise<void>> {
  await ensureDirectory(dirname(lockPath));
  const deadline = Date.now() + timeoutMs;
  let delay = 10;
  for (;;) {
    try {
      const handle = await open(lockPath, 'wx', 0o600);
      await handle.writeFile(`${process.pid} ${new Date().toISOString()}\n`);
      await handle.close();
      return async () => {
        await unlink(lockPath).catch(() => undefined);
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST')
        throw fileSystemError(`cannot create the lock ${lockPath}`, e);
    }
    const info = await stat(lockPath).catch(() => undefined);
    if (info && Date.now() - info.mtimeMs > STALE_LOCK_MS) {
      await unlink(lockPath).catch(() => undefined);
      continue;
    }
    if (Date.now() > deadline) {
      throw new SecretStoreError(
        `timed out waiting for the lock ${lockPath}; remove it if no onramp process is running`,
        'io',
      );
    }
    await sleep(delay);
    delay = Math.min(delay * 2, 200);
  }
}
