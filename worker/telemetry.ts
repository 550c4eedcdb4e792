// What the worker tells an operator: the SDK's runtime logs through the product's JSON logger
// (with the request id a step came with), the SDK's own metrics for Prometheus when
// WORKER_METRICS_ADDRESS is set (task latencies, cache size, sticky hits, activity failures), and
// traces when OTEL_EXPORTER_OTLP_ENDPOINT is set. The runtime is installed once per process,
// before any connection to Temporal exists.
import type { LogLevel as SdkLogLevel, LogMetadata, Logger as SdkLogger } from '@temporalio/common';
import { Runtime, type WorkerOptions } from '@temporalio/worker';
import type { Logger } from '../config/logger';
import { activeTracing } from '../config/tracing';
import { requestIdActivityInterceptors, requestIdWorkflowModule } from './request-id';

const PINO_LEVELS = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;

/** The SDK's Logger on a pino logger: its metadata (workflow, activity, request id) becomes the line's fields. */
export function sdkLoggerOn(logger: Logger): SdkLogger {
  const write = (level: SdkLogLevel, message: string, meta?: LogMetadata) => logger[PINO_LEVELS[level]]({ ...meta }, message);
  return {
    log: write,
    trace: (message, meta) => write('TRACE', message, meta),
    debug: (message, meta) => write('DEBUG', message, meta),
    info: (message, meta) => write('INFO', message, meta),
    warn: (message, meta) => write('WARN', message, meta),
    error: (message, meta) => write('ERROR', message, meta),
  };
}

export interface WorkerRuntimeOptions {
  logger: Logger;
  /** host:port where the SDK serves Prometheus metrics (WORKER_METRICS_ADDRESS); none when undefined. */
  metricsAddress?: string;
  /** Signals the SDK reacts to by draining its workers; `npm start` handles them itself. */
  shutdownSignals?: NodeJS.Signals[];
}

/** Installs the SDK's runtime: its logs and Core's (forwarded) as JSON lines, and its metrics if asked. */
export function installWorkerRuntime({ logger, metricsAddress, shutdownSignals }: WorkerRuntimeOptions): void {
  Runtime.install({
    logger: sdkLoggerOn(logger),
    ...(shutdownSignals ? { shutdownSignals } : {}),
    telemetryOptions: {
      // Core's own lines (connection trouble, task failures) as JSON lines too, not its plain text on stderr.
      logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} },
      ...(metricsAddress ? { metrics: { prometheus: { bindAddress: metricsAddress } } } : {}),
    },
  });
}

/** The workflow interceptor modules a bundle of the process workflows is made with. */
export function workflowInterceptorModules(): string[] {
  const tracing = activeTracing();
  return [
    requestIdWorkflowModule(),
    ...(tracing ? [require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors')] : []),
  ];
}

/**
 * The interceptors (and, with tracing, the span exporter sink) every Worker of the process gets.
 * `bundled`: the workflow code is a bundle already made, whose interceptors it was made with
 * (workflowInterceptorModules() when this worker made it); otherwise the SDK bundles them in.
 */
export function observedWorkerOptions({ bundled }: { bundled: boolean }): Pick<WorkerOptions, 'interceptors' | 'sinks'> {
  const tracing = activeTracing();
  const otel = tracing?.temporal;
  return {
    interceptors: {
      activity: [
        requestIdActivityInterceptors,
        ...(otel
          ? [
              (ctx: Parameters<typeof requestIdActivityInterceptors>[0]) => ({
                inbound: new otel.OpenTelemetryActivityInboundInterceptor(ctx),
                outbound: new otel.OpenTelemetryActivityOutboundInterceptor(ctx),
              }),
            ]
          : []),
      ],
      ...(bundled ? {} : { workflowModules: workflowInterceptorModules() }),
    },
    ...(tracing && otel ? { sinks: { exporter: otel.makeWorkflowExporter(tracing.spanProcessor, tracing.resource) } } : {}),
  };
}
