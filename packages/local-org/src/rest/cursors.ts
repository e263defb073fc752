import { SfError } from '../errors';
import type { QueryRow } from '../soql';
import { makeId } from '../store/ids';

/** Salesforce drops a query locator after 15 minutes without a fetch. */
export const CURSOR_IDLE_MS = 15 * 60 * 1000;
/** Open cursors per user; opening one more closes that user's oldest, as Salesforce does. */
export const MAX_CURSORS_PER_USER = 10;

interface Cursor {
  id: string;
  userId: string;
  tooling: boolean;
  records: QueryRow[];
  totalSize: number;
  lastUsed: number;
}

/**
 * Server-side query cursors behind `nextRecordsUrl`. The locator is `<cursor id>-<offset>` as in real
 * orgs (`01gRO0000016PIAYA2-2000`), so a client may re-fetch any page it was given while the cursor lives.
 */
export class CursorStore {
  private readonly cursors = new Map<string, Cursor>();
  private counter = 0;

  open(userId: string, tooling: boolean, records: QueryRow[], totalSize: number, now: number): string {
    this.sweep(now);
    const mine = [...this.cursors.values()].filter((c) => c.userId === userId).sort((a, b) => a.lastUsed - b.lastUsed);
    while (mine.length >= MAX_CURSORS_PER_USER) this.cursors.delete(mine.shift()!.id);
    this.counter += 1;
    const id = makeId('01g', this.counter);
    this.cursors.set(id, { id, userId, tooling, records, totalSize, lastUsed: now });
    return id;
  }

  /** The records and total behind a locator the user holds, or INVALID_QUERY_LOCATOR. */
  read(
    locator: string,
    userId: string,
    tooling: boolean,
    now: number,
  ): { cursorId: string; offset: number; records: QueryRow[]; totalSize: number } {
    this.sweep(now);
    const match = /^([a-zA-Z0-9]{18})-(\d+)$/.exec(locator);
    const cursor = match ? this.cursors.get(match[1]) : undefined;
    const offset = match ? Number(match[2]) : NaN;
    if (!cursor || cursor.userId !== userId || cursor.tooling !== tooling || offset > cursor.records.length) {
      throw new SfError('INVALID_QUERY_LOCATOR', 'invalid query locator', 400);
    }
    cursor.lastUsed = now;
    return { cursorId: cursor.id, offset, records: cursor.records, totalSize: cursor.totalSize };
  }

  private sweep(now: number): void {
    for (const [id, c] of this.cursors) if (now - c.lastUsed > CURSOR_IDLE_MS) this.cursors.delete(id);
  }
}
