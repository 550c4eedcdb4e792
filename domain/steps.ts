// Human steps of the contract procedure: who may take each, and the task that waits for it.
// Workflow-safe (no I/O, no zod).
import type { ContractStatus, Role } from './contract';

export const STEP_ROLES = {
  create: ['manager', 'ops'],
  legalDecision: ['lawyer'],
  reviseTerms: ['manager'],
  sign: ['director'],
  dispatch: ['manager'],
  followUp: ['manager'],
  signedScan: ['manager'],
  original: ['manager'],
  clientRecord: ['lawyer'],
  renewal: ['manager'],
  cancel: ['manager', 'kam_head'],
} as const satisfies Record<string, readonly Role[]>;
export type StepName = keyof typeof STEP_ROLES;

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
] as const;
export type TaskKind = (typeof TASK_KINDS)[number];

export const NOTIFICATION_KINDS = ['task', 'reminder', 'escalation', 'status'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** Statuses in which each step may be taken; anything else is a step out of order. */
export const STEP_ALLOWED_IN: Record<Exclude<StepName, 'create' | 'cancel' | 'followUp'>, readonly ContractStatus[]> = {
  legalDecision: ['pending_legal_approval'],
  reviseTerms: ['changes_requested'],
  sign: ['pending_signature'],
  dispatch: ['ready_to_send'],
  signedScan: ['sent'],
  original: ['sent', 'scan_received'],
  clientRecord: ['original_received'],
  renewal: ['active'],
};
