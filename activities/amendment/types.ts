// Inputs and outputs of the amendment's activities: types only, so its workflow can import them.
import type { Actor } from '../../domain/people';

export interface RegisterAmendmentInput {
  workflowId: string;
  amendmentId: string;
  contractNumber: string;
  clientId: string;
  managerId: string;
  createdBy: Actor;
  /** amendment_drafts.id of its text. */
  draftId: string;
  /** Workflow time, so a replayed registration records the same moment. */
  at: string;
}

export interface RenderAmendmentDocumentInput {
  workflowId: string;
  amendmentId: string;
  signedBy: Actor;
  /** The signing day, ISO date. */
  date: string;
}
