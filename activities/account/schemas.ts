// What a relationship's step moves in its projection (`account`), checked on arrival.
import { z } from 'zod';
import { roleSchema } from '../../domain/schemas';
import { SEGMENTS } from '../../domain/client';
import { NOTIFICATION_KINDS } from '../../workflows/engine/notifications';
import { ACCOUNT_STAGES, COMPLAINT_CATEGORIES, LOSS_REASONS, ROOT_CAUSES, SEVERITIES } from '../../workflows/account/rules';

const instant = z.iso.datetime();
const recipientSchema = z.object({ role: roleSchema, staffId: z.string().optional() });

export const accountPatch = z.object({
  health: z.object({
    score: z.number().int().min(0).max(100),
    reasons: z.array(z.object({ reason: z.string().min(1), points: z.number() })),
  }),
  opened: z.object({ managerId: z.uuid().optional(), segment: z.enum(SEGMENTS).optional(), openedBy: z.string().min(1) }).optional(),
  managerId: z.uuid().optional(),
  segment: z.enum(SEGMENTS).optional(),
  watch: z
    .object({ until: instant, stage: z.enum(ACCOUNT_STAGES) })
    .nullable()
    .optional(),
  complaint: z
    .object({
      id: z.uuid(),
      summary: z.string().min(1),
      category: z.enum(COMPLAINT_CATEGORIES),
      severity: z.enum(SEVERITIES),
      reportedBy: z.string().min(1),
      dueAt: instant,
    })
    .optional(),
  complaintOverdue: z.uuid().optional(),
  complaintResolved: z.object({ id: z.uuid(), resolution: z.string().min(1), rootCause: z.enum(ROOT_CAUSES) }).optional(),
  commitment: z.object({ id: z.uuid(), what: z.string().min(1), dueAt: instant, ownerId: z.uuid() }).optional(),
  commitmentOverdue: z.uuid().optional(),
  commitmentFulfilled: z.object({ id: z.uuid(), note: z.string() }).optional(),
  promiseNotice: z
    .object({
      commitmentId: z.uuid(),
      wording: z.enum(['due', 'overdue']),
      kind: z.enum(NOTIFICATION_KINDS),
      recipients: z.array(recipientSchema).min(1).max(2),
    })
    .optional(),
  review: z
    .object({ id: z.uuid(), satisfaction: z.number().int().min(1).max(10), businessChanges: z.string(), note: z.string() })
    .optional(),
  loss: z
    .object({ reason: z.enum(LOSS_REASONS), competitor: z.string().optional(), note: z.string(), atStage: z.enum(ACCOUNT_STAGES) })
    .optional(),
});
