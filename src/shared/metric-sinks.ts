import type { Sinks } from '@temporalio/workflow';

/** Outcomes an onboarding ends with: the terminal phases of its status. */
export type OnboardingOutcome = 'completed' | 'failed' | 'cancelled' | 'rejected' | 'timed-out';

/**
 * What workflows report for onramp's metrics. Workflow code cannot touch a metrics registry (it runs in
 * the sandbox and is replayed), so it calls these sinks: the worker runs them outside the sandbox, and not
 * while it replays history, so a replayed onboarding is counted once.
 */
export interface OnrampMetricSinks extends Sinks {
  onrampMetrics: {
    onboardingEnded(outcome: OnboardingOutcome): void;
    /** How long a request waited for its sign-off decision (workflow time), and what the decision was. */
    approvalWaited(seconds: number, decision: 'approved' | 'rejected' | 'timed-out' | 'cancelled'): void;
  };
}
