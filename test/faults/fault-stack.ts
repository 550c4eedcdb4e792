// The production topology for a fault test, all of it its own so it can be killed: an embedded
// Postgres (persistent, fsync on, as deployed), Temporal — the dev server on its SQLite file, or the
// real server on that same Postgres (as docker-compose runs it) — and two worker and two API
// processes (the production entry points). Each part can be killed with SIGKILL, paused with
// SIGSTOP, and started again on the same port and data.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrate } from '../../db/migrate';
import { createDatabase, startEmbeddedPostgres, type EmbeddedServer } from '../../scripts/embedded-postgres';
import { ensureTemporalCli, freePort, startTemporalDevServer, type DevServer } from '../../scripts/temporal-cli';
import { startTemporalCluster, type TemporalCluster } from '../../scripts/temporal-cluster';
import { startTopology, type Topology } from '../../scripts/topology';
import { ADMIN_TOKEN } from '../support/harness';

export type TemporalKind = 'dev-server' | 'cluster';

/** A server this test may kill and start again. */
export interface Killable {
  name: string;
  kill(): Promise<void>;
  pause(): void;
  resume(): void;
  start(): Promise<void>;
}

export interface FaultStack {
  temporalKind: TemporalKind;
  temporalAddress: string;
  databaseUrl: string;
  postgres: Killable;
  temporal: Killable;
  topology: Topology;
  /** The product's settings every process runs with. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** A deadline that makes every 503 quick, so a test of many faults stays short. */
export const CALL_TIMEOUT_MS = 2_000;

/** A process and all its children, from /proc: Postgres backends call setsid(), so a process group does not hold them. */
function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // "pid (comm) state ppid …": comm may hold spaces, so the fields after its closing bracket count.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  const tree: number[] = [];
  const visit = (pid: number) => {
    tree.push(pid);
    for (const child of children.get(pid) ?? []) visit(child);
  };
  visit(root);
  return tree;
}

/** Signals a process and every descendant; those gone meanwhile are skipped. */
function signalTree(pid: number, signal: NodeJS.Signals): void {
  for (const each of processTree(pid)) {
    try {
      process.kill(each, signal);
    } catch {
      // gone
    }
  }
}

export async function startFaultStack(kind: TemporalKind, opts: { workers?: number; apis?: number } = {}): Promise<FaultStack> {
  const scratch = mkdtempSync(path.join(os.tmpdir(), `faults-${kind}-`));
  const pgPort = await freePort();
  const startPostgres = () => startEmbeddedPostgres({ dataDir: path.join(scratch, 'postgres'), port: pgPort, persistent: true });
  let pg: EmbeddedServer = await startPostgres();
  const databaseUrl = await createDatabase(pg.url, 'product');
  await migrate(databaseUrl);

  const postgres: Killable = {
    name: 'Postgres',
    async kill() {
      process.kill(pg.pid, 'SIGKILL');
      await pg.exited;
    },
    // The postmaster and every backend: a paused postmaster alone would leave open connections working.
    pause: () => signalTree(pg.pid, 'SIGSTOP'),
    resume: () => signalTree(pg.pid, 'SIGCONT'),
    async start() {
      pg = await startPostgres();
    },
  };

  let temporal: Killable;
  let temporalAddress: string;
  let stopTemporal: () => Promise<void>;
  if (kind === 'dev-server') {
    const cli = await ensureTemporalCli();
    const port = await freePort();
    const startDev = () =>
      startTemporalDevServer({
        cli,
        port,
        headless: true,
        dbFile: path.join(scratch, 'temporal.sqlite'),
        logFile: path.join(scratch, 'temporal.log'),
      });
    let dev: DevServer = await startDev();
    temporalAddress = dev.address;
    temporal = {
      name: 'the Temporal dev server',
      async kill() {
        process.kill(dev.pid, 'SIGKILL');
        await dev.exited;
      },
      pause: () => process.kill(dev.pid, 'SIGSTOP'),
      resume: () => process.kill(dev.pid, 'SIGCONT'),
      async start() {
        dev = await startDev();
      },
    };
    stopTemporal = () => dev.stop();
  } else {
    const cluster: TemporalCluster = await startTemporalCluster({
      postgresUrl: pg.url,
      dir: path.join(scratch, 'cluster'),
      historyShards: 4,
    });
    temporalAddress = cluster.address;
    temporal = {
      name: 'the Temporal server (on Postgres)',
      async kill() {
        cluster.signal('SIGKILL');
        await cluster.exited;
      },
      pause: () => cluster.signal('SIGSTOP'),
      resume: () => cluster.signal('SIGCONT'),
      start: () => cluster.restart(),
    };
    stopTemporal = () => cluster.stop();
  }

  const env: Record<string, string> = {
    DATABASE_URL: databaseUrl,
    TEMPORAL_ADDRESS: temporalAddress,
    TEMPORAL_NAMESPACE: 'default',
    TEMPORAL_TASK_QUEUE: 'processes',
    TEMPORAL_LEGACY_TASK_QUEUES: '',
    TEMPORAL_CALL_TIMEOUT: `${CALL_TIMEOUT_MS}ms`,
    ADMIN_TOKEN,
    // info: the entry points say they are ready at that level.
    LOG_LEVEL: 'info',
    // One manager takes every onboarding here; the automatic choice must never leave it to kam_head.
    WORKLOAD_NORM: '1000000',
  };
  const topology = await startTopology({ workers: opts.workers ?? 2, apis: opts.apis ?? 2, env });
  return {
    temporalKind: kind,
    temporalAddress,
    databaseUrl,
    postgres,
    temporal,
    topology,
    env,
    async stop() {
      postgres.resume();
      temporal.resume();
      await topology.stop();
      await stopTemporal().catch(() => undefined);
      await pg.stop().catch(() => undefined);
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}
