// Human steps of the contract procedure: who may take each, in which status, and the tasks that wait for them.
// Workflow-safe (no I/O, no zod).
import type { ContractStatus } from './rules';
import type { Role } from '../../domain/people';

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

/** Kinds of the contract's open tasks; a task is addressed to a role, and to one person where the step is theirs. */
export const CONTRACT_TASK_KINDS = [
  'legal_approval',
  'revise_terms',
  'signature',
  'dispatch',
  'follow_up',
  'escalation',
  'client_record',
  'renewal',
] as const;
export type ContractTaskKind = (typeof CONTRACT_TASK_KINDS)[number];

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
