import { Counter, Gauge, Registry } from 'prom-client';

/** The org's API use, in whichever process calls it (the worker, and the server for its reads). */
export const salesforceRegistry = new Registry();

const salesforceCalls = new Counter({
  name: 'onramp_salesforce_api_calls_total',
  help: "HTTP requests onramp made to the org's APIs, by status class (2xx, 4xx, 5xx, error when no answer came).",
  labelNames: ['status'] as const,
  registers: [salesforceRegistry],
});

const dailyRemaining = new Gauge({
  name: 'onramp_salesforce_api_daily_remaining',
  help: "The org's remaining rolling 24-hour API request allocation, as its last Sforce-Limit-Info header said.",
  registers: [salesforceRegistry],
});

const dailyMax = new Gauge({
  name: 'onramp_salesforce_api_daily_max',
  help: "The org's rolling 24-hour API request allocation, as its last Sforce-Limit-Info header said.",
  registers: [salesforceRegistry],
});

/** Counts one Salesforce API request by its answer; `limitInfo` is the Sforce-Limit-Info header when present. */
export function recordSalesforceCall(statusCode: number | undefined, limitInfo: string | undefined): void {
  salesforceCalls.inc({ status: statusCode === undefined ? 'error' : `${Math.floor(statusCode / 100)}xx` });
  // Documented as `api-usage=used/max`; other entries (per-app usage) may follow it.
  const usage = limitInfo && /api-usage=(\d+)\/(\d+)/.exec(limitInfo);
  if (usage) {
    dailyMax.set(Number(usage[2]));
    dailyRemaining.set(Number(usage[2]) - Number(usage[1]));
  }
}
