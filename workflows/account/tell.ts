// Other processes tell the client's relationship who manages it, from inside their workflows. A
// relationship that does not run (none yet, or ended) is not told and not started: the signal's
// failure is the answer.
import { getExternalWorkflowHandle } from '@temporalio/workflow';
import { accountOwnerSignal, accountWorkflowId, type AccountOwnerNews } from './messages';

export async function tellAccount(clientId: string, news: AccountOwnerNews): Promise<void> {
  await getExternalWorkflowHandle(accountWorkflowId(clientId))
    .signal(accountOwnerSignal, news)
    .catch(() => undefined);
}
