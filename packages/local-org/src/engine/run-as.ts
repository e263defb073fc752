/** Who a DML call runs as: the org itself (seeding, cascades, internal bookkeeping) or a user's session. */
export type RunAs = { kind: 'system' } | { kind: 'user'; userId: string };

export const SYSTEM: RunAs = { kind: 'system' };
export const asUser = (userId: string): RunAs => ({ kind: 'user', userId });
