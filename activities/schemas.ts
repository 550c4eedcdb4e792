// Activity inputs are checked on arrival: a workflow bug must fail loudly, not write a bad row.
import { z } from 'zod';
import { DISPATCH_CHANNELS, TEMPLATES } from '../workflows/contract/rules';
import { actorSchema, draftSchema, isoDate, roleSchema } from '../domain/schemas';
import { NOTIFICATION_KINDS } from '../workflows/engine/notifications';
import { ACCOUNT_STAGES, COMPLAINT_CATEGORIES, LOSS_REASONS, ROOT_CAUSES, SEVERITIES } from '../workflows/account/rules';
import { SEGMENTS } from '../domain/client';
import { LOYALTY_STAGES, QUALIFICATION_DECISIONS, SUPPLIER_POSITIONS } from '../workflows/onboarding/rules';
import { PROCESS_TYPES } from '../domain/processes';

const instant = z.iso.datetime();
const recipientSchema = z.object({ role: roleSchema, staffId: z.string().optional() });

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

const stage = z.string().min(1).max(64);
/** Task kinds are each process's own words; the engine asks only that they are words. */
const taskKind = z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'must be a snake_case word');

export const recordStepInput = z
  .object({
    workflowId: z.string().min(1),
    updateId: z.string().min(1).max(200).optional(),
    process: z
      .object({
        type: z.enum(PROCESS_TYPES),
        clientId: z.uuid(),
        contractNumber: z.string().min(1).optional(),
        parentWorkflowId: z.string().min(1).optional(),
      })
      .optional(),
    number: z.string().min(1).optional(),
    seq: z.number().int().positive(),
    step: z.string().min(1),
    from: stage.nullable(),
    to: stage,
    actor: actorSchema.optional(),
    at: instant,
    waitedMs: z.number().int().nonnegative(),
    details: z.record(z.string(), z.unknown()).optional(),
    registry: z
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
      .optional(),
    closeTasks: z.union([z.array(taskKind), z.literal('all')]).optional(),
    projection: z.record(z.string(), z.unknown()).optional(),
    closeTaskRefs: z.array(z.string().min(1).max(200)).optional(),
    openTasks: z
      .array(
        z.object({
          kind: taskKind,
          ref: z.string().min(1).max(200).optional(),
          title: z.string().min(1),
          assignee: recipientSchema,
          dueAt: instant.optional(),
        }),
      )
      .optional(),
    notifications: z
      .array(z.object({ kind: z.enum(NOTIFICATION_KINDS), message: z.string().min(1), recipient: recipientSchema }))
      .optional(),
    reassignTasks: z.object({ from: z.uuid(), to: z.uuid() }).optional(),
    onboarding: z
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
      .optional(),
    account: z
      .object({
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
      })
      .optional(),
  })
  .refine((i) => i.process !== undefined || i.number !== undefined, {
    message: 'a process or a contract number is required',
    path: ['process'],
  });

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
