// Production entry point: `node dist/worker/main.js`, configured by environment variables.
// It logs JSON lines; with WORKER_METRICS_ADDRESS it serves the SDK's metrics for Prometheus, and
// with OTEL_EXPORTER_OTLP_ENDPOINT it sends traces.
import { loadConfigOrExit } from '../config/env';
import { createLogger, routeConsoleTo } from '../config/logger';
import { startTracing } from '../config/tracing';
import { createPool } from '../db/pool';
import { startProcessWorker } from './create-worker';
import { installWorkerRuntime } from './telemetry';

export async function runWorker(): Promise<void> {
  const config = loadConfigOrExit();
  const log = createLogger({ level: config.logLevel, component: 'worker' });
  // What modules print with `console` (the sweep, a delivery's start) is JSON lines too.
  routeConsoleTo(log);
  const { workerMetricsAddress } = config.observability;
  // Before any connection: the runtime (its logger and metrics) is fixed by the first one.
  installWorkerRuntime({ logger: log, metricsAddress: workerMetricsAddress });
  const tracing = await startTracing(config.observability.tracing, 'contract-engine-worker');
  const db = createPool(config.databaseUrl);
  try {
    const { running, worker } = await startProcessWorker(config, db);
    const [taskQueue, ...legacy] = worker.taskQueues;
    const legacyNote = legacy.length
      ? ` and legacy task queue${legacy.length > 1 ? 's' : ''} ${legacy.map((q) => `"${q}"`).join(', ')}`
      : '';
    log.info(
      { taskQueue, legacyTaskQueues: legacy, temporalAddress: config.temporal.address, metricsAddress: workerMetricsAddress ?? null },
      `worker: polling task queue "${taskQueue}"${legacyNote} on ${config.temporal.address}`,
    );
    // The worker stops on SIGINT/SIGTERM once in-flight tasks are done.
    await running;
  } finally {
    await db.end();
    await tracing?.shutdown().catch(() => undefined);
  }
}

if (require.main === module) {
  runWorker().catch((err) => {
    createLogger({ level: 'error', component: 'worker' }).error({ err }, `worker: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
