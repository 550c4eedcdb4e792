// Everything an onboarding's workflow decides by: its stage, owners, its current contract and
// checklist, and its clocks; copied before a step and handed whole to the next run.
import type { Segment } from '../../domain/client';
import type { ParentCancelOutcome } from '../engine/parent-child';
import type { ContractProgress } from './messages';
import type { OnboardingStage, OnboardingWorkflowInput } from './rules';

export interface OnboardingState {
  stage: OnboardingStage;
  managerId?: string;
  answersComplete: boolean;
  /** The current child contract, its attempt number, and what it last reported. */
  contractAttempt: number;
  contract?: ContractProgress;
  checklistDone: string[];
  implementationSince?: number;
  checklistReminded: string[];
  checklistEscalated: string[];
  segment?: Segment;
  expectedAnnualRevenue?: number;
  /** The automatic choice of a manager was made (or failed); kam_head assigns from then on. */
  autoAssignTried: boolean;
  /** The contract number last written to the onboarding, and the contract status last acted on. */
  contractNumberSeen?: string;
  contractStatusSeen?: string;
  waitSince: number;
  waitReminded: boolean;
  waitEscalated: boolean;
  seq: number;
  lastStepAt: number;
  run: number;
  /** The child contract asked, when the onboarding was cancelled, to go unless it is in force; and its answer. */
  contractCancel?: { workflowId: string; outcome?: ParentCancelOutcome; number?: string; status?: string };
}

export interface ContinuedOnboardingInput extends OnboardingWorkflowInput {
  continued: OnboardingState;
}
