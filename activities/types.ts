// Inputs and outputs of the activities: types and constants only, so workflow code can import them.
import type { ProcessType } from '../domain/processes';
import type { ContractDraft, DispatchChannel, TemplateLanguage } from '../workflows/contract/rules';
import type { Actor, Role } from '../domain/people';
import type { NotificationKind } from '../workflows/engine/notifications';

export interface Recipient {
  role: Role;
  /** The one person the step waits on; without it, anyone holding the role. */
  staffId?: string;
}

/** A task's kind: the process's own word for it (snake_case), the same for every task of that kind. */
export type TaskKindName = string;

export interface TaskSpec {
  kind: TaskKindName;
  /** Its name within the process, when several of one kind may be open at once; by default its kind. */
  ref?: string;
  title: string;
  assignee: Recipient;
  /** When it is due, where the process keeps a deadline for it. */
  dueAt?: string;
}

/** The process a row belongs to: its type, its subject (the client), its contract where there is one. */
export interface ProcessRef {
  type: ProcessType;
  clientId: string;
  contractNumber?: string;
  /** The process that started this one (an onboarding's contract, a contract's amendment). */
  parentWorkflowId?: string;
}

export interface NotificationSpec {
  kind: NotificationKind;
  message: string;
  recipient: Recipient;
}

/** Registry columns a step may set; everything else in the registry is written at registration. */
export interface RegistryPatch {
  approvedAt?: string;
  approvedBy?: string;
  signedAt?: string;
  signedBy?: string;
  sentDate?: string;
  dispatchChannel?: DispatchChannel;
  trackingRef?: string | null;
  scanReceivedDate?: string;
  returnedDate?: string;
  endDate?: string;
  /** Terms an agreement in force changed (the contract's amendments). */
  amount?: number;
  paymentTermsDays?: number;
  subject?: string;
  closedAt?: string;
  closeReason?: string;
  managerId?: string;
  /** contract_drafts.id of revised terms, copied into the registry. */
  draftId?: string;
  /** Revised terms themselves, from contracts started before drafts moved to Postgres. */
  draft?: ContractDraft;
}

export interface RegisterContractInput {
  workflowId: string;
  clientId: string;
  managerId: string;
  createdBy: Actor;
  template: TemplateLanguage;
  /** contract_drafts.id of the terms; `draft` only from contracts started before drafts moved to Postgres. */
  draftId?: string;
  draft?: ContractDraft;
  /** Workflow time, so a replayed registration records the same moment. */
  at: string;
}

export interface RegisterContractResult {
  number: string;
}

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

/** What an account step changes in the relationship's projection (accounts, complaints, commitments, reviews). */
export interface AccountPatch {
  /** The relationship's health after the step; every step carries it. */
  health: { score: number; reasons: { reason: string; points: number }[] };
  /** The first step: the relationship's row. */
  opened?: { managerId?: string; segment?: string; openedBy: string };
  managerId?: string;
  segment?: string;
  /** The watch after a recovery; null ends it. */
  watch?: { until: string; stage: string } | null;
  complaint?: { id: string; summary: string; category: string; severity: string; reportedBy: string; dueAt: string };
  complaintOverdue?: string;
  complaintResolved?: { id: string; resolution: string; rootCause: string };
  commitment?: { id: string; what: string; dueAt: string; ownerId: string };
  commitmentOverdue?: string;
  commitmentFulfilled?: { id: string; note: string };
  /** Notifications quoting a promise (due soon, overdue): the activity reads its words from `commitments`, the workflow carries none. */
  promiseNotice?: { commitmentId: string; wording: 'due' | 'overdue'; kind: NotificationKind; recipients: Recipient[] };
  review?: { id: string; satisfaction: number; businessChanges: string; note: string };
  loss?: { reason: string; competitor?: string; note: string; atStage: string };
}

/** One step of the contract's life, written atomically: registry, timeline, tasks and notifications. */
export interface RecordStepInput {
  workflowId: string;
  /** The Temporal update that took this step (a person's step), so a keyed retry is recognised. */
  updateId?: string;
  /** Absent only in steps written before processes named themselves (the contract number then says it). */
  process?: ProcessRef;
  /** The contract number, for a contract's steps. */
  number?: string;
  /** Position of this step in the workflow; with the workflow id it makes every row's key. */
  seq: number;
  step: string;
  /** The process's stage before and after (a contract's status). */
  from: string | null;
  to: string;
  actor?: Actor;
  at: string;
  waitedMs: number;
  details?: Record<string, unknown>;
  registry?: RegistryPatch;
  /** The onboarding's projection, for an onboarding's steps. */
  onboarding?: OnboardingPatch;
  /** The relationship's projection, for an account's steps. */
  account?: AccountPatch;
  /** The process's own record of the step, checked and written by its projection (activities/<process>/projection.ts). */
  projection?: Record<string, unknown>;
  closeTasks?: TaskKindName[] | 'all';
  /** Tasks closed by their ref, when several of one kind are open. */
  closeTaskRefs?: string[];
  openTasks?: TaskSpec[];
  notifications?: NotificationSpec[];
  /** A reassigned contract's open tasks move from one manager to the other. */
  reassignTasks?: { from: string; to: string };
}

/** Ids and small facts only: the activity reads the approved draft from the registry. */
export interface RenderContractDocumentInput {
  workflowId: string;
  number: string;
  signedBy: Actor;
  /** The signing day, ISO date. */
  date: string;
}

export interface RenderContractDocumentResult {
  documentId: string;
}

export interface EnterClientsBaseInput {
  workflowId: string;
  number: string;
  entry: 'provisional' | 'final';
  actor: Actor;
  at: string;
  location?: string;
}

export interface EnterClientsBaseResult {
  /** Set once the original is archived (final entry). */
  archiveRef?: string;
}
