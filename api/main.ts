// Production entry point: `node dist/api/main.js`, configured by environment variables.
import type { Server } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import type { Config } from '../config/env';
import { loadConfigOrExit } from '../config/env';
import { createPool } from '../db/pool';
import { createApp } from './app';

export interface RunningApi {
  url: string;
  close(): Promise<void>;
}

export async function startApi(config: Config): Promise<RunningApi> {
  const db = createPool(config.databaseUrl);
  const connection = await Connection.connect({ address: config.temporal.address });
  const temporal = new Client({ connection, namespace: config.temporal.namespace });
  const app = createApp({ db, temporal, config });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(config.port, () => resolve(s));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await connection.close();
      await db.end();
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
