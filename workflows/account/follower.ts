// The account relationship follows every client: the engine opens it when an onboarding makes a
// company a client and delivers it client news (who manages the client, its segment).
import type { ClientFollower } from '../engine/client-follower';
import { accountWorkflowId } from './messages';
import { DEFAULT_ACCOUNT_SLA, type AccountSla, type AccountWorkflowInput } from './rules';

export const accountFollower: ClientFollower = {
  workflowType: 'accountWorkflow',
  workflowIdFor: accountWorkflowId,
  openedWith: ({ clientId, clientCode, news, openedBy, settings }): AccountWorkflowInput => ({
    clientId,
    clientCode,
    managerId: news.managerId,
    segment: news.segment,
    openedBy: { kind: openedBy as 'onboarding' },
    sla: (settings as AccountSla | undefined) ?? DEFAULT_ACCOUNT_SLA,
  }),
};
