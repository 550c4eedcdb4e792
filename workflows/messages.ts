// The contract workflow's messages: stable wire names shared by the workflow and the API.
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type {
  Actor,
  ContractDraft,
  ContractStatus,
  ContractTerms,
  Deviation,
  DispatchChannel,
  LegalDecision,
} from '../domain/contract';

export interface ContractSnapshot {
  workflowId: string;
  number?: string;
  status: ContractStatus;
  clientId: string;
  managerId: string;
  terms: ContractTerms;
  deviations: Deviation[];
  approvedDeviations: Deviation[];
  additionalAgreement?: string;
  specialAppendix?: string;
  documentId?: string;
  followUpOpen: boolean;
  expectedSigningDate?: string;
}

interface WithActor {
  actor: Actor;
}

export interface LegalDecisionInput extends WithActor {
  decision: LegalDecision;
  comment: string;
}
export interface RevisedTermsInput extends WithActor {
  draft: ContractDraft;
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

/** Waits until the contract has its number; the API answers POST /api/contracts with it. */
export const registrationUpdate = defineUpdate<ContractSnapshot>('registration');
export const legalDecisionUpdate = defineUpdate<ContractSnapshot, [LegalDecisionInput]>('legalDecision');
export const reviseTermsUpdate = defineUpdate<ContractSnapshot, [RevisedTermsInput]>('reviseTerms');
export const signUpdate = defineUpdate<ContractSnapshot, [WithActor]>('sign');
export const dispatchUpdate = defineUpdate<ContractSnapshot, [DispatchInput]>('dispatch');
export const followUpUpdate = defineUpdate<ContractSnapshot, [FollowUpInput]>('followUp');
export const signedScanUpdate = defineUpdate<ContractSnapshot, [NoteInput]>('signedScan');
export const originalUpdate = defineUpdate<ContractSnapshot, [NoteInput]>('original');
export const clientRecordUpdate = defineUpdate<ContractSnapshot, [ClientRecordInput]>('clientRecord');
export const renewalUpdate = defineUpdate<ContractSnapshot, [RenewalInput]>('renewal');
export const cancelUpdate = defineUpdate<ContractSnapshot, [CancelInput]>('cancel');

export const stateQuery = defineQuery<ContractSnapshot>('state');

/** Failure types a validator rejects a step with; the API maps each to an HTTP status. */
export const STEP_REJECTIONS = {
  StepOutOfOrder: 409,
  FourEyes: 403,
  InvalidStep: 422,
} as const;
export type StepRejection = keyof typeof STEP_REJECTIONS;
