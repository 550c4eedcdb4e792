// The onboarding workflow's messages: stable wire names shared by the workflow and the API.
// Arguments carry ids and small facts; answers and contract drafts are written to Postgres first.
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { TemplateLanguage } from '../../domain/signing';
import type { Actor } from '../../domain/people';
import type { Segment } from '../../domain/client';
import type { ChecklistItem, OnboardingStage, SupplierPosition } from './rules';
import type { ChildProgress } from '../engine/parent-child';

export interface OnboardingResult {
  workflowId: string;
  onboardingId: string;
  stage: OnboardingStage;
}

export interface OnboardingSnapshot extends OnboardingResult {
  clientId: string;
  managerId?: string;
  contractWorkflowId?: string;
  contractNumber?: string;
  /** Its contract's status, in the contract's words. */
  contractStatus?: string;
  checklistDone: ChecklistItem[];
}

interface WithActor {
  actor: Actor;
}

export interface AnswersInput extends WithActor {
  /** onboarding_answer_sets.id of what the request changes; the step merges it over the stored answers. */
  answerSetId: string;
  /**
   * Whether the answers were complete, as the API once worked it out before the step (merged by
   * the API over answers it had read earlier). Only steps recorded before answers were merged by
   * the workflow (no `answers-merged-in-process` marker) go by it.
   */
  complete?: boolean;
}
export interface QualificationInput extends WithActor {
  segment: Segment;
  supplierPosition: SupplierPosition;
  expectedAnnualRevenue: number;
  decision: 'pursue' | 'decline';
  reason: string;
  /** The refusal letter's language; Russian when absent. */
  letterLanguage?: TemplateLanguage;
}
export interface AssignmentInput extends WithActor {
  managerId: string;
  managerName: string;
}
export interface OnboardingContractInput extends WithActor {
  /** contract_drafts.id of the terms, written by the API. */
  draftId: string;
  template: TemplateLanguage;
  endDate: string;
  needsLegalApproval: boolean;
}
export interface ChecklistInput extends WithActor {
  item: ChecklistItem;
  note: string;
}
export interface CancelOnboardingInput extends WithActor {
  reason: string;
}
/** The child contract tells its onboarding where it stands (the engine's child progress, with a contract's status). */
export type ContractProgress = ChildProgress;

export const answersUpdate = defineUpdate<OnboardingResult, [AnswersInput]>('answers');
export const qualificationUpdate = defineUpdate<OnboardingResult, [QualificationInput]>('qualification');
export const assignmentUpdate = defineUpdate<OnboardingResult, [AssignmentInput]>('assignment');
export const onboardingContractUpdate = defineUpdate<OnboardingResult, [OnboardingContractInput]>('contract');
export const checklistUpdate = defineUpdate<OnboardingResult, [ChecklistInput]>('checklist');
export const cancelOnboardingUpdate = defineUpdate<OnboardingResult, [CancelOnboardingInput]>('cancel');
/** Waits until the request (the first step) is recorded; answers the stage it moved the onboarding to. */
export const requestUpdate = defineUpdate<OnboardingResult>('request');
export const onboardingStateQuery = defineQuery<OnboardingSnapshot>('state');
