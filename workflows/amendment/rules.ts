// The contract amendment (дополнительное соглашение, ДС): a change of a contract in force — its
// amount, its end date, its payment terms or its subject — agreed in a document that goes through
// the same procedure as the contract itself: the lawyer when it departs from the standard terms,
// the general director's signature, dispatch to the client, the signed original back, the archive.
// Once archived it is in force, and the contract's terms are the amended ones from then on.
// Workflow-safe: no I/O, no zod.
import type { Role } from '../../domain/people';
import type { ProcessEvent } from '../engine/process-events';

export const AMENDMENT_STATUSES = [
  'registering',
  'pending_legal_approval',
  'changes_requested',
  'pending_signature',
  'ready_to_send',
  'sent',
  'original_received',
  'in_force',
  'rejected',
  'cancelled',
] as const;
export type AmendmentStatus = (typeof AMENDMENT_STATUSES)[number];

export const FINAL_AMENDMENT_STATUSES: readonly AmendmentStatus[] = ['in_force', 'rejected', 'cancelled'];
export const isFinalAmendment = (status: string): boolean => (FINAL_AMENDMENT_STATUSES as readonly string[]).includes(status);

/** What an amendment tells other systems (webhooks): its terms are in force. */
export const AMENDMENT_EVENTS: readonly ProcessEvent[] = [
  {
    type: 'amendment.in_force',
    summary: "The additional agreement is signed, back and archived: the contract's terms are the amended ones",
    reaching: ['in_force'],
  },
];

/** What an amendment changes in its contract; at least one of them. */
export interface AmendmentChanges {
  amount?: number;
  /** ISO date, YYYY-MM-DD. */
  endDate?: string;
  paymentTermsDays?: number;
  subject?: string;
}
export const CHANGED_TERMS = ['amount', 'endDate', 'paymentTermsDays', 'subject'] as const;

/** A clause that departs from the standard form: any one of them needs the lawyer. */
export interface AmendmentDeviation {
  clause: string;
  standard: string;
  proposed: string;
}

/** The amendment's text as drafted (kept in Postgres; the workflow carries its id and the changes). */
export interface AmendmentDraft {
  changes: AmendmentChanges;
  deviations: AmendmentDeviation[];
  reason: string;
}

/**
 * How many amendments one contract may have open at once (a draft past it is a 422): what bounds
 * the contract's list of open children in its workflow state.
 */
export const MAX_OPEN_AMENDMENTS = 20;

export const needsLegalApproval = (draft: Pick<AmendmentDraft, 'deviations'>): boolean => draft.deviations.length > 0;

/** Who may take each step; the manager's steps are the contract's manager's (or a kam_head's). */
export const AMENDMENT_STEP_ROLES = {
  create: ['manager', 'kam_head'],
  legalDecision: ['lawyer'],
  reviseTerms: ['manager', 'kam_head'],
  sign: ['director'],
  dispatch: ['manager', 'kam_head'],
  original: ['manager', 'kam_head'],
  archive: ['lawyer'],
  cancel: ['manager', 'kam_head'],
} as const satisfies Record<string, readonly Role[]>;
export type AmendmentStep = keyof typeof AMENDMENT_STEP_ROLES;

/** The status each step is taken in. */
export const AMENDMENT_STEP_IN: Record<Exclude<AmendmentStep, 'create' | 'cancel'>, AmendmentStatus> = {
  legalDecision: 'pending_legal_approval',
  reviseTerms: 'changes_requested',
  sign: 'pending_signature',
  dispatch: 'ready_to_send',
  original: 'sent',
  archive: 'original_received',
};

/** Every wait: its task, who it waits on, and what it is called in reminders. */
export const AMENDMENT_WAITS: Partial<Record<AmendmentStatus, { task: string; owner: 'manager' | 'lawyer' | 'director'; what: string }>> = {
  pending_legal_approval: { task: 'legal_approval', owner: 'lawyer', what: 'legal approval' },
  changes_requested: { task: 'revise_terms', owner: 'manager', what: 'revised terms' },
  pending_signature: { task: 'signature', owner: 'director', what: "the director's signature" },
  ready_to_send: { task: 'dispatch', owner: 'manager', what: 'dispatch to the client' },
  sent: { task: 'original', owner: 'manager', what: 'the signed original' },
  original_received: { task: 'archive', owner: 'lawyer', what: 'the archive' },
};

/** The amendment's clocks, from configuration (AMENDMENT_*), so tests shrink days to seconds. */
export interface AmendmentSla {
  /** A reminder to whoever a wait is on … */
  stepReminderAfterMs: number;
  /** … then an escalation task for the head of key accounts. */
  stepEscalationAfterMs: number;
  /** Continue as new past this many history events (Temporal's suggestion counts too). */
  historyLimit?: number;
}

export const DEFAULT_AMENDMENT_SLA: AmendmentSla = Object.freeze({
  stepReminderAfterMs: 2 * 86_400_000,
  stepEscalationAfterMs: 5 * 86_400_000,
  historyLimit: 10_000,
});

export interface NewAmendmentInput {
  amendmentId: string;
  contractNumber: string;
  /** The contract's workflow: the amendment's parent, told of its stages and of its coming into force. */
  contractWorkflowId: string;
  clientId: string;
  clientCode?: string;
  /** The contract's manager when the amendment was drafted: its steps are theirs. */
  managerId: string;
  createdBy: { staffId: string; name: string; roles: Role[] };
  /** amendment_drafts.id of its text. */
  draftId: string;
  changes: AmendmentChanges;
  needsLegalApproval: boolean;
  sla: AmendmentSla;
}
