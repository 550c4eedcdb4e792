// What an onboarding's step moves in its projection (`onboarding`), checked on arrival.
import { z } from 'zod';
import { SEGMENTS } from '../../domain/client';
import { LOYALTY_STAGES, QUALIFICATION_DECISIONS, SUPPLIER_POSITIONS } from '../../workflows/onboarding/rules';

const instant = z.iso.datetime();

export const onboardingPatch = z
  .object({
    segment: z.enum(SEGMENTS).optional(),
    supplierPosition: z.enum(SUPPLIER_POSITIONS).optional(),
    expectedAnnualRevenue: z.number().nonnegative().optional(),
    decision: z.enum(QUALIFICATION_DECISIONS).optional(),
    decisionReason: z.string().optional(),
    managerId: z.uuid().optional(),
    assignment: z.unknown().optional(),
    contractWorkflowId: z.string().min(1).optional(),
    contractNumber: z.string().min(1).optional(),
    closedAt: instant.optional(),
    closeReason: z.string().optional(),
    answerSetId: z.string().min(1).optional(),
    checklistDone: z.object({ item: z.string().min(1), at: instant, by: z.string().min(1), note: z.string() }).optional(),
    loyaltyStage: z.enum(LOYALTY_STAGES).optional(),
  })
  .optional();
