import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { LocalOrg } from '../org';
import type { OrgState } from '../store/database';

/** The persistence file: the org's state and the state reset() returns to, so a reloaded org resets the same way. */
export interface PersistedOrg {
  format: 'onramp-local-org-file/1';
  savedAt: string;
  state: OrgState;
  initial: OrgState;
}

export interface PersistenceOptions {
  /** How often to check for changes; a burst of writes is saved once per interval. */
  intervalMs?: number;
}

/**
 * Keeps the org in a JSON file across restarts. Saves are atomic (a temporary file renamed over the old
 * one, so a crash never leaves half a file), happen at most once per interval while the org's revision
 * moves, and once more on stop(). A file that exists but cannot be read is an error, never silently
 * replaced by a fresh org.
 */
export class Persistence {
  private timer: NodeJS.Timeout | undefined;
  private savedRevision = -1;
  private readonly intervalMs: number;
  lastError: Error | undefined;

  constructor(
    private readonly org: LocalOrg,
    readonly file: string,
    options: PersistenceOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 250;
  }

  /** Restores the org from the file; false when there is no file yet. */
  load(): boolean {
    if (!existsSync(this.file)) return false;
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(this.file, 'utf8'));
    } catch (error) {
      throw new Error(`cannot read the local org state file ${this.file}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    const file = parsed as Partial<PersistedOrg> & Partial<OrgState>;
    if (file.format === 'onramp-local-org-file/1' && file.state && file.initial) {
      this.org.restore(file.state);
      this.org.markInitialState(file.initial);
    } else if (file.format === 'onramp-local-org/1') {
      // A bare snapshot (e.g. saved from GET /_org/snapshots/:id) also starts an org.
      this.org.restore(file as OrgState);
    } else {
      throw new Error(`${this.file} is not a local org state file (format ${String(file.format)})`);
    }
    this.savedRevision = this.org.db.revision;
    return true;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.saveIfChanged(), this.intervalMs);
    this.timer.unref();
  }

  /** Saves now if anything changed since the last save. */
  saveIfChanged(): void {
    if (this.org.db.revision === this.savedRevision) return;
    try {
      this.save();
      this.lastError = undefined;
    } catch (error) {
      // Keep serving: a full disk must not take the org down; report once per distinct failure.
      if (this.lastError?.message !== (error as Error).message)
        process.stderr.write(`local org: cannot save ${this.file}: ${(error as Error).message}\n`);
      this.lastError = error as Error;
    }
  }

  /** Writes the file unconditionally. */
  save(): void {
    const revision = this.org.db.revision;
    const content: PersistedOrg = {
      format: 'onramp-local-org-file/1',
      savedAt: new Date().toISOString(),
      state: this.org.snapshot(),
      initial: this.org.initialSnapshot(),
    };
    mkdirSync(dirname(this.file), { recursive: true });
    const temp = `${this.file}.${process.pid}.tmp`;
    try {
      writeFileSync(temp, JSON.stringify(content), { mode: 0o600 });
      renameSync(temp, this.file);
    } catch (error) {
      rmSync(temp, { force: true });
      throw error;
    }
    this.savedRevision = revision;
  }

  /** Stops saving and saves what changed. Never writes if start() was not reached (a failed load must leave the file alone). */
  async stop(): Promise<void> {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
    if (this.org.db.revision !== this.savedRevision) this.save();
  }
}
