/**
 * Handover into a file under the configured folder (`secrets.handoverDir`, e.g. a volume the external
 * system mounts): `<dir>/<path>`, owner-only, replaced atomically. A file has no tags, so onramp's mark is
 * its `onramp` field beside the credential's; a file without it is the external team's.
 */
import { readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { writePrivateFile } from '../private-files';
import { foreignHandover, type HandoverStamp, type HandoverState, type HandoverTarget } from './handover';
import { SecretStoreError } from './store';

interface Mark {
  owner: string;
  run: string;
  version: number;
  writtenAt: string;
}

export class FileHandoverTarget implements HandoverTarget {
  readonly kind = 'file' as const;

  constructor(private readonly dir: string) {}

  where(path: string): string {
    return `file:${this.file(path)}`;
  }

  async inspect(path: string): Promise<HandoverState | undefined> {
    const found = await this.read(path);
    if (!found) return undefined;
    const { mark } = found;
    return mark
      ? { owner: mark.owner, version: String(mark.version), writtenAt: mark.writtenAt, run: mark.run }
      : { owner: undefined, version: '', writtenAt: '', run: undefined };
  }

  async write(path: string, value: string, stamp: HandoverStamp): Promise<HandoverState> {
    const credential = JSON.parse(value) as Record<string, unknown>;
    const found = await this.read(path);
    if (found && found.mark?.owner !== stamp.owner) throw foreignHandover(this.where(path), found.mark?.owner);
    if (!found || !isDeepStrictEqual(found.credential, credential)) {
      const mark: Mark = {
        owner: stamp.owner,
        run: stamp.run,
        version: (found?.mark?.version ?? 0) + 1,
        writtenAt: new Date().toISOString(),
      };
      await this.io(`write ${this.file(path)}`, () =>
        writePrivateFile(this.file(path), `${JSON.stringify({ ...credential, onramp: mark }, null, 2)}\n`),
      );
    }
    return (await this.inspect(path))!;
  }

  async remove(path: string, owner: string): Promise<boolean> {
    const found = await this.read(path);
    if (!found) return false;
    if (found.mark?.owner !== owner) throw foreignHandover(this.where(path), found.mark?.owner);
    await this.io(`delete ${this.file(path)}`, () => rm(this.file(path), { force: true }));
    return true;
  }

  private file(path: string): string {
    return join(resolve(this.dir), path);
  }

  /** The file's credential and onramp's mark; a file that is no JSON object has no mark (it is not onramp's). */
  private async read(path: string): Promise<{ credential: Record<string, unknown>; mark?: Mark } | undefined> {
    const file = this.file(path);
    const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      if (error.code === 'EISDIR') return '';
      throw new SecretStoreError(`read ${file}: ${error.message}`, 'io');
    });
    if (text === undefined) return undefined;
    try {
      const { onramp, ...credential } = JSON.parse(text) as { onramp?: Mark } & Record<string, unknown>;
      return { credential, ...(onramp && typeof onramp.owner === 'string' ? { mark: onramp } : {}) };
    } catch {
      return { credential: {} };
    }
  }

  private async io<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new SecretStoreError(
        `${what}: ${(error as Error).message}`,
        code === 'ENOTDIR' || code === 'EISDIR' ? 'bad-path' : 'io',
      );
    }
  }
}
