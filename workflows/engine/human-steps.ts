// Human steps of any process: each is an update whose validator rejects a step that is not the
// current one at once; an accepted step takes its turn on the process's step lock and is checked
// again there (the step before it may have moved the process). If its writing fails for good,
// the process's state is put back as it was and the caller gets `StepFailed`.
import { ActivityFailure, isCancellation, log, setHandler } from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import { reject } from './rejections';
import type { StepLock } from './step-lock';

export interface StepOwner<S, R> {
  lock: StepLock;
  /** A copy of the state, taken before a step. */
  save(): S;
  /** Puts a saved state back, and lets waiting timers re-plan. */
  restore(saved: S): void;
  /** What every step answers. */
  result(): R;
}

export type HumanStep<R> = <Arg>(update: UpdateDefinition<R, [Arg]>, check: (arg: Arg) => void, work: (arg: Arg) => Promise<void>) => void;

export function humanSteps<S, R>(owner: StepOwner<S, R>): HumanStep<R> {
  return (update, check, work) => {
    setHandler(
      update,
      async (arg) => {
        await owner.lock.run(async () => {
          check(arg);
          const before = owner.save();
          try {
            await work(arg);
          } catch (err) {
            if (!(err instanceof ActivityFailure)) throw err;
            owner.restore(before);
            if (isCancellation(err)) throw err;
            const reason = String(err.cause?.message ?? err.message);
            log.warn('a step failed for good and was undone', { step: update.name, error: reason });
            reject('StepFailed', `the ${update.name} step could not be recorded: ${reason}`);
          }
        });
        return owner.result();
      },
      { validator: check },
    );
  };
}
