// A worker for the contract task queue: the workflow bundle plus activities bound to a pool.
import { DefaultLogger, NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Config } from '../config/env';
import { Client, Connection } from '@temporalio/client';
import { createActivities, type ActivityDeps } from '../activities';
import { sweepEndedContracts } from './ended-contracts';
import { ensureSearchAttributes } from './search-attributes';

export interface ContractWorkerOptions extends ActivityDeps {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  /** Pre-built bundle (tests, production images); without it the workflows are bundled at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
}

export async function createContractWorker(opts: ContractWorkerOptions): Promise<Worker> {
  await ensureSearchAttributes(opts.connection, opts.namespace);
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath: require.resolve('../workflows') }),
    activities: createActivities({ db: opts.db, company: opts.company, workload: opts.workload }),
  });
}

export interface RunningWorker {
  worker: Worker;
  /** Settles when the worker has stopped, after a signal or stop(). */
  running: Promise<void>;
  stop(): Promise<void>;
}

/** How often the worker looks for contracts Temporal ended without them (terminated, timed out). */
const ENDED_CONTRACTS_SWEEP_MS = 60_000;

/** Connects to Temporal as configured and runs the contract worker until stopped. */
export async function startContractWorker(config: Config, db: ActivityDeps['db']): Promise<RunningWorker> {
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const worker = await createContractWorker({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    db,
    company: config.company,
    workload: config.workload,
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
      // The SDK's runtime also reacts to SIGINT/SIGTERM and may already be draining the worker.
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    },
  };
}

const SDK_LEVELS = { debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR' } as const;

/** The SDK's runtime logs at LOG_LEVEL; it must be set before the first connection. */
export function installWorkerLogging(level: Config['logLevel']): void {
  Runtime.install({ logger: new DefaultLogger(SDK_LEVELS[level]) });
}
