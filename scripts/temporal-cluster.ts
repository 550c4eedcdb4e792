// The real Temporal server on Postgres, the topology users deploy, on this machine: the server
// and its SQL tool built once from the Go module proxy (cached like the CLI), both schemas set up
// (idempotently) in a Postgres, the server started with several history shards, the namespace and
// the processes' search attributes registered. `npm run cluster` runs it in the foreground; the
// tests and benchmarks start it through startTemporalCluster() and kill it for real.
import { execFile, spawn } from 'node:child_process';
import { copyFileSync, createWriteStream, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { repoRoot } from '../config/paths';
import { PROCESS_SEARCH_ATTRIBUTES } from '../workflows/engine/search-attributes';
import { cacheDir, goInstall, runs, withBuildLock, type Log } from './go-build';
import { ensureTemporalCli, healthy, type ServerExit } from './temporal-cli';

const run = promisify(execFile);
const SERVER_VERSION = 'v1.29.1';
const SERVER_MODULE = 'go.temporal.io/server';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface TemporalServerBinaries {
  server: string;
  sqlTool: string;
}

/** The server and `temporal-sql-tool`: TEMPORAL_SERVER_BIN / TEMPORAL_SQL_TOOL, the cached build, or a fresh build. */
export async function ensureTemporalServer(log: Log = () => undefined): Promise<TemporalServerBinaries> {
  if (process.env.TEMPORAL_SERVER_BIN && process.env.TEMPORAL_SQL_TOOL) {
    return { server: process.env.TEMPORAL_SERVER_BIN, sqlTool: process.env.TEMPORAL_SQL_TOOL };
  }
  const dir = cacheDir(`temporal-server-${SERVER_VERSION}`);
  const binaries = { server: path.join(dir, 'temporal-server'), sqlTool: path.join(dir, 'temporal-sql-tool') };
  const built = async () => (await runs(binaries.server, ['--version'])) && (await runs(binaries.sqlTool, ['--version']));
  if (await built()) return binaries;
  const what = `the Temporal server ${SERVER_VERSION}`;
  return withBuildLock(dir, what, log, async () => {
    if (!(await built())) {
      await goInstall({
        what,
        packages: [`${SERVER_MODULE}/cmd/server@${SERVER_VERSION}`, `${SERVER_MODULE}/cmd/tools/sql@${SERVER_VERSION}`],
        binaries: { server: 'temporal-server', sql: 'temporal-sql-tool' },
        dir,
        log,
      });
    }
    return binaries;
  });
}

export interface ClusterOptions {
  /** A Postgres URL whose user may create databases: Temporal's two databases go on that server. */
  postgresUrl: string;
  /** Names Temporal's databases: `<prefix>` and `<prefix>_visibility`. Default `temporal`. */
  databasePrefix?: string;
  /** The config file, the dynamic config and the server's log go here. */
  dir: string;
  /** The frontend's port (7233 by `npm run cluster`); a free one when not given. */
  port?: number;
  /** Fixed when the cluster is first set up: the database keeps it, and a different number later is refused. */
  historyShards?: number;
  namespace?: string;
  /** The server's own Prometheus metrics; a free port when not given. */
  metricsPort?: number;
  log?: Log;
}

export interface TemporalCluster {
  /** host:port of the frontend. */
  address: string;
  namespace: string;
  historyShards: number;
  metricsUrl: string;
  /** The server process's id (it changes on restart()). */
  pid: number;
  /** Settles when the current server process has exited. */
  exited: Promise<ServerExit>;
  /** Signals the server process itself (a fault test's kill -9 or SIGSTOP). */
  signal(signal: NodeJS.Signals): void;
  /** Starts the server again on the same ports and databases, once the last one has exited. */
  restart(): Promise<void>;
  /** SIGTERM, then SIGKILL after a grace period; at once when it already exited. */
  stop(): Promise<void>;
}

/** The dynamic config docker-compose mounts too: one file, so both run with the same settings. */
const DYNAMIC_CONFIG_FILE = path.join(repoRoot(), 'deploy', 'temporal-dynamicconfig.yaml');

interface Ports {
  frontend: number;
  frontendHttp: number;
  frontendMembership: number;
  history: number;
  historyMembership: number;
  matching: number;
  matchingMembership: number;
  worker: number;
  workerMembership: number;
  metrics: number;
  pprof: number;
}

interface PostgresTarget {
  host: string;
  port: number;
  user: string;
  password: string;
  databases: { main: string; visibility: string };
}

function postgresTarget(url: string, prefix: string): PostgresTarget {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username || 'postgres'),
    password: decodeURIComponent(u.password),
    databases: { main: prefix, visibility: `${prefix}_visibility` },
  };
}

const quote = (text: string) => JSON.stringify(text);

/** The server's config, after its own config/development-postgres12.yaml, with our ports and shards. */
function serverConfig(pg: PostgresTarget, ports: Ports, shards: number, dynamicConfigFile: string): string {
  const store = (database: string, maxConns: number) => `      sql:
        pluginName: "postgres12"
        databaseName: ${quote(database)}
        connectAddr: ${quote(`${pg.host}:${pg.port}`)}
        connectProtocol: "tcp"
        user: ${quote(pg.user)}
        password: ${quote(pg.password)}
        maxConns: ${maxConns}
        maxIdleConns: ${maxConns}
        maxConnLifetime: "1h"`;
  const service = (grpc: number, membership: number, extra = '') => `    rpc:
      grpcPort: ${grpc}
      membershipPort: ${membership}
      bindOnLocalHost: true${extra}`;
  return `# Written by scripts/temporal-cluster.ts; rewritten at every start.
log:
  stdout: true
  level: warn
persistence:
  defaultStore: postgres-default
  visibilityStore: postgres-visibility
  numHistoryShards: ${shards}
  datastores:
    postgres-default:
${store(pg.databases.main, 20)}
    postgres-visibility:
${store(pg.databases.visibility, 10)}
global:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: "127.0.0.1"
  pprof:
    port: ${ports.pprof}
  metrics:
    prometheus:
      framework: "tally"
      timerType: "histogram"
      listenAddress: "127.0.0.1:${ports.metrics}"
services:
  frontend:
${service(ports.frontend, ports.frontendMembership, `\n      httpPort: ${ports.frontendHttp}`)}
  matching:
${service(ports.matching, ports.matchingMembership)}
  history:
${service(ports.history, ports.historyMembership)}
  worker:
${service(ports.worker, ports.workerMembership)}
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: "active"
  currentClusterName: "active"
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: "frontend"
      rpcAddress: "127.0.0.1:${ports.frontend}"
dcRedirectionPolicy:
  policy: "noop"
dynamicConfigClient:
  filepath: ${quote(dynamicConfigFile)}
  pollInterval: "10s"
`;
}

async function databaseExists(adminUrl: string, name: string): Promise<boolean> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return ((await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount ?? 0) > 0;
  } finally {
    await client.end();
  }
}

async function hasVersionTable(adminUrl: string, database: string): Promise<boolean> {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  try {
    return ((await client.query(`SELECT 1 FROM information_schema.tables WHERE table_name = 'schema_version'`)).rowCount ?? 0) > 0;
  } finally {
    await client.end();
  }
}

/**
 * Both databases brought to the schema this server ships (embedded in the SQL tool), the way the
 * compose schema job does: create, set up the version table once, then every versioned step not yet
 * applied. Safe on every start, and an upgrade after a version bump.
 */
export async function setUpClusterSchemas(sqlTool: string, adminUrl: string, prefix: string, log: Log): Promise<void> {
  const pg = postgresTarget(adminUrl, prefix);
  const base = ['--plugin', 'postgres12', '--endpoint', pg.host, '--port', String(pg.port), '--user', pg.user, '--password', pg.password];
  const sql = async (database: string, args: string[]) => {
    try {
      await run(sqlTool, [...base, '--database', database, ...args], { timeout: 120_000 });
    } catch (err) {
      const e = err as { stderr?: string; stdout?: string; message: string };
      throw new Error(`temporal-sql-tool ${args[0]} on ${database} failed: ${(e.stderr || e.stdout || e.message).slice(-2000)}`, {
        cause: err,
      });
    }
  };
  for (const [database, schema] of [
    [pg.databases.main, 'postgresql/v12/temporal'],
    [pg.databases.visibility, 'postgresql/v12/visibility'],
  ] as const) {
    if (!(await databaseExists(adminUrl, database))) {
      log(`creating Temporal's database ${database}…`);
      await sql(database, ['create-database']);
    }
    if (!(await hasVersionTable(adminUrl, database))) await sql(database, ['setup-schema', '-v', '0.0']);
    await sql(database, ['update-schema', '--schema-name', schema]);
  }
}

/** Whether 127.0.0.1:`port` can be bound now. */
function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A free port below 32768: the server keeps its services' ports in a smallint column
 * (cluster_membership), so one from the kernel's ephemeral range (32768–60999) fails its start.
 */
async function freeServerPort(taken: Set<number>): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (!taken.has(port) && (await canBind(port))) {
      taken.add(port);
      return port;
    }
  }
  throw new Error('no free port below 32768 for the Temporal server');
}

async function allocatePorts(frontend?: number, metrics?: number): Promise<Ports> {
  const taken = new Set<number>([frontend, metrics].filter((port): port is number => port !== undefined));
  const free = () => freeServerPort(taken);
  return {
    frontend: frontend ?? (await free()),
    frontendHttp: await free(),
    frontendMembership: await free(),
    history: await free(),
    historyMembership: await free(),
    matching: await free(),
    matchingMembership: await free(),
    worker: await free(),
    workerMembership: await free(),
    metrics: metrics ?? (await free()),
    pprof: await free(),
  };
}

const START_TIMEOUT_MS = 120_000;
const STOP_GRACE_MS = 15_000;

interface ServerProcess {
  pid: number;
  exited: Promise<ServerExit>;
  kill(signal: NodeJS.Signals): void;
  stop(): Promise<void>;
}

/** One server process, resolved once the frontend serves; its output appended to `logFile`. */
async function spawnServer(
  server: string,
  root: string,
  env: string,
  logFile: string,
  cli: string,
  address: string,
): Promise<ServerProcess> {
  const sink = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(server, ['--root', root, '--config', 'config', '--env', env, '--allow-no-auth', 'start'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: a Ctrl+C reaches only the parent, which stops things in order.
    detached: true,
  });
  let tail = '';
  let stopping = false;
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-4000);
    sink.write(chunk);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let hasExited = false;
  const exited = new Promise<ServerExit>((resolve) =>
    child.once('exit', (code, signal) => {
      hasExited = true;
      process.off('exit', killOnExit);
      sink.end();
      resolve({ code, signal, expected: stopping });
    }),
  );
  let spawnError: Error | undefined;
  child.once('error', (err) => (spawnError = err));
  const stop = async () => {
    stopping = true;
    process.off('exit', killOnExit);
    if (hasExited || spawnError) return;
    // A stopped (SIGSTOP) server must be woken to hear SIGTERM.
    child.kill('SIGCONT');
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await healthy(cli, address))) {
    if (spawnError) throw new Error(`could not run ${server}: ${spawnError.message}`);
    if (hasExited) throw new Error(`the Temporal server exited during start-up (log: ${logFile}):\n${tail}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the Temporal server did not become healthy within ${START_TIMEOUT_MS / 1000} s (log: ${logFile}):\n${tail}`);
    }
    await sleep(500);
  }
  return { pid: child.pid!, exited, kill: (signal) => child.kill(signal), stop };
}

/** The namespace (retention 30 days, as docker-compose registers it) and the search attributes every process writes; both idempotent. */
async function registerNamespace(cli: string, address: string, namespace: string, log: Log): Promise<void> {
  const described = await run(cli, ['operator', 'namespace', 'describe', '--address', address, '-n', namespace], { timeout: 20_000 }).then(
    () => true,
    () => false,
  );
  if (!described) {
    log(`registering the namespace ${namespace}…`);
    await run(cli, ['operator', 'namespace', 'create', '--address', address, '-n', namespace, '--retention', '30d'], { timeout: 30_000 });
  }
  // A namespace just created takes a moment to reach every service's cache, so this asks again.
  const names = PROCESS_SEARCH_ATTRIBUTES.map((key) => key.name);
  for (let attempt = 1; attempt <= 30; attempt++) {
    const { stdout } = await run(cli, ['operator', 'search-attribute', 'list', '--address', address, '-n', namespace, '-o', 'json'], {
      timeout: 20_000,
    }).catch(() => ({ stdout: '' }));
    const missing = names.filter((name) => !stdout.includes(`"${name}"`));
    if (missing.length === 0) return;
    for (const name of missing) {
      await run(
        cli,
        ['operator', 'search-attribute', 'create', '--address', address, '-n', namespace, '--name', name, '--type', 'Keyword'],
        {
          timeout: 20_000,
        },
      ).catch(() => undefined);
    }
    await sleep(1_000);
  }
  throw new Error(`the search attributes ${names.join(', ')} could not be registered in ${namespace}`);
}

/** Sets up (idempotently) and starts a Temporal server on Postgres; resolved once it serves. */
export async function startTemporalCluster(opts: ClusterOptions): Promise<TemporalCluster> {
  const log = opts.log ?? (() => undefined);
  const prefix = opts.databasePrefix ?? 'temporal';
  if (!/^[a-z_][a-z0-9_]*$/.test(prefix)) throw new Error(`not a plain database name: ${prefix}`);
  const historyShards = opts.historyShards ?? 4;
  const namespace = opts.namespace ?? 'default';
  const [binaries, cli] = await Promise.all([ensureTemporalServer(log), ensureTemporalCli(log)]);
  await setUpClusterSchemas(binaries.sqlTool, opts.postgresUrl, prefix, log);

  const root = path.resolve(opts.dir);
  mkdirSync(path.join(root, 'config'), { recursive: true });
  const ports = await allocatePorts(opts.port, opts.metricsPort);
  const dynamicConfigFile = path.join(root, 'config', 'dynamicconfig.yaml');
  copyFileSync(DYNAMIC_CONFIG_FILE, dynamicConfigFile);
  writeFileSync(
    path.join(root, 'config', 'cluster.yaml'),
    serverConfig(postgresTarget(opts.postgresUrl, prefix), ports, historyShards, dynamicConfigFile),
  );
  const address = `127.0.0.1:${ports.frontend}`;
  const logFile = path.join(root, 'temporal-server.log');
  log(`starting the Temporal server ${SERVER_VERSION} on ${address} (${historyShards} history shards, Postgres ${prefix}*)…`);
  let current = await spawnServer(binaries.server, root, 'cluster', logFile, cli, address);
  await registerNamespace(cli, address, namespace, log);

  const cluster: TemporalCluster = {
    address,
    namespace,
    historyShards,
    metricsUrl: `http://127.0.0.1:${ports.metrics}/metrics`,
    pid: current.pid,
    exited: current.exited,
    signal: (signal) => current.kill(signal),
    async restart() {
      await current.exited;
      current = await spawnServer(binaries.server, root, 'cluster', logFile, cli, address);
      cluster.pid = current.pid;
      cluster.exited = current.exited;
    },
    stop: () => current.stop(),
  };
  return cluster;
}

/** For messages: whether a path holds a cluster set up before (its config file). */
export const clusterConfigured = (dir: string) => existsSync(path.join(dir, 'config', 'cluster.yaml'));
