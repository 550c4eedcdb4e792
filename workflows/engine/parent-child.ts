// How a child process and the process that started it talk, the same for every pair: the child
// tells its parent each status it reaches (`childProgressSignal`), and a parent that ends asks its
// children to end with it (`parentCancelledSignal`), leaving each child to decide in its own step
// lock whether it may (what is in force stays in force). A child knows its parent only by the
// workflow id it was started with, never by the parent's kind.
import { defineSignal, getExternalWorkflowHandle, log } from '@temporalio/workflow';
import type { Actor } from '../../domain/people';

/** What a child did when asked to end with its parent. */
export type ParentCancelOutcome =
  /** It was not in force: it ended, in its own step lock. */
  | 'cancelled'
  /** It is in force: it stays. */
  | 'left_running'
  /** It had already ended, or never started properly. */
  | 'ended';

/** A child tells its parent where it stands. */
export interface ChildProgress {
  workflowId: string;
  /** The child's own number, where it has one (a contract's). */
  number?: string;
  status: string;
  /** Its answer to `parentCancelledSignal`, decided in its own step lock. */
  parentCancel?: ParentCancelOutcome;
}

/** The parent was cancelled: the child goes too, unless it is in force. */
export interface ParentCancelled {
  /** The parent's workflow id (first sent under the onboarding's name; both are read). */
  parentWorkflowId?: string;
  onboardingWorkflowId?: string;
  actor: Actor;
  reason: string;
}

// Wire names are for ever: onboardings and contracts already running listen under these.
export const childProgressSignal = defineSignal<[ChildProgress]>('contractProgress');
export const parentCancelledSignal = defineSignal<[ParentCancelled]>('parentCancelled');

/** The parent a cancellation came from. */
export const cancellingParent = (signal: ParentCancelled): string | undefined => signal.parentWorkflowId ?? signal.onboardingWorkflowId;

/** Tells the parent where the child stands; a parent that has ended no longer listens. */
export async function tellParent(parentWorkflowId: string, progress: ChildProgress): Promise<void> {
  try {
    await getExternalWorkflowHandle(parentWorkflowId).signal(childProgressSignal, progress);
  } catch (err) {
    log.info('the parent of this process no longer listens', { parentWorkflowId, error: String((err as Error).message) });
  }
}
