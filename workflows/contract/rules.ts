// The contract procedure's vocabulary (DOMAIN.md, "The contract procedure").
// Imported by workflow code, so it must stay free of I/O, Node built-ins and zod.
import type { Actor } from '../../domain/people';
import type { Requisites } from '../../domain/client';
import type { ProcessEvent } from '../engine/process-events';
import {
  DISPATCH_CHANNELS,
  LEGAL_DECISIONS,
  TEMPLATES,
  type DispatchChannel,
  type LegalDecision,
  type TemplateLanguage,
} from '../../domain/signing';

export const CONTRACT_STATUSES = [
  'registering',
  'pending_legal_approval',
  'changes_requested',
  'rejected',
  'pending_signature',
  'ready_to_send',
  'sent',
  'scan_received',
  'original_received',
  'active',
  'expired',
  'cancelled',
] as const;
export type ContractStatus = (typeof CONTRACT_STATUSES)[number];

/** CT-2026-00017; anything else in a URL is not a contract (404 without touching the database). */
export const isContractNumber = (text: string): boolean => /^CT-\d{4}-\d{5,9}$/.test(text);

export const FINAL_STATUSES: readonly ContractStatus[] = ['rejected', 'expired', 'cancelled'];
export const isFinal = (status: ContractStatus): boolean => FINAL_STATUSES.includes(status);

/** What a contract tells other systems (webhooks): signed, sent, in force, ended. */
export const CONTRACT_EVENTS: readonly ProcessEvent[] = [
  { type: 'contract.signed', summary: 'The director signed the contract; its PDF is made', reaching: ['ready_to_send'] },
  { type: 'contract.sent', summary: 'The contract was sent to the client (the registry has the date)', reaching: ['sent'] },
  {
    type: 'contract.active',
    summary: 'The signed original is back and archived, the client is in the clients base: the contract is in force',
    reaching: ['active'],
  },
  { type: 'contract.expired', summary: 'The contract passed its end date', reaching: ['expired'] },
  { type: 'contract.cancelled', summary: 'The contract was cancelled', reaching: ['cancelled'] },
];

/** While the signed original is not back, the manager is chased with follow-ups, reminders and an escalation. */
export const isAwaitingOriginal = (status: ContractStatus): boolean => status === 'sent' || status === 'scan_received';

export { DISPATCH_CHANNELS, LEGAL_DECISIONS, TEMPLATES, type DispatchChannel, type LegalDecision, type TemplateLanguage };

export interface ContractTerms {
  subject: string;
  amount: number;
  currency: string;
  /** ISO dates, YYYY-MM-DD. */
  startDate: string;
  endDate: string;
  paymentTermsDays: number;
}

/** A clause whose essential terms differ from the standard form; any one of them needs the lawyer. */
export interface Deviation {
  clause: string;
  standard: string;
  proposed: string;
}

export interface ContractDraft {
  terms: ContractTerms;
  deviations: Deviation[];
  additionalAgreement?: string;
  specialAppendix?: string;
}

export const needsLegalApproval = (draft: ContractDraft): boolean => draft.deviations.length > 0 || Boolean(draft.specialAppendix);

/** Durations in milliseconds, read from configuration so tests can shrink days to seconds. */
export interface ContractSla {
  /** After dispatch: a task for the manager to call the client. */
  followUpAfterMs: number;
  /** After dispatch: a reminder to the manager that the original is still missing. */
  reminderAfterMs: number;
  /** After dispatch: the missing original is escalated to the head of key accounts. */
  escalationAfterMs: number;
  /** How long before expiry the manager gets the renewal task. */
  renewalNoticeMs: number;
  /** When, counted from 00:00 UTC of the end date, the contract expires (a day: valid through its end date). */
  expiryAfterEndDateMs: number;
  /** Legal approval, signature, dispatch, client record: a reminder to whoever the step waits on. */
  stepReminderAfterMs?: number;
  /** … and then an escalation task for the head of key accounts. */
  stepEscalationAfterMs?: number;
  /** History events after which the contract continues as new (absent in contracts started before it existed). */
  historyLimit?: number;
}

/** A new contract: ids and the few facts the workflow decides by; the draft itself is in Postgres. */
export interface NewContractInput {
  clientId: string;
  managerId: string;
  template: TemplateLanguage;
  createdBy: Actor;
  sla: ContractSla;
  /** contract_drafts.id of the terms the contract is created with. */
  draftId: string;
  endDate: string;
  needsLegalApproval: boolean;
  /** The onboarding that started this contract as its child; told of every change of status. */
  parentWorkflowId?: string;
  /** The client's code, for the ClientCode search attribute. */
  clientCode?: string;
}

/** What contracts started before drafts moved to Postgres were given; replayed, never started. */
export interface LegacyContractInput extends ContractDraft {
  clientId: string;
  managerId: string;
  template: TemplateLanguage;
  createdBy: Actor;
  sla: ContractSla;
}

export type ContractWorkflowInput = NewContractInput | LegacyContractInput;

/** Everything the contract document shows; assembled by an activity, rendered to PDF. */
export interface ContractDocumentInput {
  number: string;
  template: TemplateLanguage;
  /** ISO date the document is dated by (the signing day). */
  date: string;
  city: string;
  company: Requisites & { directorName: string };
  client: Requisites & { signatoryName?: string };
  terms: ContractTerms;
  approvedDeviations: Deviation[];
  additionalAgreement?: string;
  specialAppendix?: string;
  signedBy: string;
}
