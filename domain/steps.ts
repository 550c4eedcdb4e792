// Human steps of the contract procedure: who may take each, and the task that waits for it.
// Workflow-safe (no I/O, no zod).
import type { ContractStatus } from '../workflows/contract/rules';
import type { Role } from './people';

export const STEP_ROLES = {
  create: ['manager', 'ops'],
  legalDecision: ['lawyer'],
  reviseTerms: ['manager', 'kam_head'],
  sign: ['director'],
  dispatch: ['manager', 'kam_head'],
  followUp: ['manager', 'kam_head'],
  signedScan: ['manager', 'kam_head'],
  original: ['manager', 'kam_head'],
  clientRecord: ['lawyer'],
  renewal: ['manager', 'kam_head'],
  cancel: ['manager', 'kam_head'],
  reassign: ['kam_head'],
} as const satisfies Record<string, readonly Role[]>;
export type StepName = keyof typeof STEP_ROLES;

/**
 * Steps that belong to the contract's manager: taken by that manager (the one it is assigned or
 * reassigned to) or by a head of key accounts, never by another manager.
 */
export const MANAGER_STEPS: readonly StepName[] = ['reviseTerms', 'dispatch', 'followUp', 'signedScan', 'original', 'renewal', 'cancel'];

/** Kinds of open tasks; a task is addressed to a role, and to one person where the step is theirs. */
export const TASK_KINDS = [
  'legal_approval',
  'revise_terms',
  'signature',
  'dispatch',
  'follow_up',
  'escalation',
  'client_record',
  'renewal',
  // Onboarding
  'intake',
  'qualification',
  'assign_manager',
  'prepare_contract',
  'restart_contracting',
  'checklist',
  'send_refusal',
  // The account relationship
  'complaint',
  'commitment',
  'account_review',
  'evaluate_service',
  'improvement_plan',
  'root_cause_plan',
  'arbitration_response',
] as const;
export type TaskKind = (typeof TASK_KINDS)[number];

export const NOTIFICATION_KINDS = ['task', 'reminder', 'escalation', 'status'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** Statuses in which each step may be taken; anything else is a step out of order. */
export const STEP_ALLOWED_IN: Record<Exclude<StepName, 'create' | 'cancel' | 'followUp' | 'reassign'>, readonly ContractStatus[]> = {
  legalDecision: ['pending_legal_approval'],
  reviseTerms: ['changes_requested'],
  sign: ['pending_signature'],
  dispatch: ['ready_to_send'],
  signedScan: ['sent'],
  original: ['sent', 'scan_received'],
  clientRecord: ['original_received'],
  renewal: ['active'],
};
