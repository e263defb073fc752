/**
 * The org's clock: real time plus an offset the admin API can move, so tests can age tokens, certificates
 * and "unused for N days" audits without waiting. Only the org reads it; the server's own timers
 * (persistence, latency) keep real time.
 */
export class OrgClock {
  offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  /** Moves the org's time so that it reads `date` now. */
  setNow(date: Date): void {
    this.offsetMs = date.getTime() - Date.now();
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }
}
