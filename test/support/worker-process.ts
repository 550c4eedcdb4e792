// The production worker (dist/worker/main.js) as a child process, so a test can kill it for real.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from '../../config/paths';

export interface WorkerProcess {
  child: ChildProcess;
  output(): string;
  kill(signal: NodeJS.Signals): Promise<void>;
}

/** The production worker's environment for a test file's harness: its database, its Temporal and its own task queue only. */
export const workerEnvOf = (
  h: { databaseUrl: string; temporalAddress: string; taskQueue: string },
  extra: Record<string, string> = {},
) => ({
  DATABASE_URL: h.databaseUrl,
  TEMPORAL_ADDRESS: h.temporalAddress,
  TEMPORAL_NAMESPACE: 'default',
  TEMPORAL_TASK_QUEUE: h.taskQueue,
  // Only this file's queue: the shared dev server's `contracts` is no one's here.
  TEMPORAL_LEGACY_TASK_QUEUES: '',
  ...extra,
});

export async function spawnWorker(env: Record<string, string>): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [path.join(repoRoot(), 'dist', 'worker', 'main.js')], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start:\n${output}`)), 60_000);
    child.stdout!.on('data', () => {
      if (output.includes('polling task queue')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited with ${code}:\n${output}`));
    });
  });
  return {
    child,
    output: () => output,
    kill: (signal) =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill(signal);
      }),
  };
}
