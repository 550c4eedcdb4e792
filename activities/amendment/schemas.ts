// The amendment's activity inputs and the patch its steps carry, checked on arrival: a workflow
// bug fails loudly instead of writing a bad row.
import { z } from 'zod';
import { actorSchema, isoDate } from '../../domain/schemas';

const instant = z.iso.datetime();

export const registerAmendmentInput = z.object({
  workflowId: z.string().min(1),
  amendmentId: z.uuid(),
  contractNumber: z.string().min(1),
  clientId: z.uuid(),
  managerId: z.uuid(),
  createdBy: actorSchema,
  draftId: z.uuid(),
  at: instant,
});

export const renderAmendmentDocumentInput = z.object({
  workflowId: z.string().min(1),
  amendmentId: z.uuid(),
  signedBy: actorSchema,
  date: isoDate,
});

/** What a step moves in `amendments` (RecordStepInput.projection). */
export const amendmentPatch = z
  .object({
    approvedAt: instant,
    approvedBy: z.string().min(1),
    signedAt: instant,
    signedBy: z.string().min(1),
    documentId: z.uuid(),
    sentDate: isoDate,
    dispatchChannel: z.enum(['courier', 'post', 'email']),
    trackingRef: z.string().nullable(),
    returnedDate: isoDate,
    archivedAt: instant,
    archiveLocation: z.string().nullable(),
    inForceAt: instant,
    closedAt: instant,
    closeReason: z.string(),
    /** Revised text: its draft's changes, deviations and reason are copied into the row. */
    draftId: z.uuid(),
  })
  .partial()
  .strict();
export type AmendmentPatch = z.infer<typeof amendmentPatch>;
