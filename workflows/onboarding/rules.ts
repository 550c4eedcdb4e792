// Client onboarding's vocabulary (DOMAIN.md, "The client's path"). Imported by workflow code, so
// free of I/O, Node built-ins and zod.
import type { ProcessEvent } from '../engine/process-events';

export const ONBOARDING_STAGES = [
  'intake',
  'qualification',
  'assignment',
  'contracting',
  'implementation',
  'completed',
  'declined',
  'cancelled',
] as const;
export type OnboardingStage = (typeof ONBOARDING_STAGES)[number];
export const FINAL_ONBOARDING_STAGES: readonly OnboardingStage[] = ['completed', 'declined', 'cancelled'];

/** What an onboarding tells other systems (webhooks): a client onboarded, or declined. */
export const ONBOARDING_EVENTS: readonly ProcessEvent[] = [
  {
    type: 'onboarding.completed',
    summary: 'The client is onboarded: its contract is in force and its implementation checklist done',
    reaching: ['completed'],
  },
  { type: 'onboarding.declined', summary: 'The client was declined at qualification', reaching: ['declined'] },
];

export const SUPPLIER_POSITIONS = ['managed', 'partner', 'desired', 'independent'] as const;
export type SupplierPosition = (typeof SUPPLIER_POSITIONS)[number];
export const QUALIFICATION_DECISIONS = ['pursue', 'decline'] as const;

/** The loyalty ladder (лестница приверженности), as kept on the client. */
export const LOYALTY_STAGES = ['unaware', 'aware', 'first_purchase', 'repeat_purchase', 'regular', 'adherent', 'lost'] as const;
export type LoyaltyStage = (typeof LOYALTY_STAGES)[number];

/** The implementation checklist (стадия внедрения): each item a task for its role, with a due date. */
export const CHECKLIST = [
  { item: 'service_variant', role: 'manager', title: 'Collect the information on the service variant the client needs' },
  { item: 'contacts', role: 'manager', title: "Establish contact with the client's leader and specifier" },
  { item: 'training', role: 'ops', title: 'Determine the training need and hold the training' },
  { item: 'support_contacts', role: 'ops', title: 'Give the client its support contacts' },
] as const;
export type ChecklistItem = (typeof CHECKLIST)[number]['item'];
export const CHECKLIST_ITEMS = CHECKLIST.map((c) => c.item) as ChecklistItem[];

export interface OnboardingSla {
  /** Every wait of the onboarding (intake, qualification, assignment, contracting): reminder, then kam_head. */
  stepReminderAfterMs: number;
  stepEscalationAfterMs: number;
  /** A checklist item is due this long after implementation starts; overdue, its owner is reminded, then kam_head. */
  checklistDueMs: number;
  checklistEscalationMs: number;
  /** The contract status at which onboarding moves on to implementation. */
  /** The child contract's status at which contracting is done (the contract's word for it). */
  contractDoneAt: 'active' | 'scan_received';
  historyLimit?: number;
}

export interface OnboardingWorkflowInput {
  onboardingId: string;
  clientId: string;
  /** The client's code, for the ClientCode search attribute. */
  clientCode?: string;
  createdBy: { staffId: string; name: string; roles: string[] };
  /** Whether the answers given with the request already answer every required question. */
  answersComplete: boolean;
  sla: OnboardingSla;
  /** The rules the child contract runs by, carried for it unread. */
  contractSla: unknown;
  /**
   * The settings of whoever follows the client (the relationship it opens when completed), carried
   * for it unread; its own defaults when absent (onboardings started before).
   */
  accountSla?: unknown;
}

/** Kinds of the onboarding's open tasks (an escalation of any wait too). */
export const ONBOARDING_TASK_KINDS = [
  'intake',
  'qualification',
  'assign_manager',
  'prepare_contract',
  'restart_contracting',
  'checklist',
  'send_refusal',
  'escalation',
] as const;
export type OnboardingTaskKind = (typeof ONBOARDING_TASK_KINDS)[number];

/** The onboarding's clocks by default (the ONBOARDING_* settings' defaults), for callers that build a configuration by hand. */
export const DEFAULT_ONBOARDING_SLA: OnboardingSla = Object.freeze({
  stepReminderAfterMs: 2 * 86_400_000,
  stepEscalationAfterMs: 5 * 86_400_000,
  checklistDueMs: 7 * 86_400_000,
  checklistEscalationMs: 10 * 86_400_000,
  contractDoneAt: 'active',
  historyLimit: 10_000,
});
