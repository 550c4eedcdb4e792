// Inputs and outputs of the contract activities. Types only, so workflow code can import them.
import type { Actor, ContractDraft, ContractStatus, DispatchChannel, Role, TemplateLanguage } from '../domain/contract';
import type { NotificationKind, TaskKind } from '../domain/steps';

export interface Recipient {
  role: Role;
  /** The one person the step waits on; without it, anyone holding the role. */
  staffId?: string;
}

export interface TaskSpec {
  kind: TaskKind;
  title: string;
  assignee: Recipient;
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

/** One step of the contract's life, written atomically: registry, timeline, tasks and notifications. */
export interface RecordStepInput {
  workflowId: string;
  number: string;
  /** Position of this step in the workflow; with the workflow id it makes every row's key. */
  seq: number;
  step: string;
  from: ContractStatus | null;
  to: ContractStatus;
  actor?: Actor;
  at: string;
  waitedMs: number;
  details?: Record<string, unknown>;
  registry?: RegistryPatch;
  closeTasks?: TaskKind[] | 'all';
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
