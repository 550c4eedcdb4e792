// Closing a task by hand: only kinds no process step closes (MANUAL_TASK_KINDS), only by the
// person or role it waits on, and only once.
import { Router } from 'express';
import type { Pool } from 'pg';
import { z } from 'zod';
import { LIMITS, safeText, uuid } from '../../domain/schemas';
import { closeManualTask, findTask, MANUAL_TASK_KINDS, mayTake } from '../../db/manual-tasks';
import { route } from '../described-routes';
import { conflict, forbidden, notFound } from '../errors';

const doneSchema = z.object({ note: safeText(LIMITS.comment).optional() }).default({});

export function createTasksRouter({ db }: { db: Pool }): Router {
  const router = Router();

  route(
    router,
    {
      method: 'post',
      path: '/tasks/:id/done',
      summary: "Close a task by hand (such as sending a declined client its refusal letter) and write it to its process's timeline",
      who: 'anyone',
      rule: "whoever the task waits on (another's task is a 404); only tasks no step closes (one its step closes is a 403)",
      body: doneSchema,
      answers: { 200: '{id, kind, done: true}; 409 when it is already done' },
      tag: 'tasks',
    },
    async (req, res, { actor, body }) => {
      const id = uuid.safeParse(req.params.id);
      const task = id.success ? await findTask(db, id.data) : undefined;
      if (!task || !mayTake(task, actor)) throw notFound(`task ${req.params.id}`);
      if (!(MANUAL_TASK_KINDS as readonly string[]).includes(task.kind)) {
        throw forbidden(`a ${task.kind} task is closed by its process's step, not by hand`);
      }
      const { note } = body();
      if (!(await closeManualTask(db, task, actor, note))) throw conflict(`task ${task.id} is already done`);
      res.json({ id: task.id, kind: task.kind, done: true });
    },
  );

  return router;
}
