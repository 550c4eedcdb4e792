// The delivery round runs on a Temporal schedule (one per task queue): every DELIVERY_ROUND_EVERY
// it makes the digests now due and starts deliveries whose start was lost. Made when the worker
// starts, or brought to the configured interval when it exists; every worker may do it at once.
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { deliveryRoundScheduleId, deliveryTaskQueue } from '../workflows/delivery/starts';

export async function ensureDeliverySchedule(temporal: Client, processQueue: string, everyMs: number): Promise<string> {
  const scheduleId = deliveryRoundScheduleId(processQueue);
  const options = {
    spec: { intervals: [{ every: everyMs }] },
    action: {
      type: 'startWorkflow' as const,
      workflowType: 'deliveryRound',
      taskQueue: deliveryTaskQueue(processQueue),
      workflowId: `${scheduleId}:round`,
      args: [],
      workflowRunTimeout: Math.max(everyMs, 60_000),
    },
    // A round still running when the next is due makes that one unnecessary; one missed while
    // Temporal was away is not made up (the next finds everything it would have).
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: 60_000 },
  };
  try {
    await temporal.schedule.create({ scheduleId, ...options });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await temporal.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, ...options }));
  }
  return scheduleId;
}
