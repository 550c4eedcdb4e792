// The contract workflow's messages: stable wire names shared by the workflow and the API.
// Arguments and answers carry ids and small facts; drafts and documents live in Postgres.
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { ContractDraft, ContractStatus, DispatchChannel, LegalDecision } from './rules';
import type { Actor } from '../../domain/people';

/** What a step answers: enough to find the rest in the registry. */
export interface StepResult {
  workflowId: string;
  number?: string;
  status: ContractStatus;
}

/** The workflow's own view, for the `state` query and diagnostics. */
export interface ContractSnapshot extends StepResult {
  clientId: string;
  managerId: string;
  endDate: string;
  documentId?: string;
  followUpOpen: boolean;
  expectedSigningDate?: string;
  /** How many runs the contract has had (continue-as-new). */
  run: number;
}

interface WithActor {
  actor: Actor;
}

export interface LegalDecisionInput extends WithActor {
  decision: LegalDecision;
  comment: string;
}
export interface RevisedTermsInput extends WithActor {
  /** contract_drafts.id of the revised terms. */
  draftId?: string;
  endDate?: string;
  needsLegalApproval?: boolean;
  deviations?: number;
  /** Histories recorded before drafts moved to Postgres carry the whole draft. */
  draft?: ContractDraft;
}
export interface DispatchInput extends WithActor {
  channel: DispatchChannel;
  trackingRef?: string;
}
export interface FollowUpInput extends WithActor {
  reached: boolean;
  expectedSigningDate?: string;
  note: string;
}
export interface NoteInput extends WithActor {
  note?: string;
}
export interface ClientRecordInput extends WithActor {
  location?: string;
  note?: string;
}
export interface RenewalInput extends WithActor {
  endDate: string;
}
export interface CancelInput extends WithActor {
  reason: string;
}
export interface ReassignInput extends WithActor {
  managerId: string;
  managerName: string;
}

/** Waits until the contract has its number; the API answers POST /api/contracts with it. */
export const registrationUpdate = defineUpdate<StepResult>('registration');
export const legalDecisionUpdate = defineUpdate<StepResult, [LegalDecisionInput]>('legalDecision');
export const reviseTermsUpdate = defineUpdate<StepResult, [RevisedTermsInput]>('reviseTerms');
export const signUpdate = defineUpdate<StepResult, [WithActor]>('sign');
export const dispatchUpdate = defineUpdate<StepResult, [DispatchInput]>('dispatch');
export const followUpUpdate = defineUpdate<StepResult, [FollowUpInput]>('followUp');
export const signedScanUpdate = defineUpdate<StepResult, [NoteInput]>('signedScan');
export const originalUpdate = defineUpdate<StepResult, [NoteInput]>('original');
export const clientRecordUpdate = defineUpdate<StepResult, [ClientRecordInput]>('clientRecord');
export const renewalUpdate = defineUpdate<StepResult, [RenewalInput]>('renewal');
export const cancelUpdate = defineUpdate<StepResult, [CancelInput]>('cancel');
export const reassignUpdate = defineUpdate<StepResult, [ReassignInput]>('reassign');

export const stateQuery = defineQuery<ContractSnapshot>('state');

export { STEP_REJECTIONS, type StepRejection } from '../engine/rejections';
