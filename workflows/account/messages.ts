// The account workflow's messages: stable wire names shared by the workflow and the API. Ids are
// made by the API (so a retried request names the same complaint); texts are short, checked there.
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { Actor, Role } from '../../domain/people';
import type { AccountStage, ComplaintCategory, Health, LossReason, ReportedStage, RootCause, Severity } from './rules';
import type { Segment } from '../../domain/client';

export interface AccountResult {
  workflowId: string;
  clientId: string;
  stage: AccountStage;
  health: Health;
}

export interface AccountSnapshot extends AccountResult {
  managerId?: string;
  segment?: Segment;
  openComplaints: string[];
  openCommitments: string[];
  watchUntil?: string;
  run: number;
}

interface WithActor {
  actor: Actor;
}

export interface ComplaintInput extends WithActor {
  complaintId: string;
  summary: string;
  category: ComplaintCategory;
  severity: Severity;
  reportedBy: string;
}
export interface ResolveComplaintInput extends WithActor {
  complaintId: string;
  resolution: string;
  rootCause: RootCause;
}
export interface CommitmentInput extends WithActor {
  commitmentId: string;
  what: string;
  /** When it is due, an instant (a date given by the API means the end of that day). */
  dueAt: string;
  ownerId: string;
  ownerName: string;
  /** The role the owner's task is addressed under (theirs: manager when they hold it). */
  ownerRole?: Role;
}
export interface FulfilCommitmentInput extends WithActor {
  commitmentId: string;
  note: string;
}
export interface ReviewInput extends WithActor {
  reviewId: string;
  satisfaction: number;
  businessChanges: string;
  note: string;
}
export interface EscalationInput extends WithActor {
  stage: ReportedStage;
  evidence: string;
}
/** A stage owner's required action is done (the evaluation, the plan, the response). */
export interface StageActionInput extends WithActor {
  note: string;
}
export interface ResolveEscalationInput extends WithActor {
  outcome: 'recovered';
  actions: string;
}
export interface LossInput extends WithActor {
  reason: LossReason;
  competitor?: string;
  note: string;
}
export interface AccountManagerInput extends WithActor {
  managerId: string;
  managerName: string;
}
/** A completed onboarding tells the relationship who manages the client and its segment. */

export const complaintUpdate = defineUpdate<AccountResult, [ComplaintInput]>('complaint');
export const resolveComplaintUpdate = defineUpdate<AccountResult, [ResolveComplaintInput]>('resolveComplaint');
export const commitmentUpdate = defineUpdate<AccountResult, [CommitmentInput]>('commitment');
export const fulfilCommitmentUpdate = defineUpdate<AccountResult, [FulfilCommitmentInput]>('fulfilCommitment');
export const reviewUpdate = defineUpdate<AccountResult, [ReviewInput]>('review');
export const escalationUpdate = defineUpdate<AccountResult, [EscalationInput]>('escalation');
export const stageActionUpdate = defineUpdate<AccountResult, [StageActionInput]>('stageAction');
export const resolveEscalationUpdate = defineUpdate<AccountResult, [ResolveEscalationInput]>('resolveEscalation');
export const lossUpdate = defineUpdate<AccountResult, [LossInput]>('loss');
export const accountManagerUpdate = defineUpdate<AccountResult, [AccountManagerInput]>('manager');
export const accountStateQuery = defineQuery<AccountSnapshot>('state');

export const accountWorkflowId = (clientId: string): string => `account-${clientId}`;
