import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { OpenTelemetryPlugin } from '@temporalio/interceptors-opentelemetry';

/**
 * OpenTelemetry tracing through the Temporal SDK's interceptors: a span for each workflow run, signal,
 * update and activity scheduled, and one for each activity execution, linked through the Temporal headers
 * into one trace per onboarding. Workflow spans leave the sandbox through the plugin's sink.
 */
export interface Tracing {
  plugin: OpenTelemetryPlugin;
  /** Flushes what is buffered and stops exporting. */
  shutdown(): Promise<void>;
}

/**
 * Tracing as the environment configures it: on when OTEL_EXPORTER_OTLP_ENDPOINT (or its traces-only
 * variant) is set, exported over OTLP/HTTP with the exporter's own OTEL_* settings (headers, timeout).
 */
export function tracingFromEnv(env: NodeJS.ProcessEnv = process.env): Tracing | undefined {
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT && !env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return undefined;
  return startTracing(new BatchSpanProcessor(new OTLPTraceExporter()), env.OTEL_SERVICE_NAME ?? 'onramp-worker');
}

/** Tracing into `spanProcessor` (tests give one over an in-memory exporter). */
export function startTracing(spanProcessor: SpanProcessor, serviceName = 'onramp-worker'): Tracing {
  const resource = new Resource({ 'service.name': serviceName });
  const provider = new BasicTracerProvider({ resource, spanProcessors: [spanProcessor] });
  // Activity spans are started under the context the workflow's headers carry: that needs a real context
  // manager and the W3C propagator, which the API's defaults (no-ops) are not.
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  const plugin = new OpenTelemetryPlugin({ resource, spanProcessor, tracer: provider.getTracer('onramp') });
  return {
    plugin,
    async shutdown() {
      await provider.shutdown();
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}
