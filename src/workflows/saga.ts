import { log, patched, sleep } from '@temporalio/workflow';
import { Failure, failureType, isFailure } from '../shared/failures';
import { ORG_WAITS, type OrgWaitFailure } from '../shared/org-waits';
import type { OnboardingStep } from '../shared/steps';
import type { StepProgress, StepState } from '../shared/types';

interface Compensation<S extends string> {
  step: S;
  description: string;
  run: () => Promise<string>;
}

/** Live progress of each step, as the status query reports it. */
export class StepBoard<S extends string = OnboardingStep> {
  readonly steps: StepProgress<S>[];

  constructor(steps: readonly S[]) {
    this.steps = steps.map((step) => ({ step, state: 'pending' as StepState }));
  }

  set(step: S, state: StepState, detail?: string): void {
    const entry = this.steps.find((s) => s.step === step)!;
    const now = new Date().toISOString();
    if (state === 'running' || state === 'compensating') entry.startedAt = now;
    else if (state !== 'waiting') entry.endedAt = now;
    entry.state = state;
    if (detail !== undefined) entry.detail = detail;
    delete entry.waitingUntil;
  }

  /**
   * Waits on a durable timer (`pauseMs`), the step shown as waiting until then, because the org cannot
   * take requests (its API allocation spent, down for maintenance) or an undo keeps failing.
   */
  async wait(step: S, pauseMs: number, why: string): Promise<void> {
    const until = new Date(Date.now() + pauseMs).toISOString();
    this.set(step, 'waiting', `${why}; runs again at ${until}`);
    this.steps.find((s) => s.step === step)!.waitingUntil = until;
    await sleep(pauseMs);
  }

  state(step: S): StepState {
    return this.steps.find((s) => s.step === step)!.state;
  }

  /**
   * Runs one step: running while `fn` runs, then done (with a summary of its result), or failed. When
   * the org cannot take requests for hours, the step waits (durably) and runs again rather than fail:
   * an approved request is never spent on the org's API allocation or its maintenance.
   */
  async run<T>(step: S, fn: () => Promise<T>, detail?: (result: T) => string): Promise<T> {
    for (;;) {
      this.set(step, 'running');
      try {
        const result = await fn();
        this.set(step, 'done', detail?.(result));
        return result;
      } catch (error) {
        const pause = orgWaitOf(error);
        if (pause && patched('onramp-wait-on-the-org')) {
          log.warn('the org cannot take requests; the step waits and runs again', {
            step,
            reason: failureMessage(error),
          });
          await this.wait(step, pause, failureMessage(error));
          continue;
        }
        this.set(step, 'failed', failureMessage(error));
        throw error;
      }
    }
  }
}

/**
 * Compensations, registered before the step they undo runs (a step can take effect in the org and still
 * fail on the way back), and run in reverse. A compensation that fails even after its retries waits and
 * tries again until it succeeds (workflows from before that was so record it as left behind and go on).
 */
export class Saga<S extends string = OnboardingStep> {
  private readonly compensations: Compensation<S>[] = [];

  constructor(private readonly board: StepBoard<S>) {}

  onUndo(step: S, description: string, run: () => Promise<string>): void {
    this.compensations.push({ step, description, run });
  }

  async compensate(): Promise<{ undone: string[]; leftBehind: string[] }> {
    const undone: string[] = [];
    const leftBehind: string[] = [];
    for (const c of [...this.compensations].reverse()) {
      if (this.board.state(c.step) === 'pending') continue;
      for (let round = 1; ; round++) {
        this.board.set(c.step, 'compensating');
        try {
          const outcome = await c.run();
          undone.push(`${c.description} (${outcome})`);
          this.board.set(c.step, 'compensated', outcome);
          break;
        } catch (error) {
          const reason = failureMessage(error);
          if (isFailure(error, Failure.ForeignObject)) {
            // The object of that name lacks this run's marker: the run never created it, so nothing of
            // its own is there to undo, and someone else's object stays as it is.
            undone.push(`${c.description} (nothing to undo: ${reason})`);
            this.board.set(c.step, 'compensated', 'not created by this run; left untouched');
            break;
          }
          log.error('compensation failed', { step: c.step, reason, round });
          if (!patched('onramp-undo-never-gives-up')) {
            leftBehind.push(`${c.description}: ${reason}`);
            this.board.set(c.step, 'failed', `compensation failed: ${reason}`);
            break;
          }
          // What an undo leaves behind needs a human: it keeps trying (and the status says so) instead.
          await this.board.wait(
            c.step,
            orgWaitOf(error) ?? UNDO_PAUSE_MS,
            `undo failed ${round} time(s), needs attention: ${reason}`,
          );
        }
      }
    }
    return { undone, leftBehind };
  }
}

/** Between rounds of an undo that keeps failing (each round is the undo activity's own retries). */
const UNDO_PAUSE_MS = 5 * 60_000;

/** The pause before running a step again when its failure says the org cannot take requests for now. */
export function orgWaitOf(error: unknown): number | undefined {
  const type = failureType(error);
  return type && type in ORG_WAITS ? ORG_WAITS[type as OrgWaitFailure] : undefined;
}

/** The innermost message of an activity or application failure: what actually went wrong. */
export function failureMessage(error: unknown): string {
  let e = error as { message?: string; cause?: unknown } | undefined;
  while (e?.cause && (e.cause as { message?: string }).message) e = e.cause as typeof e;
  return e?.message ?? String(error);
}
