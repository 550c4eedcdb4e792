// Closing a task by hand: only kinds no process step closes (MANUAL_TASK_KINDS), only by the
// person or role it waits on, and only once.
import { Router } from 'express';
import type { Pool } from 'pg';
import { z } from 'zod';
import { LIMITS, safeText, uuid } from '../../domain/schemas';
import { closeManualTask, findTask, MANUAL_TASK_KINDS, mayTake } from '../../db/manual-tasks';
import { actorOf } from '../auth';
import { conflict, forbidden, notFound } from '../errors';

const doneSchema = z.object({ note: safeText(LIMITS.comment).optional() }).default({});

export function createTasksRouter({ db }: { db: Pool }): Router {
  const router = Router();

  router.post('/tasks/:id/done', async (req, res) => {
    const actor = actorOf(req);
    const id = uuid.safeParse(req.params.id);
    const task = id.success ? await findTask(db, id.data) : undefined;
    if (!task || !mayTake(task, actor)) throw notFound(`task ${req.params.id}`);
    if (!(MANUAL_TASK_KINDS as readonly string[]).includes(task.kind)) {
      throw forbidden(`a ${task.kind} task is closed by its process's step, not by hand`);
    }
    const { note } = doneSchema.parse(req.body ?? {});
    if (!(await closeManualTask(db, task, actor, note))) throw conflict(`task ${task.id} is already done`);
    res.json({ id: task.id, kind: task.kind, done: true });
  });

  return router;
}
