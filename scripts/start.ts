// `npm start`: the whole product on one machine with embedded defaults. A local Temporal dev
// server (SQLite under data/) unless TEMPORAL_ADDRESS is set; an embedded Postgres under data/
// unless DATABASE_URL is set; migrations; then the worker and the API in this process.
//
// It supervises what it started: the dev server, Postgres and the worker are started again (same
// ports, same data files) when they stop unexpectedly; if one cannot be brought back, everything
// stops in order with a message and exit code 1. SIGINT/SIGTERM stop the API, the worker, then the
// servers, whatever state they are in, and exit 0.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Pool } from 'pg';
import { startApi, type RunningApi } from '../api/main';
import { ConfigError, loadConfig, type Config } from '../config/env';
import { createLogger, routeConsoleTo } from '../config/logger';
import { startTracing } from '../config/tracing';
import { repoRoot } from '../config/paths';
import { migrate } from '../db/migrate';
import { createPool } from '../db/pool';
import { firstAdministratorLink } from '../pages/first-administrator';
import { pageSettingsFrom } from '../pages/settings';
import { startProcessWorker } from '../worker/create-worker';
import { installWorkerRuntime } from '../worker/telemetry';
import { createDatabase, startEmbeddedPostgres, type EmbeddedServer } from './embedded-postgres';
import { Supervisor, type Exit, type Supervised } from './supervisor';
import { ensureTemporalCli, startTemporalDevServer, type DevServer } from './temporal-cli';

// JSON lines like the API's and the worker's (the banner with the addresses stays text, for people).
// What this supervisor says (a server stopped and started again, the order of a shutdown) is always
// shown, as it always was: LOG_LEVEL quiets the API's and the worker's lines, not these few.
const logger = createLogger({ level: process.env.LOG_LEVEL === 'debug' ? 'debug' : 'info', component: 'start' });
const log = (msg: string) => logger.info(`start: ${msg}`);
// What the modules it runs print with `console` is JSON lines too.
routeConsoleTo(logger);

/** Bounds on each step of shutting down: a step that hangs (a dependency gone) must not hold the rest. */
const STOP_LIMITS_MS = { api: 8_000, worker: 20_000, pool: 3_000, server: 15_000 } as const;

/** A stable admin token for this data folder, made on first start. */
function adminTokenFile(dataDir: string): { token: string; file: string } {
  const file = path.join(dataDir, 'admin-token');
  if (!existsSync(file)) writeFileSync(file, `${randomBytes(24).toString('base64url')}\n`, { mode: 0o600 });
  return { token: readFileSync(file, 'utf8').trim(), file };
}

/** A number from the environment, or a message naming the variable. */
function portFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new ConfigError(`Invalid configuration:\n  ${name}: must be a port number (1–65535)`);
  return port;
}

/** Runs `work` but gives up waiting after `ms`; logs instead of throwing. Shutdown must always go on. */
async function bounded(what: string, work: () => Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      log(`${what} did not finish within ${ms / 1000} s; going on`);
      resolve();
    }, ms);
  });
  const done = (async () => work())().then(
    () => undefined,
    (err: unknown) => log(`${what}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`),
  );
  await Promise.race([done, late]);
  clearTimeout(timer);
}

/** The worker as something to supervise: it ends when its run ends, for whatever reason. */
async function startSupervisedWorker(config: Config, db: Pool): Promise<Supervised> {
  const worker = await startProcessWorker(config, db);
  let expected = false;
  const exited: Promise<Exit> = worker.running.then(
    () => ({ expected, code: 0 }),
    (error: unknown) => ({ expected, error }),
  );
  return {
    exited,
    async stop() {
      expected = true;
      await worker.stop().catch(() => undefined);
    },
  };
}

interface Running {
  temporal?: Supervisor<DevServer>;
  postgres?: Supervisor<EmbeddedServer>;
  worker?: Supervisor<Supervised>;
  api?: RunningApi;
  db?: Pool;
}

const running: Running = {};
let shuttingDown: Promise<never> | undefined;

/** Stops the API, the worker, the pool, then the servers; each step bounded; then exits with `code`. */
function shutdown(reason: string, code: number): Promise<never> {
  shuttingDown ??= (async () => {
    if (code === 0) log(`${reason}; stopping…`);
    else logger.error(`start: ${reason}; stopping everything…`);
    // From here on nothing that stops is started again.
    const { api, worker, db, postgres, temporal } = running;
    if (api) await bounded('stopping the API', () => api.close(), STOP_LIMITS_MS.api);
    if (worker) await bounded('stopping the worker', () => worker.stop(), STOP_LIMITS_MS.worker);
    if (db) await bounded('closing the worker pool', () => db.end(), STOP_LIMITS_MS.pool);
    if (postgres) await bounded('stopping Postgres', () => postgres.stop(), STOP_LIMITS_MS.server);
    if (temporal) await bounded('stopping the Temporal dev server', () => temporal.stop(), STOP_LIMITS_MS.server);
    log(code === 0 ? 'stopped' : `stopped (exit code ${code})`);
    process.exit(code);
  })();
  return shuttingDown;
}

/** Everything supervised stops being restarted at once, before anything is stopped in order. */
function freezeSupervision(): void {
  for (const supervisor of [running.temporal, running.postgres, running.worker]) supervisor?.freeze();
}

function giveUp(reason: string): void {
  freezeSupervision();
  void shutdown(reason, 1);
}

async function main(): Promise<void> {
  const dataDir = path.resolve(process.env.DATA_DIR ?? path.join(repoRoot(), 'data'));
  mkdirSync(dataDir, { recursive: true });
  const temporalDevPort = portFromEnv('TEMPORAL_DEV_PORT', 7233);
  const temporalUiPort = portFromEnv('TEMPORAL_DEV_UI_PORT', 8233);
  const postgresPort = portFromEnv('EMBEDDED_POSTGRES_PORT', 54329);

  let temporalAddress = process.env.TEMPORAL_ADDRESS;
  let uiUrl: string | undefined;
  if (!temporalAddress) {
    const cli = await ensureTemporalCli(log);
    // Its pid, for operators (and the tests) who want to find the server this start runs.
    const pidFile = path.join(dataDir, 'temporal.pid');
    const dbFile = path.join(dataDir, 'temporal.sqlite');
    running.temporal = await Supervisor.start({
      name: 'the Temporal dev server',
      start: () => startTemporalDevServer({ cli, port: temporalDevPort, uiPort: temporalUiPort, dbFile, log }),
      onStarted: (server) => writeFileSync(pidFile, `${server.pid}\n`),
      onGiveUp: giveUp,
      log,
    });
    process.once('exit', () => rmSync(pidFile, { force: true }));
    temporalAddress = running.temporal.running!.address;
    uiUrl = running.temporal.running!.uiUrl;
  }

  let databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    running.postgres = await Supervisor.start({
      name: 'the embedded Postgres',
      start: () =>
        startEmbeddedPostgres({
          dataDir: path.join(dataDir, 'postgres'),
          port: postgresPort,
          logFile: path.join(dataDir, 'postgres.log'),
          log,
        }),
      onGiveUp: giveUp,
      log,
    });
    databaseUrl = await createDatabase(running.postgres.running!.url, 'contract_engine');
  }
  const applied = await migrate(databaseUrl);
  log(applied.length ? `migrations applied: ${applied.join(', ')}` : 'schema is up to date');

  const admin = process.env.ADMIN_TOKEN ? { token: process.env.ADMIN_TOKEN, file: undefined } : adminTokenFile(dataDir);
  const config = loadConfig({ ...process.env, DATABASE_URL: databaseUrl, TEMPORAL_ADDRESS: temporalAddress, ADMIN_TOKEN: admin.token });

  // The SDK's runtime would stop the worker on SIGINT/SIGTERM by itself, racing the orderly shutdown
  // below (and looking like a worker that died); here this process decides the order.
  installWorkerRuntime({
    logger: createLogger({ level: config.logLevel, component: 'worker' }),
    metricsAddress: config.observability.workerMetricsAddress,
    shutdownSignals: [],
  });
  // Before the worker and the API's client are made: they take the tracing interceptors then.
  await startTracing(config.observability.tracing, 'contract-engine');
  const db = (running.db = createPool(config.databaseUrl));
  running.worker = await Supervisor.start({
    name: 'the worker',
    start: () => startSupervisedWorker(config, db),
    // The worker waits for Temporal, which may itself be coming back: more patience.
    backoffMs: [1_000, 2_000, 4_000, 8_000, 15_000, 30_000],
    onGiveUp: giveUp,
    log,
  });
  running.api = await startApi(config, createLogger({ level: config.logLevel, component: 'api' }));
  const pages = pageSettingsFrom(process.env);
  const firstLink = await firstAdministratorLink(db, pages.publicUrl ?? running.api.url, pages.invitationValidForMs);

  process.stdout.write(`
  Contract engine is running.
    Pages:        ${pages.publicUrl ?? running.api.url}/
    API:          ${running.api.url}/api   (health: ${running.api.url}/api/health)
    Temporal UI:  ${uiUrl ?? `(external Temporal at ${temporalAddress})`}
    Admin token:  ${admin.file ? `cat ${admin.file}` : 'the ADMIN_TOKEN you set'}
  Create staff:   curl -X POST ${running.api.url}/api/staff -H "Authorization: Bearer $(cat ${admin.file ?? '<token>'})" \\
                    -H 'content-type: application/json' -d '{"name":"Мария","email":"maria@example.com","roles":["manager"]}'
  Stop with Ctrl+C.

`);
  if (firstLink) {
    process.stdout.write(`  First administrator: open this one-time link to set up your account (then invite colleagues from Staff):
    ${firstLink}

`);
  }
}

// Signals are handled from the first moment: during start-up too, what has started is stopped.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (shuttingDown) {
      log(`${signal} again: already stopping`);
      return;
    }
    freezeSupervision();
    void shutdown(`${signal} received`, 0);
  });
}
// A supervisor must not die of a stray error and leave its servers behind: it stops them and says why.
process.on('uncaughtException', (err) => {
  logger.error({ err }, `start: unexpected error: ${err.message}`);
  giveUp('an unexpected error');
});
process.on('unhandledRejection', (err) => {
  logger.error({ err }, `start: unexpected error: ${err instanceof Error ? err.message : String(err)}`);
  giveUp('an unexpected error');
});

main().catch((err) => {
  // A configuration error is a message for the person who started it, like the other entry points'.
  if (err instanceof ConfigError) process.stderr.write(`${err.message}\n`);
  else logger.error({ err }, `start: ${err instanceof Error ? err.message : String(err)}`);
  if (shuttingDown) return;
  freezeSupervision();
  void shutdown('start-up failed', 1);
});
