import { ActivityCancellationType, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';

/** Salesforce errors are classified by the activities; these types never get better by retrying. */
export const NON_RETRYABLE = ['SalesforceError', 'ForeignObject', 'LicenseCapacityExceeded', 'LicenseUnavailable', 'VerificationFailed', 'TokenGrantFailed'];

/** Forward steps of onramp's workflows. */
export const steps = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  // A cancelled workflow waits for a running step to end, so compensation sees everything it did.
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 10, nonRetryableErrorTypes: NON_RETRYABLE },
});

/** Steps that wait on the org (deploys, propagation of new apps): they heartbeat. */
export const slowSteps = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10, nonRetryableErrorTypes: NON_RETRYABLE },
});

/** Compensations and teardown: retried longer, since what they leave behind needs a human. */
export const undo = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 25, nonRetryableErrorTypes: ['ForeignObject'] },
});
