// Everything a contract's workflow decides by, in one plain object: copied before a step so a step
// that fails for good leaves the contract as it was, and handed whole to the next run when the
// contract continues as new. Ids and small facts only; drafts and documents live in Postgres.
import { needsLegalApproval, type ContractSla, type ContractStatus, type ContractWorkflowInput, type TemplateLanguage } from './rules';

export interface ContractState {
  number?: string;
  status: ContractStatus;
  clientId: string;
  managerId: string;
  template: TemplateLanguage;
  /** The current end date (renewals move it). */
  endDate: string;
  /** People who wrote the terms (created or revised them): they may neither approve nor sign. */
  drafters: string[];
  /** People who approved the terms: they may not also sign. */
  approvers: string[];
  documentId?: string;
  sentAt?: number;
  followUpOpen: boolean;
  nextFollowUpAt?: number;
  expectedSigningDate?: string;
  /** The chase of the signed original: one reminder, one escalation. */
  reminded: boolean;
  escalated: boolean;
  renewalNoticeOpen: boolean;
  /** When the current wait began, and whether its reminder and escalation were given. */
  waitSince: number;
  waitReminded: boolean;
  waitEscalated: boolean;
  /** Position of the last written step; with the workflow id it keys every row, across runs. */
  seq: number;
  lastStepAt: number;
  registered: boolean;
  /** 1 for the first run, +1 at every continue-as-new. */
  run: number;
  /** The onboarding this contract was started by, if any. */
  parentWorkflowId?: string;
  clientCode?: string;
  /** Its children still open (its amendments), told to end with it when it ends. */
  children?: string[];
}

/** The input of a run that continues a contract: its state and the rules it started with. */
export interface ContinuedContractInput {
  continued: ContractState;
  sla: ContractSla;
}

export type ContractRunInput = ContractWorkflowInput | ContinuedContractInput;

export const isContinued = (input: ContractRunInput): input is ContinuedContractInput => 'continued' in input;

export function initialState(input: ContractWorkflowInput, now: number): ContractState {
  // Contracts started before drafts moved to Postgres carry the draft itself.
  const legacy = 'terms' in input;
  return {
    status: 'registering',
    clientId: input.clientId,
    managerId: input.managerId,
    template: input.template,
    endDate: legacy ? input.terms.endDate : input.endDate,
    drafters: [input.createdBy.staffId],
    approvers: [],
    followUpOpen: false,
    reminded: false,
    escalated: false,
    renewalNoticeOpen: false,
    waitSince: now,
    waitReminded: false,
    waitEscalated: false,
    seq: 0,
    lastStepAt: now,
    registered: false,
    run: 1,
    ...(!legacy && input.parentWorkflowId ? { parentWorkflowId: input.parentWorkflowId } : {}),
    ...(!legacy && input.clientCode ? { clientCode: input.clientCode } : {}),
  };
}

export function initialNeedsLegalApproval(input: ContractWorkflowInput): boolean {
  return 'terms' in input ? needsLegalApproval(input) : input.needsLegalApproval;
}

/** A deep copy; the state is plain JSON by construction. */
export const copyState = (state: ContractState): ContractState => JSON.parse(JSON.stringify(state)) as ContractState;
