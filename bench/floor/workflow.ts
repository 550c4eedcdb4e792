// The Temporal floor for bench:floor: the contract's message pattern with nothing of the product in
// it. Started, one no-op activity (the registration), then four updates (signature, dispatch,
// original, client record), each running one no-op activity. Bundled on its own by the bench
// (bundleWorkflowCode), on a task queue of its own, never part of workflows/.
import { allHandlersFinished, condition, defineUpdate, proxyActivities, setHandler } from '@temporalio/workflow';
import type { FloorActivities } from './activities';

/** Answers once the registration's activity is done, as the contract's registration update does. */
export const floorRegisteredUpdate = defineUpdate<number>('registered');
export const floorStepUpdate = defineUpdate<number, [string]>('step');
export const FLOOR_STEPS = 4;

const { noop } = proxyActivities<FloorActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

export async function floorWorkflow(): Promise<number> {
  let registered = false;
  let steps = 0;
  setHandler(floorRegisteredUpdate, async () => {
    await condition(() => registered);
    return steps;
  });
  setHandler(floorStepUpdate, async (step) => {
    await condition(() => registered);
    await noop(step);
    return ++steps;
  });
  await noop('registration');
  registered = true;
  await condition(() => steps >= FLOOR_STEPS && allHandlersFinished());
  return steps;
}
