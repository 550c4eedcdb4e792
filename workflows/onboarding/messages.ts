// The onboarding workflow's messages: stable wire names shared by the workflow and the API.
// Arguments carry ids and small facts; answers and contract drafts are written to Postgres first.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Actor, ContractStatus, TemplateLanguage } from '../../domain/contract';
import type { ChecklistItem, OnboardingStage, Segment, SupplierPosition } from '../../domain/onboarding';

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
  contractStatus?: ContractStatus;
  checklistDone: ChecklistItem[];
}

interface WithActor {
  actor: Actor;
}

export interface AnswersInput extends WithActor {
  /** onboarding_answer_sets.id of the answers (merged over the earlier ones by the API). */
  answerSetId: string;
  complete: boolean;
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
/** The child contract tells its onboarding where it stands. */
export interface ContractProgress {
  workflowId: string;
  number?: string;
  status: ContractStatus;
}

export const answersUpdate = defineUpdate<OnboardingResult, [AnswersInput]>('answers');
export const qualificationUpdate = defineUpdate<OnboardingResult, [QualificationInput]>('qualification');
export const assignmentUpdate = defineUpdate<OnboardingResult, [AssignmentInput]>('assignment');
export const onboardingContractUpdate = defineUpdate<OnboardingResult, [OnboardingContractInput]>('contract');
export const checklistUpdate = defineUpdate<OnboardingResult, [ChecklistInput]>('checklist');
export const cancelOnboardingUpdate = defineUpdate<OnboardingResult, [CancelOnboardingInput]>('cancel');
export const contractProgressSignal = defineSignal<[ContractProgress]>('contractProgress');
export const onboardingStateQuery = defineQuery<OnboardingSnapshot>('state');
