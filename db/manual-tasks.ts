// Tasks that no process step closes, because the process has ended by the time they are done
// (ops sending a declined client its refusal letter): the person they wait on closes them, and the
// process's timeline records it.
import type { Role } from '../domain/people';
import { queryOne, withTransaction, type Queryable } from './pool';
import type { Pool } from 'pg';

/** Task kinds a person closes by hand; every other task is closed by its process's step. */
export const MANUAL_TASK_KINDS = ['send_refusal'] as const;

export interface ManualTask {
  id: string;
  workflowId: string;
  processType: string;
  clientId: string | null;
  kind: string;
  assigneeStaffId: string | null;
  assigneeRole: string;
  closedAt: Date | null;
}

export async function findTask(db: Queryable, id: string): Promise<ManualTask | undefined> {
  return queryOne<ManualTask>(
    db,
    `SELECT id, workflow_id AS "workflowId", process_type AS "processType", client_id AS "clientId", kind,
       assignee_staff_id AS "assigneeStaffId", assignee_role AS "assigneeRole", closed_at AS "closedAt"
     FROM tasks WHERE id = $1`,
    [id],
  );
}

export const mayTake = (task: ManualTask, actor: { staffId: string; roles: Role[] }): boolean =>
  task.assigneeStaffId ? task.assigneeStaffId === actor.staffId : actor.roles.includes(task.assigneeRole as Role);

/** Closes the task once (false when it was already closed) and writes the step to its process's timeline. */
export async function closeManualTask(
  db: Pool,
  task: ManualTask,
  actor: { staffId: string; name: string },
  note: string | undefined,
): Promise<boolean> {
  return withTransaction(db, async (tx) => {
    const closed = await tx.query(`UPDATE tasks SET closed_at = now(), closed_by = $2 WHERE id = $1 AND closed_at IS NULL`, [
      task.id,
      actor.staffId,
    ]);
    if (closed.rowCount === 0) return false;
    const last = await queryOne<{ status_to: string; at: Date }>(
      tx,
      'SELECT status_to, at FROM timeline_events WHERE workflow_id = $1 ORDER BY at DESC, id DESC LIMIT 1',
      [task.workflowId],
    );
    await tx.query(
      `INSERT INTO timeline_events (key, workflow_id, process_type, client_id, step, status_from, status_to, actor_id, actor_name, at, waited_ms, details)
       VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8, now(), GREATEST(0, (extract(epoch FROM now() - $9::timestamptz) * 1000)::bigint), $10)
       ON CONFLICT (key) DO NOTHING`,
      [
        `${task.workflowId}:task-done:${task.id}`,
        task.workflowId,
        task.processType,
        task.clientId,
        `${task.kind}_done`,
        last?.status_to ?? 'unknown',
        actor.staffId,
        actor.name,
        last?.at ?? new Date(),
        JSON.stringify({ note: note ?? null }),
      ],
    );
    return true;
  });
}
