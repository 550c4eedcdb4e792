// The amendment workflow's messages: stable wire names shared by the workflow and the API.
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { Actor } from '../../domain/people';
import type { AmendmentChanges, AmendmentStatus } from './rules';

/** What every step answers: enough to read the rest from Postgres. */
export interface AmendmentResult {
  workflowId: string;
  amendmentId: string;
  number?: string;
  status: AmendmentStatus;
}

export interface AmendmentSnapshot extends AmendmentResult {
  contractNumber: string;
  managerId: string;
  changes: AmendmentChanges;
  documentId?: string;
  run: number;
}

interface WithActor {
  actor: Actor;
}
export interface AmendmentDecisionInput extends WithActor {
  decision: 'approve' | 'request_changes' | 'reject';
  comment: string;
}
export interface AmendmentRevisionInput extends WithActor {
  draftId: string;
  changes: AmendmentChanges;
}
export interface AmendmentDispatchInput extends WithActor {
  channel: 'courier' | 'post' | 'email';
  trackingRef?: string;
}
export interface AmendmentNoteInput extends WithActor {
  note?: string;
}
export interface AmendmentArchiveInput extends WithActor {
  location?: string;
  note?: string;
}
export interface AmendmentCancelInput extends WithActor {
  reason: string;
}

/** Waits until the amendment has its number; the API answers the POST with it. */
export const amendmentRegistrationUpdate = defineUpdate<AmendmentResult>('registration');
export const amendmentDecisionUpdate = defineUpdate<AmendmentResult, [AmendmentDecisionInput]>('legalDecision');
export const amendmentRevisionUpdate = defineUpdate<AmendmentResult, [AmendmentRevisionInput]>('reviseTerms');
export const amendmentSignUpdate = defineUpdate<AmendmentResult, [WithActor]>('sign');
export const amendmentDispatchUpdate = defineUpdate<AmendmentResult, [AmendmentDispatchInput]>('dispatch');
export const amendmentOriginalUpdate = defineUpdate<AmendmentResult, [AmendmentNoteInput]>('original');
export const amendmentArchiveUpdate = defineUpdate<AmendmentResult, [AmendmentArchiveInput]>('archive');
export const amendmentCancelUpdate = defineUpdate<AmendmentResult, [AmendmentCancelInput]>('cancel');

export const amendmentStateQuery = defineQuery<AmendmentSnapshot>('state');
