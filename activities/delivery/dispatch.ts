// Starting delivery workflows from the worker: after a step (its news), from the delivery round (a
// digest due, a start that was lost). The workflow id names the work, so starting what already
// runs is a no-op, and one that ended may be started again: Postgres says what is left to send.
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import { deliveryTaskQueue, digestStart, stepNewsStart, type DeliveryStart, type DeliveryWindows } from '../../workflows/delivery/starts';
import type { DeliveryDispatcher } from './types';

/** How long a start may take before the caller goes on; the delivery round starts it later if it did not happen. */
const START_DEADLINE_MS = 5_000;

export async function startDelivery(temporal: Client, processQueue: string, start: DeliveryStart): Promise<'started' | 'already'> {
  try {
    await temporal.connection.withDeadline(Date.now() + START_DEADLINE_MS, () =>
      temporal.workflow.start(start.workflowType, {
        taskQueue: deliveryTaskQueue(processQueue),
        workflowId: start.workflowId,
        args: start.args,
        workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      }),
    );
    return 'started';
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return 'already';
    throw err;
  }
}

export function createDeliveryDispatcher(temporal: Client, processQueue: string, windows: DeliveryWindows): DeliveryDispatcher {
  return {
    stepNews: async (stepKey, planned) => void (await startDelivery(temporal, processQueue, stepNewsStart(stepKey, windows, planned))),
    digest: async (digestId) => void (await startDelivery(temporal, processQueue, digestStart(digestId, windows))),
  };
}
