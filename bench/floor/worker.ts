// The floor's Worker: its workflow bundled separately (bundleWorkflowCode), its own task queue on
// the stack's Temporal server, run in the bench's process beside the product's worker.
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { floorActivities } from './activities';

export interface FloorWorker {
  taskQueue: string;
  stop(): Promise<void>;
}

export async function startFloorWorker(address: string, namespace: string, taskQueue: string): Promise<FloorWorker> {
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('./workflow'), logger: quietBundler });
  const connection = await NativeConnection.connect({ address });
  const worker = await Worker.create({ connection, namespace, taskQueue, workflowBundle, activities: floorActivities });
  const running = worker.run();
  return {
    taskQueue,
    async stop() {
      worker.shutdown();
      await running;
      await connection.close();
    },
  };
}

const quiet = () => undefined;
const quietBundler = { trace: quiet, debug: quiet, info: quiet, warn: quiet, error: quiet, log: quiet };
