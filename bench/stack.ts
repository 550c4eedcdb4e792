// What every benchmark runs on: a real Temporal dev server (or the one BENCH_TEMPORAL_ADDRESS
// names), an embedded Postgres, the worker (in this process, or BENCH_WORKERS worker OS processes)
// and the API (in this process, or API processes), an HTTP caller that times each step, and a
// report of the percentiles against targets (a missed target makes the exit code 1).
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Pool } from 'pg';
import { startApi, type RunningApi } from '../api/main';
import { loadConfig, type Config } from '../config/env';
import { migrate } from '../db/migrate';
import { createPool } from '../db/pool';
import { createDatabase, startEmbeddedPostgres } from '../scripts/embedded-postgres';
import { ensureTemporalCli, startTemporalDevServer } from '../scripts/temporal-cli';
import { installWorkerLogging, startProcessWorker, type RunningWorker } from '../worker/create-worker';
import { spawnApis, spawnWorkers, type BenchChild } from './child-processes';

const ADMIN = 'bench-admin-token-0123456789';

export interface BenchStack {
  /** Where the API (and the pages beside it) answer. */
  url: string;
  /** The bootstrap administrator's token. */
  adminToken: string;
  /** The benchmark's database, for what a benchmark reads back. */
  databaseUrl: string;
  /** The Temporal frontend the stack runs on (a dev server of its own, or BENCH_TEMPORAL_ADDRESS). */
  temporalAddress: string;
  /** The configuration the worker and the API run with (its task queue is the stack's own). */
  config: Config;
  /** The in-process worker's pool, when the worker runs in this process. */
  workerDb?: Pool;
  /** Worker OS processes (empty when the worker runs in this process), for their memory. */
  workers: BenchChild[];
  /** Every API the caller spreads its calls over (one in this process, or API processes). */
  apiUrls: string[];
  /** Calls the API as `token`, times it under `step`, and fails on any non-2xx answer. */
  call(
    step: string,
    token: string,
    method: string,
    url: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<Record<string, any>>;
  person(name: string, roles: string[]): Promise<{ id: string; token: string }>;
  newClient(token: string, legalName: string): Promise<{ id: string }>;
  /** Runs `job` `count` times, `concurrency` at a time; answers the seconds it took. */
  run(count: number, concurrency: number, job: (i: number) => Promise<void>): Promise<number>;
  /** Records one timing of `step` measured by the benchmark itself. */
  time(step: string, ms: number): void;
  /** Prints each timed step's percentiles; answers the steps whose p95 is over their target. */
  report(targetOf: (step: string) => number | undefined): string[];
  peakRssMb(): number;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

export interface StackOptions {
  /** Worker OS processes; 0 runs the worker in this process. Default: BENCH_WORKERS, else 0. */
  workers?: number;
  /** API OS processes the caller spreads its calls over; 0 runs one API in this process. Default: BENCH_APIS, else 0. */
  apis?: number;
}

const countOf = (name: string, value: string | undefined, fallback: number, max: number): number => {
  const n = value === undefined || value === '' ? fallback : Number(value);
  if (!Number.isInteger(n) || n < 0 || n > max) throw new Error(`${name} must be a whole number from 0 to ${max}, not ${value}`);
  return n;
};

/** Starts everything, runs the benchmark (which answers its missed targets), stops everything. */
export async function benchOn(
  env: Record<string, string>,
  bench: (stack: BenchStack) => Promise<string[]>,
  options: StackOptions = {},
): Promise<void> {
  const workerCount = options.workers ?? countOf('BENCH_WORKERS', process.env.BENCH_WORKERS, 0, 2);
  const apiCount = options.apis ?? countOf('BENCH_APIS', process.env.BENCH_APIS, 0, 8);
  const external = process.env.BENCH_TEMPORAL_ADDRESS?.trim() || undefined;
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'contract-bench-'));
  const temporal = external
    ? { address: external, stop: async () => undefined }
    : await startTemporalDevServer({ cli: await ensureTemporalCli(console.log), headless: true });
  const postgres = await startEmbeddedPostgres({ dataDir: path.join(scratch, 'pg'), persistent: false });
  const databaseUrl = await createDatabase(postgres.url, 'bench');
  await migrate(databaseUrl);
  // A task queue of the run's own: on a shared cluster no other worker takes its tasks.
  const taskQueue = external ? `bench-${randomUUID().slice(0, 8)}` : 'processes';
  const fullEnv: Record<string, string> = {
    ...env,
    DATABASE_URL: databaseUrl,
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_NAMESPACE: process.env.BENCH_TEMPORAL_NAMESPACE || 'default',
    TEMPORAL_TASK_QUEUE: taskQueue,
    TEMPORAL_LEGACY_TASK_QUEUES: '',
    ADMIN_TOKEN: ADMIN,
    PORT: '0',
    LOG_LEVEL: 'warn',
  };
  const config = loadConfig(fullEnv);
  console.log(
    `stack: Temporal ${external ? `at ${external}` : `dev server ${temporal.address}`}, task queue ${taskQueue}, ` +
      `${workerCount ? `${workerCount} worker process(es)` : 'worker in process'}, ${apiCount ? `${apiCount} API process(es)` : 'API in process'}`,
  );
  installWorkerLogging('warn');
  let db: Pool | undefined;
  let worker: RunningWorker | undefined;
  let workers: BenchChild[] = [];
  if (workerCount === 0) {
    db = createPool(databaseUrl);
    worker = await startProcessWorker(config, db);
  } else {
    workers = await spawnWorkers(workerCount, fullEnv);
  }
  let api: RunningApi | undefined;
  let apis: BenchChild[] = [];
  let apiUrls: string[];
  if (apiCount === 0) {
    api = await startApi(config);
    apiUrls = [api.url];
  } else {
    apis = await spawnApis(apiCount, fullEnv);
    apiUrls = apis.map((child) => child.url!);
  }
  let nextApi = 0;
  const latencies = new Map<string, number[]>();
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);

  const stack: BenchStack = {
    url: apiUrls[0]!,
    adminToken: ADMIN,
    databaseUrl,
    temporalAddress: temporal.address,
    config,
    workerDb: db,
    workers,
    apiUrls,
    async call(step, token, method, url, body = {}, headers = {}) {
      const base = apiUrls[nextApi++ % apiUrls.length]!;
      const started = performance.now();
      const res = await fetch(`${base}${url}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
        body: method === 'GET' ? undefined : JSON.stringify(body),
      });
      const json = (await res.json()) as Record<string, any>;
      if (!res.ok) throw new Error(`${step}: ${res.status} ${JSON.stringify(json)}`);
      const list = latencies.get(step) ?? [];
      list.push(performance.now() - started);
      latencies.set(step, list);
      return json;
    },
    person: (name, roles) =>
      stack.call('staff', ADMIN, 'POST', '/api/staff', { name, email: `${name}@bench.test`, roles }) as Promise<{
        id: string;
        token: string;
      }>,
    newClient: (token, legalName) =>
      stack.call('client', token, 'POST', '/api/clients', {
        requisites: {
          legalName,
          inn: '7707083893',
          kpp: '773601001',
          address: 'Москва',
          bankName: 'Банк',
          bik: '044525225',
          account: '40702810938000012345',
          correspondentAccount: '30101810400000000225',
        },
        contacts: [{ name: 'Иван', phone: '+7 495 000-00-00', decisionRole: 'leader' }],
      }) as Promise<{ id: string }>,
    async run(count, concurrency, job) {
      const started = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < count) await job(next++);
        }),
      );
      return (performance.now() - started) / 1000;
    },
    time(step, ms) {
      const list = latencies.get(step) ?? [];
      list.push(ms);
      latencies.set(step, list);
    },
    report(targetOf) {
      console.log('step                     p50 ms   p95 ms   max ms');
      const misses: string[] = [];
      for (const [step, values] of latencies) {
        const target = targetOf(step);
        if (target === undefined) continue;
        const p95 = percentile(values, 95);
        if (p95 > target) misses.push(`${step} p95 ${p95.toFixed(0)} ms > ${target} ms`);
        console.log(
          `${step.padEnd(24)} ${percentile(values, 50).toFixed(0).padStart(6)} ${p95.toFixed(0).padStart(8)} ${Math.max(...values)
            .toFixed(0)
            .padStart(8)}`,
        );
      }
      return misses;
    },
    peakRssMb: () => peakRss / 1024 / 1024,
  };

  let stopped: Promise<void> | undefined;
  const stopAll = () =>
    (stopped ??= (async () => {
      clearInterval(sampler);
      await api?.close();
      await Promise.all(apis.map((child) => child.stop()));
      await worker?.stop();
      await Promise.all(workers.map((child) => child.stop()));
      await db?.end();
      await postgres.stop();
      await temporal.stop();
      rmSync(scratch, { recursive: true, force: true });
    })());
  // A long benchmark stopped by hand leaves no server, worker or API behind.
  const interrupted = (signal: NodeJS.Signals) => {
    console.log(`\n${signal}: stopping the stack`);
    void stopAll().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    const misses = await bench(stack).catch((err: unknown) => {
      // What the worker and API processes said last, to see why.
      for (const [i, child] of [...workers, ...apis].entries()) {
        console.error(`\n--- the last of process ${i + 1} (pid ${child.pid}) ---\n${child.output().slice(-4_000)}`);
      }
      throw err;
    });
    console.log(misses.length ? `\nTARGETS MISSED: ${misses.join('; ')}` : '\nall targets met');
    process.exitCode = misses.length ? 1 : 0;
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    await stopAll();
    // The SDK's runtime can outlive everything stopped here; the benchmark is over all the same.
    setTimeout(() => process.exit(), 2_000).unref();
  }
}
