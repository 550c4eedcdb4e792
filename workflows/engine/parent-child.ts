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
  /** It has ended (in force, rejected, cancelled): the parent stops counting it as open. */
  final?: boolean;
  /**
   * It has come into force and changes its parent so (an agreement changing its contract's terms):
   * the parent applies what it knows of, in its own step lock, while it is in force itself.
   */
  changes?: Record<string, unknown>;
}

/** The parent was cancelled: the child goes too, unless it is in force. */
export interface ParentCancelled {
  /** The parent's workflow id (first sent under the onboarding's name; both are read). */
  parentWorkflowId?: string;
  onboardingWorkflowId?: string;
  /** Who ended the parent; none when it ended by its own clock (a contract's expiry). */
  actor?: Actor;
  reason: string;
}

// Wire names are for ever: onboardings and contracts already running listen under these.
export const childProgressSignal = defineSignal<[ChildProgress]>('contractProgress');
export const parentCancelledSignal = defineSignal<[ParentCancelled]>('parentCancelled');

/** The parent a cancellation came from. */
export const cancellingParent = (signal: ParentCancelled): string | undefined => signal.parentWorkflowId ?? signal.onboardingWorkflowId;

/** Tells the parent where the child stands; false when the parent has ended and no longer listens. */
export async function tellParent(parentWorkflowId: string, progress: ChildProgress): Promise<boolean> {
  try {
    await getExternalWorkflowHandle(parentWorkflowId).signal(childProgressSignal, progress);
    return true;
  } catch (err) {
    log.info('the parent of this process no longer listens', { parentWorkflowId, error: String((err as Error).message) });
    return false;
  }
}

/** A parent's open children after a child's progress: kept in the parent's state, across continue-as-new. */
export function openChildren(children: readonly string[] | undefined, progress: ChildProgress): string[] {
  const others = (children ?? []).filter((id) => id !== progress.workflowId);
  return progress.final ? others : [...others, progress.workflowId];
}

/** A parent that has ended asks each open child to end with it; each decides in its own lock and answers. */
export async function endChildren(parentWorkflowId: string, children: readonly string[], reason: string, actor?: Actor): Promise<void> {
  for (const child of children) {
    try {
      await getExternalWorkflowHandle(child).signal(parentCancelledSignal, { parentWorkflowId, reason, ...(actor ? { actor } : {}) });
    } catch (err) {
      log.info('a child of this process had already ended', { child, error: String((err as Error).message) });
    }
  }
}
