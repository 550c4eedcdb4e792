// Production entry point: `node dist/api/main.js`, configured by environment variables. It logs
// JSON lines at LOG_LEVEL, one per request with its request id; /metrics answers with
// METRICS_TOKEN; with OTEL_EXPORTER_OTLP_ENDPOINT its Temporal calls are traced.
import type { Server } from 'node:http';
import type { Config } from '../config/env';
import { loadConfigOrExit } from '../config/env';
import { createLogger, routeConsoleTo, type Logger } from '../config/logger';
import { startTracing } from '../config/tracing';
import { createPool } from '../db/pool';
import { createApp } from './app';
import { createApiTemporalClient } from './observability/temporal-client';
import { connectTemporal } from './temporal-connection';

export interface RunningApi {
  url: string;
  /** Stops taking requests, lets those in flight finish (a few seconds at most), then lets go of Temporal and Postgres. */
  close(): Promise<void>;
}

/** How long requests in flight may take to finish once the API is told to stop. */
const CLOSE_GRACE_MS = 5_000;

/** `work`, but never longer than `ms`: shutting down must not hang on a dependency that is gone. */
async function atMost(work: Promise<unknown>, ms: number, what: string, log: Logger): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      log.warn(`api: ${what} did not finish within ${ms / 1000} s; going on`);
      resolve();
    }, ms);
  });
  await Promise.race([
    work.then(
      () => undefined,
      (err: Error) => log.warn({ err }, `api: ${what}: ${err.message}`),
    ),
    late,
  ]);
  clearTimeout(timer);
}

export async function startApi(
  config: Config,
  log: Logger = createLogger({ level: config.logLevel, component: 'api' }),
): Promise<RunningApi> {
  // Before the client exists: its interceptors are chosen when it is made.
  const tracing = await startTracing(config.observability.tracing, 'contract-engine-api');
  const db = createPool(config.databaseUrl);
  const connection = await connectTemporal(config.temporal.address);
  const temporal = createApiTemporalClient(connection, config.temporal.namespace);
  const app = createApp({ db, temporal, config, logger: log });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(config.port, () => resolve(s));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  let closed: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    close() {
      closed ??= (async () => {
        const drained = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        await atMost(drained, CLOSE_GRACE_MS, 'requests in flight', log);
        server.closeAllConnections();
        await atMost(connection.close(), 2_000, 'closing the Temporal connection', log);
        await atMost(db.end(), 2_000, 'closing the Postgres pool', log);
        if (tracing) await atMost(tracing.shutdown(), 2_000, 'sending the last traces', log);
      })();
      return closed;
    },
  };
}

if (require.main === module) {
  const config = loadConfigOrExit({ requireAdminToken: true });
  const log = createLogger({ level: config.logLevel, component: 'api' });
  // What modules print with `console` (a step that failed in Temporal) is JSON lines too.
  routeConsoleTo(log);
  startApi(config, log).then(
    (api) => {
      log.info({ url: api.url }, `api: listening on ${api.url}`);
      const stop = () => void api.close().then(() => process.exit(0));
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    },
    (err: unknown) => {
      log.error({ err }, `api: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
