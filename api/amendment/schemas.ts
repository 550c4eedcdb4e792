// What the amendment's routes accept, checked with the same rules as the contract's terms.
import { z } from 'zod';
import { deviationSchema, isoDate, safeText } from '../../domain/schemas';

/** Bounded so its PDF renders in a moment: at most 20 deviations, each clause's texts at most 2,000 characters. */
export const AMENDMENT_LIMITS = { deviations: 20, reason: 2000, subject: 1000 } as const;

export const amendmentChangesSchema = z
  .object({
    amount: z.number().positive().max(1e15).multipleOf(0.01, 'at most two decimals').optional(),
    endDate: isoDate.optional(),
    paymentTermsDays: z.number().int().min(0).max(365).optional(),
    subject: safeText(AMENDMENT_LIMITS.subject).optional(),
  })
  .strict()
  .refine((c) => Object.values(c).some((v) => v !== undefined), {
    message: 'name at least one term to change: amount, endDate, paymentTermsDays or subject',
  });

export const amendmentDraftSchema = z.object({
  changes: amendmentChangesSchema,
  deviations: z.array(deviationSchema).max(AMENDMENT_LIMITS.deviations, `at most ${AMENDMENT_LIMITS.deviations} deviations`).default([]),
  reason: safeText(AMENDMENT_LIMITS.reason),
});
export type AmendmentDraftBody = z.output<typeof amendmentDraftSchema>;
