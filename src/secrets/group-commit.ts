/**
 * Group commit for the store's file: changes that queue up while it is being written are applied together,
 * in arrival order, in one read-modify-write under the cross-process lock and one fsync'd write.
 *
 * Each change works on a copy of one secret's entry, which replaces the entry only if the change returns:
 * a change that throws gets its own error and leaves that entry as it was, and the rest of its group is
 * still stored. A failure of the lock, the read or the write fails the whole group, none of which was stored.
 */
import { acquireLock } from './lock-file';
import { readStoreFile, writeStoreFile, type StoreFile, type StoredSecret } from './store-file';
import { SecretStoreError } from './store';

/** Changes the draft of one secret's entry (a copy); `changed: false` leaves the file as it was. */
export type SecretChange<T> = (secret: StoredSecret) => { changed: boolean; result: T };

interface Pending {
  name: string;
  /** Runs the change on the draft; `settle` answers the caller once the group is stored. */
  apply(draft: StoredSecret): { changed: boolean; settle: () => void };
  reject(error: unknown): void;
}

/** Commits to one file run one at a time in this process, whichever store instance makes them. */
const fileQueues = new Map<string, Promise<void>>();

export class GroupCommitter {
  private pending: Pending[] = [];

  constructor(
    private readonly path: string,
    private readonly lockTimeoutMs: number,
  ) {}

  submit<T>(name: string, change: SecretChange<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const pending: Pending = {
        name,
        apply(draft) {
          const { changed, result } = change(draft);
          return { changed, settle: () => resolve(result) };
        },
        reject,
      };
      // The first change after a group was taken schedules the next commit; later ones join it.
      if (this.pending.push(pending) === 1) this.schedule();
    });
  }

  private schedule(): void {
    const run = (fileQueues.get(this.path) ?? Promise.resolve()).then(() => this.commit());
    fileQueues.set(this.path, run);
    // Drop the queue entry once idle so the map does not grow with every store ever opened.
    void run.then(() => {
      if (fileQueues.get(this.path) === run) fileQueues.delete(this.path);
    });
  }

  /** Never rejects: every outcome, failures included, goes to the callers of the group. */
  private async commit(): Promise<void> {
    let group: Pending[] | undefined;
    let settle: Array<() => void>;
    try {
      const release = await acquireLock(`${this.path}.lock`, this.lockTimeoutMs);
      try {
        // Read under the lock, so no other process's write is overwritten.
        const base = await readStoreFile(this.path);
        // Taken only now: changes that arrived while the lock and the file were awaited join this group.
        group = this.pending.splice(0);
        const applied = applyGroup(this.path, base, group);
        if (applied.changed) await writeStoreFile(this.path, applied.file);
        settle = applied.settle;
      } finally {
        await release();
      }
    } catch (error) {
      for (const pending of group ?? this.pending.splice(0)) pending.reject(error);
      return;
    }
    for (const answer of settle) answer();
  }
}

function applyGroup(
  path: string,
  base: StoreFile,
  group: Pending[],
): { file: StoreFile; changed: boolean; settle: Array<() => void> } {
  // A shallow copy whose changed entries are replaced: `base` may be the cached file other readers hold.
  const secrets = { ...base.secrets };
  let changed = false;
  const settle = group.map((pending) => {
    try {
      const draft = draftOf(path, pending.name, secrets[pending.name]);
      const outcome = pending.apply(draft);
      if (outcome.changed) {
        secrets[pending.name] = draft;
        changed = true;
      }
      return outcome.settle;
    } catch (error) {
      return () => pending.reject(error);
    }
  });
  return { file: { ...base, secrets }, changed, settle };
}

function draftOf(path: string, name: string, stored: StoredSecret | undefined): StoredSecret {
  if (stored === undefined) return { nextVersion: 1, versions: [] };
  if (!Number.isSafeInteger(stored.nextVersion) || stored.nextVersion < 1 || !Array.isArray(stored.versions)) {
    throw new SecretStoreError(`${path} holds a malformed entry for ${name}`, 'corrupt');
  }
  return { ...stored, versions: [...stored.versions] };
}
