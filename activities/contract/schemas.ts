// The contract's activity inputs and the registry fields its steps set, checked on arrival: a
// workflow bug fails loudly instead of writing a bad row.
import { z } from 'zod';
import { actorSchema, draftSchema, isoDate } from '../../domain/schemas';
import { DISPATCH_CHANNELS, TEMPLATES } from '../../domain/signing';

const instant = z.iso.datetime();

export const registerContractInput = z
  .object({
    workflowId: z.string().min(1),
    clientId: z.string().min(1),
    managerId: z.string().min(1),
    createdBy: actorSchema,
    template: z.enum(TEMPLATES),
    draftId: z.string().min(1).optional(),
    draft: draftSchema.optional(),
    at: instant,
  })
  .refine((i) => i.draftId !== undefined || i.draft !== undefined, { message: 'a draftId or a draft is required', path: ['draftId'] });

export const renderContractDocumentInput = z.object({
  workflowId: z.string().min(1),
  number: z.string().min(1),
  signedBy: actorSchema,
  date: isoDate,
});

export const enterClientsBaseInput = z.object({
  workflowId: z.string().min(1),
  number: z.string().min(1),
  entry: z.enum(['provisional', 'final']),
  actor: actorSchema,
  at: instant,
  location: z.string().optional(),
});

/** What a contract's step sets in the registry (`registry`). */
export const registryPatch = z
  .object({
    approvedAt: instant.optional(),
    approvedBy: z.string().optional(),
    signedAt: instant.optional(),
    signedBy: z.string().optional(),
    sentDate: isoDate.optional(),
    dispatchChannel: z.enum(DISPATCH_CHANNELS).optional(),
    trackingRef: z.string().nullable().optional(),
    scanReceivedDate: isoDate.optional(),
    returnedDate: isoDate.optional(),
    endDate: isoDate.optional(),
    amount: z.number().positive().optional(),
    paymentTermsDays: z.number().int().min(0).max(365).optional(),
    subject: z.string().min(1).optional(),
    closedAt: instant.optional(),
    closeReason: z.string().optional(),
    managerId: z.uuid().optional(),
    draftId: z.string().min(1).optional(),
    draft: draftSchema.optional(),
  })
  .optional();
