import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/** A file another running org writes (its bootstrap key, its state): two orgs sharing one would break each other. */
export class FileInUseError extends Error {
  constructor(
    readonly path: string,
    readonly pid: number,
  ) {
    super(
      `${path} belongs to the local org running as process ${pid} (onramp dev or onramp org start); stop it, or give this org another --state or --private-key`,
    );
    this.name = 'FileInUseError';
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Claims `path` for this org until the returned release is called, through `<path>.pid` holding the owner's
 * pid. A claim whose process is gone (a crash, kill -9) is taken over; a live one, this process's included,
 * is refused with FileInUseError before anything is written.
 */
export function claimFile(path: string): () => void {
  const claim = `${path}.pid`;
  mkdirSync(dirname(claim), { recursive: true });
  for (;;) {
    try {
      const fd = openSync(claim, 'wx', 0o600);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      const token = `${process.pid}\n`;
      return () => {
        try {
          if (readFileSync(claim, 'utf8') === token) unlinkSync(claim);
        } catch {
          // Already gone: nothing to release.
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = Number.parseInt(readFileSync(claim, 'utf8'), 10);
    if (Number.isInteger(owner) && owner > 0 && isRunning(owner)) throw new FileInUseError(path, owner);
    unlinkSync(claim);
  }
}
