import { log } from '@temporalio/workflow';
import { Failure, isFailure } from '../shared/failures';
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
    else entry.endedAt = now;
    entry.state = state;
    if (detail !== undefined) entry.detail = detail;
  }

  state(step: S): StepState {
    return this.steps.find((s) => s.step === step)!.state;
  }

  /** Runs one step: running while `fn` runs, then done (with a summary of its result), or failed. */
  async run<T>(step: S, fn: () => Promise<T>, detail?: (result: T) => string): Promise<T> {
    this.set(step, 'running');
    try {
      const result = await fn();
      this.set(step, 'done', detail?.(result));
      return result;
    } catch (error) {
      this.set(step, 'failed', failureMessage(error));
      throw error;
    }
  }
}

/**
 * Compensations, registered before the step they undo runs (a step can take effect in the org and still
 * fail on the way back), and run in reverse. A compensation that fails even after its retries is
 * recorded as left behind and the others still run: a partial undo beats none.
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
      this.board.set(c.step, 'compensating');
      try {
        const outcome = await c.run();
        undone.push(`${c.description} (${outcome})`);
        this.board.set(c.step, 'compensated', outcome);
      } catch (error) {
        const reason = failureMessage(error);
        if (isFailure(error, Failure.ForeignObject)) {
          // The object of that name lacks this run's marker: the run never created it, so nothing of
          // its own is there to undo, and someone else's object stays as it is.
          undone.push(`${c.description} (nothing to undo: ${reason})`);
          this.board.set(c.step, 'compensated', 'not created by this run; left untouched');
          continue;
        }
        log.error('compensation failed', { step: c.step, reason });
        leftBehind.push(`${c.description}: ${reason}`);
        this.board.set(c.step, 'failed', `compensation failed: ${reason}`);
      }
    }
    return { undone, leftBehind };
  }
}

/** The innermost message of an activity or application failure: what actually went wrong. */
export function failureMessage(error: unknown): string {
  let e = error as { message?: string; cause?: unknown } | undefined;
  while (e?.cause && (e.cause as { message?: string }).message) e = e.cause as typeof e;
  return e?.message ?? String(error);
}
