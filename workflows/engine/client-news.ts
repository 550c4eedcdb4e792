// What a process learns about its client that other processes follow: who manages the client (a
// contract handed over, an onboarding's manager) and its segment. A process tells the news; the
// engine delivers it to every process that follows clients (workflows/client-followers.ts), at
// the workflow id each follows the client under. Nobody imports the follower: a follower that is
// not running is not told and not started (the signal's failure is the answer), unless the teller
// asks for it to be opened — the onboarding that made the client one — with what it knows.
import { ParentClosePolicy, defineSignal, getExternalWorkflowHandle, startChild } from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { Segment } from '../../domain/client';
import { CLIENT_FOLLOWERS } from '../client-followers';

export interface ClientNews {
  managerId?: string;
  segment?: Segment;
  /** When given, the news holds only if this is the follower's manager (a contract handed over by them). */
  previousManagerId?: string;
}

/** A process that follows each client for as long as it is a client. */
export interface ClientFollower {
  /** The workflow type it runs as, to open it. */
  workflowType: string;
  /** The one workflow that follows this client. */
  workflowIdFor(clientId: string): string;
  /** Its input when opened by a process that made the client one; `settings` are the opener's copy of its settings. */
  openedWith(opening: ClientOpening): unknown;
}

export interface ClientOpening {
  clientId: string;
  clientCode?: string;
  news: ClientNews;
  /** Who opened it (the process type), and its copy of the follower's settings, if it carries one. */
  openedBy: string;
  settings?: unknown;
}

// The wire name is for ever: relationships already running listen under it.
export const clientNewsSignal = defineSignal<[ClientNews]>('accountOwner');

/** Tells every follower of the client; one that is not running is not told. */
export async function tellClientNews(clientId: string, news: ClientNews): Promise<void> {
  for (const follower of CLIENT_FOLLOWERS) {
    await getExternalWorkflowHandle(follower.workflowIdFor(clientId))
      .signal(clientNewsSignal, news)
      .catch(() => undefined);
  }
}

/**
 * Opens every follower of a client that has just become one, outliving the opener; one already
 * running (a complaint opened it first) is told the news instead. One per client either way; one
 * that ended (a lost client) is not brought back to life.
 */
export async function openClientFollowers(opening: ClientOpening): Promise<void> {
  for (const follower of CLIENT_FOLLOWERS) {
    try {
      await startChild(follower.workflowType, {
        workflowId: follower.workflowIdFor(opening.clientId),
        parentClosePolicy: ParentClosePolicy.ABANDON,
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        args: [follower.openedWith(opening)],
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      await getExternalWorkflowHandle(follower.workflowIdFor(opening.clientId))
        .signal(clientNewsSignal, opening.news)
        .catch(() => undefined);
    }
  }
}
