// What an onboarding's step carries for its projection: types only, so its workflow can import them.
/** Onboarding fields a step may set (its projection in `onboardings`). */
export interface OnboardingPatch {
  segment?: string;
  supplierPosition?: string;
  expectedAnnualRevenue?: number;
  decision?: 'pursue' | 'decline';
  decisionReason?: string;
  managerId?: string;
  /** Why the manager was chosen: every candidate's load. */
  assignment?: unknown;
  contractWorkflowId?: string;
  contractNumber?: string;
  closedAt?: string;
  closeReason?: string;
  /** onboarding_answer_sets.id whose answers replace the onboarding's. */
  answerSetId?: string;
  checklistDone?: { item: string; at: string; by: string; note: string };
  /** The client's new place on the loyalty ladder. */
  loyaltyStage?: string;
}

export interface OnboardingStep {
  /** The onboarding's projection (`onboardings`). */
  onboarding?: OnboardingPatch;
}
