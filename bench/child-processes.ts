// The production entry points (dist/worker/main.js, dist/api/main.js) as child processes of a
// benchmark, so a worker's memory is its own (read from /proc) and the load can be spread over
// several processes, with the output and restarts a benchmark wants (scripts/topology.ts is the tests').
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from '../config/paths';
import { memoryOf } from '../scripts/topology';

export interface BenchChild {
  pid: number;
  /** The API's address, for an API process. */
  url?: string;
  /** Resident memory now and at its peak (VmRSS, VmHWM), in MB; 0 once the process is gone. */
  memoryMb(): { rss: number; peak: number };
  output(): string;
  /** How much it has printed in all (a chatty process costs CPU). */
  printedBytes(): number;
  stop(): Promise<void>;
}

export { memoryOf };

async function spawnEntry(entry: string, env: Record<string, string>, ready: RegExp, name: string): Promise<BenchChild> {
  const child: ChildProcess = spawn(process.execPath, [path.join(repoRoot(), 'dist', ...entry.split('/'))], {
    // At info: the entry points say they are ready at that level.
    env: { ...process.env, ...env, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let printed = 0;
  const keep = (chunk: Buffer) => {
    output += chunk.toString();
    printed += chunk.length;
    // Only the tail matters for a failure; a chatty process must not grow the bench's memory.
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const match = await new Promise<RegExpExecArray>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start:\n${output}`)), 120_000);
    const look = () => {
      const found = ready.exec(output);
      if (found) {
        clearTimeout(timer);
        child.stdout!.off('data', look);
        resolve(found);
      }
    };
    child.stdout!.on('data', look);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code}:\n${output}`));
    });
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let peak = { rss: 0, peak: 0 };
  return {
    pid: child.pid!,
    url: match[1],
    memoryMb() {
      const now = memoryOf(child.pid!);
      if (now.peak > 0) peak = now;
      return now.peak > 0 ? now : { rss: 0, peak: peak.peak };
    },
    output: () => output,
    printedBytes: () => printed,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** `count` workers on the stack's task queue; each answers once it polls. */
export function spawnWorkers(count: number, env: Record<string, string>): Promise<BenchChild[]> {
  return Promise.all(
    Array.from({ length: count }, (_, i) => spawnEntry('worker/main.js', env, /polling task queue/, `worker process ${i + 1}`)),
  );
}

/** `count` API processes, each on a port of its own. */
export function spawnApis(count: number, env: Record<string, string>): Promise<BenchChild[]> {
  return Promise.all(
    Array.from({ length: count }, (_, i) =>
      spawnEntry('api/main.js', { ...env, PORT: '0' }, /listening on (http:\/\/[\w.:[\]-]+)/, `API process ${i + 1}`),
    ),
  );
}
