import { IllegalStateError } from '@temporalio/common';
import {
  makeTelemetryFilterString,
  Runtime,
  type LogLevel,
  type LogMetadata,
  type Logger as SdkLogger,
} from '@temporalio/worker';
import type { Logger } from '../logger';

const RANK: Record<LogLevel, number> = { TRACE: 0, DEBUG: 1, INFO: 2, WARN: 3, ERROR: 4 };
const PINO = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;
/**
 * How onboarding fails when it ends on a decision, not a fault (src/workflows/onboard.ts): rejected, or
 * nobody decided in time. The error reaches the main thread structured-cloned from the workflow thread:
 * its failure type is gone, only its message and stack are left to tell it by.
 */
const DECIDED_END = /^onboarding of \S+ (rejected by|no decision within) .*; nothing was created$/;

/** A workflow that ended on a rejection or without a decision: an outcome to report, not a fault to debug. */
function outcomeOf(message: string, error: unknown): string | undefined {
  if (message !== 'Workflow failed' || !(error instanceof Error)) return undefined;
  return DECIDED_END.test(error.message) ? error.message : undefined;
}

/**
 * The Temporal SDK's log (worker, bundler, workflow and activity loggers) written through onramp's pino
 * logger, so one destination gets one format. The SDK's own chatter (webpack's module list, worker state
 * changes) is kept below `sdkLevel`; onramp's workflow and activity logs keep the logger's level.
 */
export class SdkLogBridge implements SdkLogger {
  constructor(
    private readonly logger: Logger,
    private readonly sdkLevel: LogLevel = 'WARN',
  ) {}

  log(level: LogLevel, message: string, meta: LogMetadata = {}): void {
    const { error, ...fields } = meta as { error?: unknown; sdkComponent?: string };
    const outcome = outcomeOf(message, error);
    if (outcome) return void this.logger.info(fields, `workflow ended: ${outcome}`);
    const fromSdk = fields.sdkComponent === 'worker' || fields.sdkComponent === 'core';
    if (fromSdk && RANK[level] < RANK[this.sdkLevel]) return;
    this.logger[PINO[level]]({ ...fields, ...(error === undefined ? {} : { err: error }) }, message);
  }
  trace = (message: string, meta?: LogMetadata) => this.log('TRACE', message, meta);
  debug = (message: string, meta?: LogMetadata) => this.log('DEBUG', message, meta);
  info = (message: string, meta?: LogMetadata) => this.log('INFO', message, meta);
  warn = (message: string, meta?: LogMetadata) => this.log('WARN', message, meta);
  error = (message: string, meta?: LogMetadata) => this.log('ERROR', message, meta);
}

/**
 * Routes the process's Temporal SDK log through `logger`, and with `prometheusBindAddress` serves the SDK's
 * metrics (workflow and activity task latencies, poller and slot counts, ...) there in Prometheus' format.
 * The SDK runtime is process-wide and installed once: where something already created it (an in-process
 * test), it stays as it is.
 */
export function routeSdkLogs(logger: Logger, prometheusBindAddress?: string): void {
  try {
    // The core's own (Rust) log is forwarded too, rather than printed to the console in its own format.
    Runtime.install({
      logger: new SdkLogBridge(logger),
      telemetryOptions: {
        logging: { filter: makeTelemetryFilterString({ core: 'WARN' }), forward: {} },
        ...(prometheusBindAddress ? { metrics: { prometheus: { bindAddress: prometheusBindAddress } } } : {}),
      },
    });
  } catch (error) {
    if (!(error instanceof IllegalStateError)) throw error;
  }
}
