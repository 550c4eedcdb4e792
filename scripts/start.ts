// `npm start`: the whole product on one machine with embedded defaults. A local Temporal dev
// server (SQLite under data/) unless TEMPORAL_ADDRESS is set; an embedded Postgres under data/
// unless DATABASE_URL is set; migrations; then the worker and the API in this process.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startApi } from '../api/main';
import { ConfigError, loadConfig } from '../config/env';
import { repoRoot } from '../config/paths';
import { migrate } from '../db/migrate';
import { createPool } from '../db/pool';
import { installWorkerLogging, startContractWorker } from '../worker/create-worker';
import { createDatabase, startEmbeddedPostgres } from './embedded-postgres';
import { ensureTemporalCli, startTemporalDevServer } from './temporal-cli';

const log = (msg: string) => console.log(`start: ${msg}`);

/** A stable admin token for this data folder, made on first start. */
function adminTokenFile(dataDir: string): { token: string; file: string } {
  const file = path.join(dataDir, 'admin-token');
  if (!existsSync(file)) writeFileSync(file, `${randomBytes(24).toString('base64url')}\n`, { mode: 0o600 });
  return { token: readFileSync(file, 'utf8').trim(), file };
}

async function main(): Promise<void> {
  const dataDir = path.resolve(process.env.DATA_DIR ?? path.join(repoRoot(), 'data'));
  mkdirSync(dataDir, { recursive: true });
  const stops: (() => Promise<void>)[] = [];

  let temporalAddress = process.env.TEMPORAL_ADDRESS;
  let uiUrl: string | undefined;
  if (!temporalAddress) {
    const cli = await ensureTemporalCli(log);
    const server = await startTemporalDevServer({
      cli,
      port: Number(process.env.TEMPORAL_DEV_PORT ?? 7233),
      uiPort: Number(process.env.TEMPORAL_DEV_UI_PORT ?? 8233),
      dbFile: path.join(dataDir, 'temporal.sqlite'),
      log,
    });
    stops.unshift(server.stop);
    temporalAddress = server.address;
    uiUrl = server.uiUrl;
  }

  let databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    const postgres = await startEmbeddedPostgres({
      dataDir: path.join(dataDir, 'postgres'),
      port: Number(process.env.EMBEDDED_POSTGRES_PORT ?? 54329),
      log,
    });
    stops.unshift(postgres.stop);
    databaseUrl = await createDatabase(postgres.url, 'contract_engine');
  }
  const applied = await migrate(databaseUrl);
  log(applied.length ? `migrations applied: ${applied.join(', ')}` : 'schema is up to date');

  const admin = process.env.ADMIN_TOKEN ? { token: process.env.ADMIN_TOKEN, file: undefined } : adminTokenFile(dataDir);
  const config = loadConfig({ ...process.env, DATABASE_URL: databaseUrl, TEMPORAL_ADDRESS: temporalAddress, ADMIN_TOKEN: admin.token });

  installWorkerLogging(config.logLevel);
  const db = createPool(config.databaseUrl);
  const worker = await startContractWorker(config, db);
  const api = await startApi(config);

  console.log(`
  Contract engine is running.
    API:          ${api.url}/api   (health: ${api.url}/api/health)
    Temporal UI:  ${uiUrl ?? `(external Temporal at ${temporalAddress})`}
    Admin token:  ${admin.file ? `cat ${admin.file}` : 'the ADMIN_TOKEN you set'}
  Create staff:   curl -X POST ${api.url}/api/staff -H "Authorization: Bearer $(cat ${admin.file ?? '<token>'})" \\
                    -H 'content-type: application/json' -d '{"name":"Мария","email":"maria@example.com","roles":["manager"]}'
  Stop with Ctrl+C.
`);

  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    log('stopping…');
    await api.close();
    await worker.stop();
    await db.end();
    for (const stop of stops) await stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? err.message : err);
  process.exit(1);
});
