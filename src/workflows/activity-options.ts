import { ActivityCancellationType, proxyActivities } from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import type { Activities } from '../activities';
import { Failure, NON_RETRYABLE_TYPES } from '../shared/failures';
import type { StepTimeouts } from '../shared/types';

/**
 * The activity proxies of onramp's workflows. Production runs on the defaults; `timeouts` (tests)
 * shortens them so a step on a killed worker is retried, or a step that keeps failing gives up, within
 * seconds. Compensations keep their many attempts unless `timeouts` says otherwise: an undo must try hard.
 */
export function activityProxies(timeouts: StepTimeouts = {}) {
  const retry = (initialInterval: Duration, maximumInterval: Duration) => ({
    initialInterval: timeouts.retryInitialInterval ?? initialInterval,
    backoffCoefficient: 2,
    maximumInterval: timeouts.retryMaximumInterval ?? maximumInterval,
  });
  // A cancelled workflow waits for a running step to end, so compensation sees everything it did.
  const cancellationType = ActivityCancellationType.WAIT_CANCELLATION_COMPLETED;
  return {
    /** Forward steps. */
    steps: proxyActivities<Activities>({
      startToCloseTimeout: timeouts.startToClose ?? '2 minutes',
      cancellationType,
      retry: {
        ...retry('1 second', '30 seconds'),
        maximumAttempts: timeouts.maximumAttempts ?? 10,
        // The activities classify Salesforce's answers; the catalogue says which types never get better.
        nonRetryableErrorTypes: NON_RETRYABLE_TYPES,
      },
    }),
    /** Steps that wait on the org (deploys, propagation of new apps): they heartbeat. */
    slowSteps: proxyActivities<Activities>({
      startToCloseTimeout: timeouts.slowStartToClose ?? '10 minutes',
      heartbeatTimeout: timeouts.heartbeat ?? '1 minute',
      cancellationType,
      retry: {
        ...retry('2 seconds', '1 minute'),
        maximumAttempts: timeouts.maximumAttempts ?? 10,
        nonRetryableErrorTypes: NON_RETRYABLE_TYPES,
      },
    }),
    /** Compensations and teardown: retried longer, since what they leave behind needs a human. */
    undo: proxyActivities<Activities>({
      startToCloseTimeout: timeouts.startToClose ?? '2 minutes',
      retry: {
        ...retry('1 second', '1 minute'),
        maximumAttempts: timeouts.undoMaximumAttempts ?? 25,
        nonRetryableErrorTypes: [Failure.ForeignObject.type],
      },
    }),
    /**
     * Onramp's own bookkeeping (the registry): retried until Temporal answers, since a registry hiccup
     * must never undo a working integration.
     */
    bookkeeping: proxyActivities<Activities>({
      startToCloseTimeout: '1 minute',
      cancellationType,
      retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
    }),
  };
}

/**
 * The audit's proxies. One activity reads all desired states and the org in bulk and may run long (it
 * heartbeats); only the org and Temporal being unreachable are worth retrying (the catalogue says which),
 * since it only reads. The webhook gets a few tries.
 */
export function auditActivityProxies() {
  return {
    audit: proxyActivities<Activities>({
      startToCloseTimeout: '30 minutes',
      heartbeatTimeout: '2 minutes',
      retry: {
        initialInterval: '5 seconds',
        backoffCoefficient: 2,
        maximumInterval: '5 minutes',
        maximumAttempts: 8,
        nonRetryableErrorTypes: NON_RETRYABLE_TYPES,
      },
    }),
    notify: proxyActivities<Activities>({
      startToCloseTimeout: '30 seconds',
      retry: {
        initialInterval: '5 seconds',
        backoffCoefficient: 2,
        maximumInterval: '2 minutes',
        maximumAttempts: 6,
        nonRetryableErrorTypes: NON_RETRYABLE_TYPES,
      },
    }),
  };
}
