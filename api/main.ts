// Production entry point: `node dist/api/main.js`, configured by environment variables.
import type { Server } from 'node:http';
import { Client } from '@temporalio/client';
import type { Config } from '../config/env';
import { loadConfigOrExit } from '../config/env';
import { createPool } from '../db/pool';
import { createApp } from './app';
import { connectTemporal } from './temporal-connection';

export interface RunningApi {
  url: string;
  /** Stops taking requests, lets those in flight finish (a few seconds at most), then lets go of Temporal and Postgres. */
  close(): Promise<void>;
}

/** How long requests in flight may take to finish once the API is told to stop. */
const CLOSE_GRACE_MS = 5_000;

/** `work`, but never longer than `ms`: shutting down must not hang on a dependency that is gone. */
async function atMost(work: Promise<unknown>, ms: number, what: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      console.warn(`api: ${what} did not finish within ${ms / 1000} s; going on`);
      resolve();
    }, ms);
  });
  await Promise.race([
    work.then(
      () => undefined,
      (err: Error) => console.warn(`api: ${what}: ${err.message}`),
    ),
    late,
  ]);
  clearTimeout(timer);
}

export async function startApi(config: Config): Promise<RunningApi> {
  const db = createPool(config.databaseUrl);
  const connection = await connectTemporal(config.temporal.address);
  const temporal = new Client({ connection, namespace: config.temporal.namespace });
  const app = createApp({ db, temporal, config });
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
        await atMost(drained, CLOSE_GRACE_MS, 'requests in flight');
        server.closeAllConnections();
        await atMost(connection.close(), 2_000, 'closing the Temporal connection');
        await atMost(db.end(), 2_000, 'closing the Postgres pool');
      })();
      return closed;
    },
  };
}

if (require.main === module) {
  const config = loadConfigOrExit({ requireAdminToken: true });
  startApi(config).then(
    (api) => {
      console.log(`api: listening on ${api.url}`);
      const stop = () => void api.close().then(() => process.exit(0));
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    },
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
