// What a process learns about its client that other processes follow: who manages the client (a
// contract handed over, an onboarding's manager) and its segment. A process tells the news; the
// engine delivers it to every process that follows clients (workflows/client-followers.ts), at
// the workflow id each follows the client under. Nobody imports the follower: a follower that is
// not running is not told and not started (the signal's failure is the answer), unless the teller
// asks for it to be opened — the onboarding that made the client one — with what it knows.
import { ParentClosePolicy, getExternalWorkflowHandle, startChild } from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { CLIENT_FOLLOWERS } from '../client-followers';
import { clientNewsSignal, type ClientFollower, type ClientNews, type ClientOpening } from './client-follower';

export { clientNewsSignal, type ClientNews, type ClientFollower, type ClientOpening } from './client-follower';

/** Tells one follower of the client; one that is not running is not told (the signal's failure is the answer). */
function tell(follower: ClientFollower, clientId: string, news: ClientNews): Promise<void> {
  return getExternalWorkflowHandle(follower.workflowIdFor(clientId))
    .signal(clientNewsSignal, news)
    .catch(() => undefined);
}

/** Tells every follower of the client; one that is not running is not told. */
export async function tellClientNews(clientId: string, news: ClientNews): Promise<void> {
  for (const follower of CLIENT_FOLLOWERS) await tell(follower, clientId, news);
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
      await tell(follower, opening.clientId, opening.news);
    }
  }
}
