// The worker for every process (contract, onboarding, account): the workflow bundle plus the
// activities bound to a pool, polling the task queue and every legacy task queue still in use.
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Config } from '../config/env';
import { Client, Connection } from '@temporalio/client';
import { createActivities, type ActivityDeps } from '../activities';
import { sweepEndedContracts } from './ended-contracts';
import { ensureSearchAttributes } from './search-attributes';

export interface ProcessWorkerOptions extends ActivityDeps {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  /**
   * Task queues of an earlier name (TEMPORAL_LEGACY_TASK_QUEUES): a workflow keeps the queue it
   * was started on, and so do its activities, its continue-as-new runs and its children, so these
   * are polled too for as long as a workflow started there may be open.
   */
  legacyTaskQueues?: readonly string[];
  /** Pre-built bundle (tests, production images); without it the workflows are bundled at start, once. */
  workflowBundle?: WorkerOptions['workflowBundle'];
}

/** One Temporal Worker per task queue, run and stopped as one. */
export interface ProcessWorker {
  /** The task queue's Worker first, then one for each legacy queue. */
  readonly workers: readonly Worker[];
  readonly taskQueues: readonly string[];
  /**
   * Runs every Worker; when one stops (a shutdown, a signal, a fatal error) the others are shut
   * down too. Settles when all have stopped, rejecting with the first error.
   */
  run(): Promise<void>;
  /** Shuts down every Worker still running; safe to call more than once. */
  shutdown(): void;
}

export async function createProcessWorker(opts: ProcessWorkerOptions): Promise<ProcessWorker> {
  await ensureSearchAttributes(opts.connection, opts.namespace);
  const taskQueues = [opts.taskQueue, ...new Set((opts.legacyTaskQueues ?? []).filter((queue) => queue !== opts.taskQueue))];
  // Bundled once for every queue's Worker: the same code replays the same histories on any of them.
  const workflowBundle =
    opts.workflowBundle ??
    (taskQueues.length > 1
      ? { code: (await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows'), logger: Runtime.instance().logger })).code }
      : undefined);
  // One set of activities (and so one PDF render pool) serves every queue.
  const activities = createActivities({ db: opts.db, company: opts.company, workload: opts.workload });
  const workers: Worker[] = [];
  for (const taskQueue of taskQueues) {
    workers.push(
      await Worker.create({
        connection: opts.connection,
        namespace: opts.namespace,
        taskQueue,
        ...(workflowBundle ? { workflowBundle } : { workflowsPath: require.resolve('../workflows') }),
        activities,
      }),
    );
  }
  return processWorker(workers);
}

function processWorker(workers: Worker[]): ProcessWorker {
  const shutdown = () => {
    for (const worker of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
  };
  return {
    workers,
    taskQueues: workers.map((worker) => worker.options.taskQueue),
    shutdown,
    async run() {
      const results = await Promise.allSettled(workers.map((worker) => worker.run().finally(shutdown)));
      const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
      if (failed) throw failed.reason;
    },
  };
}

export interface RunningWorker {
  worker: ProcessWorker;
  /** Settles when the worker has stopped, after a signal or stop(). */
  running: Promise<void>;
  stop(): Promise<void>;
}

/** How often the worker looks for contracts Temporal ended without them (terminated, timed out). */
const ENDED_CONTRACTS_SWEEP_MS = 60_000;

/** Connects to Temporal as configured and runs the process worker (every queue) until stopped. */
export async function startProcessWorker(
  config: Config,
  db: ActivityDeps['db'],
  opts: Pick<ProcessWorkerOptions, 'workflowBundle'> = {},
): Promise<RunningWorker> {
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const worker = await createProcessWorker({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    legacyTaskQueues: config.temporal.legacyTaskQueues,
    db,
    company: config.company,
    workload: config.workload,
    workflowBundle: opts.workflowBundle,
  }).catch(async (err: unknown) => {
    await connection.close().catch(() => undefined);
    throw err;
  });
  const clientConnection = await Connection.connect({ address: config.temporal.address });
  const sweep = sweepEndedContracts(
    new Client({ connection: clientConnection, namespace: config.temporal.namespace }),
    db,
    ENDED_CONTRACTS_SWEEP_MS,
    (msg) => console.log(`worker: ${msg}`),
  );
  const running = worker.run().finally(async () => {
    await sweep.stop();
    await Promise.all([connection.close(), clientConnection.close()]);
  });
  return {
    worker,
    running,
    async stop() {
      // The SDK's runtime also reacts to SIGINT/SIGTERM and may already be draining the workers.
      worker.shutdown();
      await running;
    },
  };
}

const SDK_LEVELS = { debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR' } as const;

/** The SDK's runtime logs at LOG_LEVEL; it must be set before the first connection. */
export function installWorkerLogging(level: Config['logLevel']): void {
  Runtime.install({ logger: new DefaultLogger(SDK_LEVELS[level]) });
}
