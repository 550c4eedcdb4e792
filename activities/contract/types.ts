// The contract's activity inputs and outputs and what its steps carry: types only, so its
// workflow can import them.
import type { Actor } from '../../domain/people';
import type { ContractDraft, DispatchChannel, TemplateLanguage } from '../../workflows/contract/rules';

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

/** What a contract's step carries for its projection, besides the engine's fields. */
export interface ContractStep {
  /** The registry's fields the step sets. */
  registry?: RegistryPatch;
}
