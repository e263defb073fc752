import type { InjectedSinks } from '@temporalio/worker';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Severity } from '../audit/findings';
import type { OnrampMetricSinks } from '../shared/metric-sinks';
import { salesforceRegistry } from './salesforce-metrics';

/**
 * onramp's own metrics in the worker process (Salesforce's are in salesforce-metrics.ts, the SDK runtime's
 * come from its own exporter, see sdk-metrics.ts). One registry per process: Prometheus scrapes processes.
 */
export const workerRegistry = new Registry();
collectDefaultMetrics({ register: workerRegistry, prefix: 'onramp_worker_' });

const onboardings = new Counter({
  name: 'onramp_onboardings_total',
  help: 'Onboardings that ended, by outcome (completed, failed, cancelled, rejected, timed-out).',
  labelNames: ['outcome'] as const,
  registers: [workerRegistry],
});

const approvalWait = new Histogram({
  name: 'onramp_approval_wait_seconds',
  help: 'How long requests waited for their sign-off decision, by decision.',
  labelNames: ['decision'] as const,
  // Sign-off is a human decision: minutes to days, up to the policy's timeouts.
  buckets: [60, 300, 900, 3600, 4 * 3600, 24 * 3600, 3 * 24 * 3600, 7 * 24 * 3600],
  registers: [workerRegistry],
});

const auditFindings = new Gauge({
  name: 'onramp_audit_findings',
  help: 'Findings of the last audit this worker ran, by severity.',
  labelNames: ['severity'] as const,
  registers: [workerRegistry],
});

export function recordAuditFindings(counts: Record<Severity, number>): void {
  for (const [severity, count] of Object.entries(counts)) auditFindings.set({ severity }, count);
}

/** The sinks workflows report through (src/shared/metric-sinks.ts); not called while history is replayed. */
export const metricSinks: InjectedSinks<OnrampMetricSinks> = {
  onrampMetrics: {
    onboardingEnded: { fn: (_info, outcome) => onboardings.inc({ outcome }) },
    approvalWaited: { fn: (_info, seconds, decision) => approvalWait.observe({ decision }, seconds) },
  },
};

/**
 * The worker's /metrics: onramp's metrics, then the SDK runtime's as its exporter at `sdkMetricsAddress`
 * serves them (bridged, so that Prometheus scrapes one endpoint per worker).
 */
export async function workerMetricsText(sdkMetricsAddress?: string): Promise<string> {
  const own = await Registry.merge([workerRegistry, salesforceRegistry]).metrics();
  if (!sdkMetricsAddress) return own;
  const sdk = await fetch(`http://${sdkMetricsAddress}/metrics`);
  if (!sdk.ok) throw new Error(`the SDK's metrics exporter answered ${sdk.status}`);
  return `${own}\n${await sdk.text()}`;
}
