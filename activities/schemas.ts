// The step recorder's input, checked on arrival: a workflow bug must fail loudly, not write a bad row.
// Each process's activities check their own inputs (activities/<process>/schemas.ts).
import { z } from 'zod';
import { actorSchema, roleSchema } from '../domain/schemas';
import { NOTIFICATION_KINDS } from '../workflows/engine/notifications';
import { PROCESS_TYPES } from '../domain/processes';

const instant = z.iso.datetime();
const recipientSchema = z.object({ role: roleSchema, staffId: z.string().optional() });
const stage = z.string().min(1).max(64);
/** Task kinds are each process's own words; the engine asks only that they are words. */
const taskKind = z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'must be a snake_case word');

export const recordStepInput = z
  // A process's own record of the step (a contract's `registry`, an amendment's `projection`) passes
  // through to its projection, which checks it with its own schema.
  .looseObject({
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
  })
  .refine((i) => i.process !== undefined || i.number !== undefined, {
    message: 'a process or a contract number is required',
    path: ['process'],
  });
