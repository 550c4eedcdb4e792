// Traces, when an OpenTelemetry collector is configured (OTEL_EXPORTER_OTLP_ENDPOINT): the API's
// Temporal client and the worker are given the SDK's OpenTelemetry interceptors, so one trace runs
// from a request's start or step through its workflow task to each activity it scheduled. Off by
// default; when off, none of the OpenTelemetry SDK is even loaded.
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Resource } from '@opentelemetry/resources';
import type { ObservabilityConfig } from './env';

export interface Tracing {
  /** Where the worker's workflow spans go (through the SDK's exporter sink). */
  spanProcessor: SpanProcessor;
  resource: Resource;
  /** The SDK's OpenTelemetry interceptors, loaded only when tracing is on. */
  temporal: typeof import('@temporalio/interceptors-opentelemetry');
  /** Sends what is buffered and stops; call on shutdown. */
  shutdown(): Promise<void>;
}

let active: Tracing | undefined;

/** The tracing this process started, if any: read by the Temporal client and the worker's options. */
export const activeTracing = (): Tracing | undefined => active;

/**
 * Registers the process's tracer provider (W3C trace context, async-hooks context so a span
 * follows its request) exporting to `<endpoint>/v1/traces` over OTLP/HTTP. Once per process.
 */
export async function startTracing(settings: ObservabilityConfig['tracing'], serviceName: string): Promise<Tracing | undefined> {
  if (!settings || active) return active;
  const [{ BasicTracerProvider, BatchSpanProcessor }, { Resource }, { OTLPTraceExporter }, { AsyncLocalStorageContextManager }, temporal] =
    await Promise.all([
      import('@opentelemetry/sdk-trace-base'),
      import('@opentelemetry/resources'),
      import('@opentelemetry/exporter-trace-otlp-http'),
      import('@opentelemetry/context-async-hooks'),
      import('@temporalio/interceptors-opentelemetry'),
    ]);
  const resource = new Resource({ 'service.name': settings.serviceName ?? serviceName });
  const exporter = new OTLPTraceExporter({ url: `${settings.endpoint.replace(/\/+$/, '')}/v1/traces` });
  const spanProcessor = new BatchSpanProcessor(exporter, { scheduledDelayMillis: 1_000 });
  const provider = new BasicTracerProvider({ resource });
  provider.addSpanProcessor(spanProcessor);
  provider.register({ contextManager: new AsyncLocalStorageContextManager().enable() });
  active = { spanProcessor, resource, temporal, shutdown: () => provider.shutdown() };
  return active;
}
