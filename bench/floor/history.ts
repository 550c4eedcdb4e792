// What a workflow's history says each step cost Temporal: the activities it scheduled and the
// workflow tasks it took, counted per update (everything before the first step's update belongs
// to the start), read through the client's fetchHistory.
import type { Client } from '@temporalio/client';

export interface StepCost {
  activities: number;
  workflowTasks: number;
  /** The activity types, in order. */
  activityTypes: string[];
}

/** The cost of each step of one workflow, by update name; `start` for what came before any (and `ignore`d) update. */
export async function stepCosts(client: Client, workflowId: string, ignore: readonly string[] = []): Promise<Map<string, StepCost>> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const costs = new Map<string, StepCost>();
  let current = 'start';
  const costOf = (step: string) => {
    let cost = costs.get(step);
    if (!cost) costs.set(step, (cost = { activities: 0, workflowTasks: 0, activityTypes: [] }));
    return cost;
  };
  for (const event of history.events ?? []) {
    const accepted = event.workflowExecutionUpdateAcceptedEventAttributes;
    const name = accepted?.acceptedRequest?.input?.name;
    if (name && !ignore.includes(name)) current = name;
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled) {
      costOf(current).activities++;
      costOf(current).activityTypes.push(scheduled.activityType?.name ?? '?');
    }
    if (event.workflowTaskCompletedEventAttributes) costOf(current).workflowTasks++;
  }
  return costs;
}
