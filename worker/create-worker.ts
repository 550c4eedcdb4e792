// The worker for every process (contract, onboarding, account): the workflow bundle plus the
// activities bound to a pool, polling the task queue and every legacy task queue still in use.
import { bundleWorkflowCode, NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import { deliveryConfig, type Config, type DeliveryConfig, type WorkerTuning } from '../config/env';
import { Client, Connection } from '@temporalio/client';
import { createActivities, type ActivityDeps } from '../activities';
import { createDeliveryDispatcher } from '../activities/delivery/dispatch';
import { createMailer } from '../activities/delivery/mailer';
import { deliveryTaskQueue, type DeliveryWindows } from '../workflows/delivery/starts';
import { createMailComposer } from '../pages/mail';
import { sweepEndedContracts } from './ended-contracts';
import { ensureDeliverySchedule } from './delivery-schedule';
import { ensureSearchAttributes } from './search-attributes';
import { createLogger } from '../config/logger';
import { installWorkerRuntime, observedWorkerOptions, workflowInterceptorModules } from './telemetry';
import { requestIdClientInterceptor } from '../api/observability/temporal-client';
import { requestIdOfCurrentActivity } from './request-id';

export interface ProcessWorkerOptions extends Omit<ActivityDeps, 'delivery'> {
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
  /** E-mail and webhooks (Config.delivery); by default webhooks only, with the documented defaults. */
  delivery?: DeliveryConfig;
  /** Slots, pollers and the workflow cache of the process queues (Config.worker); the SDK's defaults without it. */
  tuning?: WorkerTuning;
}

/** The tuning as Worker options: only what is set, so the SDK's defaults hold for the rest. */
export function workerTuningOptions(tuning: WorkerTuning | undefined): Partial<WorkerOptions> {
  if (!tuning) return {};
  const { stickyQueueScheduleToStartTimeoutMs, ...slots } = tuning;
  return {
    ...Object.fromEntries(Object.entries(slots).filter(([, value]) => value !== undefined)),
    stickyQueueScheduleToStartTimeout: stickyQueueScheduleToStartTimeoutMs,
  };
}

export const deliveryWindows = (delivery: DeliveryConfig): DeliveryWindows => ({
  mailRetryForMs: delivery.mailRetryForMs,
  webhookRetryForMs: delivery.webhooks.retryForMs,
  webhookTimeoutMs: delivery.webhooks.timeoutMs,
});

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
      ? {
          code: (
            await bundleWorkflowCode({
              workflowsPath: require.resolve('../workflows'),
              workflowInterceptorModules: workflowInterceptorModules(),
              logger: Runtime.instance().logger,
            })
          ).code,
        }
      : undefined);
  const delivery = opts.delivery ?? deliveryConfig();
  const mailer = delivery.mail ? createMailer(delivery.mail) : undefined;
  // One set of activities (and so one PDF render pool) serves every queue.
  const activities = createActivities({
    db: opts.db,
    company: opts.company,
    workload: opts.workload,
    delivery: {
      config: delivery,
      dispatcher: createDeliveryDispatcher(
        // What a step's activity starts (its delivery) carries the step's request id on.
        new Client({
          connection: opts.connection,
          namespace: opts.namespace,
          interceptors: { workflow: [requestIdClientInterceptor(requestIdOfCurrentActivity)] },
        }),
        opts.taskQueue,
        deliveryWindows(delivery),
      ),
      mail: mailer ? { mailer, composer: createMailComposer(delivery) } : undefined,
    },
  });
  // Every Worker carries the request id (and, with tracing on, the trace) from a step to its activities.
  const code = {
    ...(workflowBundle ? { workflowBundle } : { workflowsPath: require.resolve('../workflows') }),
    ...observedWorkerOptions({ bundled: workflowBundle !== undefined }),
  };
  const workers: Worker[] = [];
  for (const taskQueue of taskQueues) {
    workers.push(
      await Worker.create({
        connection: opts.connection,
        namespace: opts.namespace,
        taskQueue,
        ...code,
        activities,
        ...workerTuningOptions(opts.tuning),
      }),
    );
  }
  // Deliveries run on their own queue with their own slots: a mail server or an endpoint that hangs
  // takes at most these, never the slots the processes' steps need.
  workers.push(
    await Worker.create({
      connection: opts.connection,
      namespace: opts.namespace,
      taskQueue: deliveryTaskQueue(opts.taskQueue),
      ...code,
      activities,
      maxConcurrentActivityTaskExecutions: delivery.concurrency,
    }),
  );
  return processWorker(workers, taskQueues.length, () => mailer?.close());
}

function processWorker(workers: Worker[], processQueues: number, closed: () => void): ProcessWorker {
  const shutdown = () => {
    for (const worker of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
  };
  return {
    workers,
    taskQueues: workers.slice(0, processQueues).map((worker) => worker.options.taskQueue),
    shutdown,
    async run() {
      const results = await Promise.allSettled(workers.map((worker) => worker.run().finally(shutdown)));
      closed();
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
    delivery: config.delivery,
    tuning: config.worker,
  }).catch(async (err: unknown) => {
    await connection.close().catch(() => undefined);
    throw err;
  });
  const clientConnection = await Connection.connect({ address: config.temporal.address });
  const client = new Client({ connection: clientConnection, namespace: config.temporal.namespace });
  // The delivery round (digests, lost starts) runs on a Temporal schedule, kept as configured.
  await ensureDeliverySchedule(client, config.temporal.taskQueue, config.delivery.roundEveryMs).catch((err: Error) =>
    console.warn(`worker: the delivery round's schedule could not be set, digests wait for it: ${err.message}`),
  );
  const dispatcher = createDeliveryDispatcher(client, config.temporal.taskQueue, deliveryWindows(config.delivery));
  const sweep = sweepEndedContracts(client, db, ENDED_CONTRACTS_SWEEP_MS, (msg) => console.log(`worker: ${msg}`), {
    planning: { mailDomain: config.delivery.mail?.domain },
    dispatch: dispatcher.stepNews,
  });
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

/** The SDK's runtime logs JSON lines at LOG_LEVEL; it must be set before the first connection. */
export function installWorkerLogging(level: Config['logLevel']): void {
  installWorkerRuntime({ logger: createLogger({ level, component: 'worker' }) });
}
