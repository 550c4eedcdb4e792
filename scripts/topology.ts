// The product as it is deployed: N worker processes and M API processes (the production entry
// points, dist/worker/main.js and dist/api/main.js) against one Temporal and one Postgres. Both are
// stateless, so any number of each can run; the tests and the benchmarks start them here, spread
// requests across the APIs, and kill single processes for real.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../config/paths';

export type Role = 'worker' | 'api';

export interface ProductProcess {
  role: Role;
  /** "worker 1", "api 2": for messages. */
  name: string;
  readonly pid: number;
  /** The API's address (an API process), fixed across restarts. */
  readonly url?: string;
  /** Whether the current process is still running. */
  alive(): boolean;
  /** Resident memory now and at its peak (VmRSS, VmHWM), in MB; 0 once gone. */
  memoryMb(): { rss: number; peak: number };
  /** What it printed, the last 100 KB. */
  output(): string;
  /** Signals it (SIGKILL for a crash) and, but for SIGSTOP/SIGCONT, waits until it has exited. */
  kill(signal: NodeJS.Signals): Promise<void>;
  /** Starts it again with the same environment (an API on the same port), once it has exited. */
  restart(): Promise<void>;
  /** SIGTERM, then SIGKILL after a grace period. */
  stop(): Promise<void>;
}

/** VmRSS and VmHWM of a process, from /proc (Linux). */
export function memoryOf(pid: number): { rss: number; peak: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
    return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
  } catch {
    return { rss: 0, peak: 0 };
  }
}

const ENTRIES: Record<Role, { file: string; ready: RegExp }> = {
  worker: { file: path.join('worker', 'main.js'), ready: /polling task queue/ },
  // The address only: the line may be a JSON log line, closed by a quote.
  api: { file: path.join('api', 'main.js'), ready: /listening on (http:\/\/[\w.:[\]-]+)/ },
};
const START_TIMEOUT_MS = 120_000;
const STOP_GRACE_MS = 15_000;

interface Started {
  child: ChildProcess;
  exited: Promise<void>;
  url?: string;
}

async function startEntry(role: Role, name: string, env: Record<string, string>, keep: (chunk: Buffer) => void): Promise<Started> {
  const entry = ENTRIES[role];
  const child = spawn(process.execPath, [path.join(repoRoot(), 'dist', entry.file)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let seen = '';
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const match = await new Promise<RegExpExecArray>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${name} did not start within ${START_TIMEOUT_MS / 1000} s:\n${seen}`)),
      START_TIMEOUT_MS,
    );
    const look = (chunk: Buffer) => {
      seen = (seen + chunk.toString()).slice(-20_000);
      const found = entry.ready.exec(seen);
      if (found) {
        clearTimeout(timer);
        child.stdout!.off('data', look);
        resolve(found);
      }
    };
    child.stdout!.on('data', look);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited during start-up (${signal ?? `exit code ${code}`}):\n${seen}`));
    });
  });
  return { child, exited, url: match[1] };
}

/** One worker or API process, restartable in place. */
export async function startProductProcess(role: Role, name: string, env: Record<string, string>): Promise<ProductProcess> {
  let output = '';
  const keep = (chunk: Buffer) => {
    output += chunk.toString();
    // Only the tail matters for a failure; a chatty process must not grow its parent's memory.
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  let current = await startEntry(role, name, env, keep);
  // An API restarted after a crash comes back on the same port, as behind a balancer's fixed target.
  const url = current.url;
  const port = url ? new URL(url).port : undefined;
  let peak = 0;
  const running = () => current.child.exitCode === null && current.child.signalCode === null;
  const handle: ProductProcess = {
    role,
    name,
    get pid() {
      return current.child.pid!;
    },
    url,
    alive: running,
    memoryMb() {
      const now = memoryOf(current.child.pid!);
      peak = Math.max(peak, now.peak);
      return { rss: now.rss, peak };
    },
    output: () => output,
    async kill(signal) {
      if (!running()) return;
      current.child.kill(signal);
      if (signal !== 'SIGSTOP' && signal !== 'SIGCONT') await current.exited;
    },
    async restart() {
      await current.exited;
      output += `\n--- ${name} started again ---\n`;
      current = await startEntry(role, name, port ? { ...env, PORT: port } : env, keep);
    },
    async stop() {
      if (!running()) return;
      current.child.kill('SIGCONT');
      current.child.kill('SIGTERM');
      const timer = setTimeout(() => current.child.kill('SIGKILL'), STOP_GRACE_MS);
      await current.exited;
      clearTimeout(timer);
    },
  };
  return handle;
}

export interface Topology {
  workers: ProductProcess[];
  apis: ProductProcess[];
  /** The APIs' addresses in turn, as a round-robin balancer hands them out. */
  nextApiUrl(): string;
  /** Every process's peak resident memory, in MB, by name. */
  peakMemoryMb(): Record<string, number>;
  stop(): Promise<void>;
}

export interface TopologyOptions {
  workers: number;
  apis: number;
  /** The product's configuration (config/env.ts) for every process; PORT is chosen per API. */
  env: Record<string, string>;
  /** Extra settings of the worker processes only (tuning, metrics address). */
  workerEnv?: Record<string, string>;
}

/** Starts the workers first (they register the search attributes), then the APIs, each on a free port. */
export async function startTopology(opts: TopologyOptions): Promise<Topology> {
  const workers: ProductProcess[] = [];
  const apis: ProductProcess[] = [];
  const stop = async () => {
    await Promise.all(apis.map((api) => api.stop()));
    await Promise.all(workers.map((worker) => worker.stop()));
  };
  try {
    // The first worker alone: it registers the search attributes the others would race to add.
    const workerEnv = { ...opts.env, ...opts.workerEnv };
    if (opts.workers > 0) workers.push(await startProductProcess('worker', 'worker 1', workerEnv));
    workers.push(
      ...(await Promise.all(
        Array.from({ length: Math.max(0, opts.workers - 1) }, (_, i) => startProductProcess('worker', `worker ${i + 2}`, workerEnv)),
      )),
    );
    const started = await Promise.all(
      Array.from({ length: opts.apis }, (_, i) => startProductProcess('api', `api ${i + 1}`, { ...opts.env, PORT: '0' })),
    );
    apis.push(...started);
  } catch (err) {
    await stop();
    throw err;
  }
  let turn = 0;
  return {
    workers,
    apis,
    nextApiUrl: () => apis[turn++ % apis.length]!.url!,
    peakMemoryMb: () => Object.fromEntries([...workers, ...apis].map((p) => [p.name, p.memoryMb().peak])),
    stop,
  };
}
