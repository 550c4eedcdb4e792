// One step of any process, written in a single transaction: the process's own projection (the
// registry row for a contract), the timeline event, tasks closed and opened, notifications. Every
// row belongs to its process (workflow id, type, client, contract number where there is one) and
// is keyed by the workflow id and the step's position, which the process carries across
// continue-as-new, so a retried or replayed activity writes nothing twice. What the step tells the
// world beyond the app (its mails, its webhook events) is planned in the same transaction and sent
// by its own delivery workflow, started once the step is written: the process never waits for a
// mail server or an endpoint.
import type { Pool, PoolClient } from 'pg';
import { hasNews, planStepNews, stepDeliveries, type NewsPlanning, type PlannedNews } from '../../db/delivery/plan';
import { queryOne, withTransaction } from '../../db/pool';
import { PermanentError } from '../failures';
import { recordStepInput } from '../schemas';
import type { NotificationSpec, ProcessRef, RecordStepInput } from '../types';
import type { Projections } from './projection';

/** Steps recorded before processes named themselves carry only the contract number. */
async function processOf(tx: PoolClient, input: RecordStepInput): Promise<ProcessRef> {
  if (input.process) return input.process;
  const row = await queryOne<{ client_id: string }>(tx, 'SELECT client_id FROM contract_registry WHERE number = $1', [input.number]);
  if (!row) throw new PermanentError(`contract ${input.number} is not in the registry`);
  return { type: 'contract', clientId: row.client_id, contractNumber: input.number };
}

async function insertNotification(
  tx: PoolClient,
  key: string,
  input: RecordStepInput,
  process: ProcessRef,
  n: NotificationSpec,
): Promise<void> {
  await tx.query(
    `INSERT INTO notifications (key, workflow_id, process_type, client_id, contract_number, recipient_staff_id, recipient_role, kind, message, created_at)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) ON CONFLICT (key) DO NOTHING`,
    [
      key,
      input.workflowId,
      process.type,
      process.clientId,
      process.contractNumber ?? null,
      n.recipient.staffId ?? null,
      n.recipient.staffId ? null : n.recipient.role,
      n.kind,
      n.message,
      input.at,
    ],
  );
}

export interface StepNewsDelivery {
  planning: NewsPlanning;
  /** Starts the step's delivery workflow; without it, what is planned waits for a worker that has one. */
  dispatch?: (stepKey: string, planned: PlannedNews) => Promise<void>;
}

/** The recorder of every process; each process's own record is moved by its projection. */
export function recordStepActivity(db: Pool, projections: Projections, news: StepNewsDelivery = { planning: {} }) {
  return async function recordStep(raw: RecordStepInput): Promise<void> {
    const input = recordStepInput.parse(raw);
    const key = `${input.workflowId}:${input.seq}`;
    // What the step has to send now; undefined when an earlier attempt recorded it (and may not have started it).
    const recorded = await withTransaction(db, async (tx): Promise<PlannedNews | undefined> => {
      const process = await processOf(tx, input);
      const contractNumber = process.contractNumber ?? null;

      // The step's event first: when it is there, this step was recorded whole (one transaction)
      // by an earlier attempt, and nothing is written again, not even the projection (which a
      // later step may have moved on since). A concurrent attempt waits on the key, then stops here.
      const fresh = await tx.query(
        `INSERT INTO timeline_events (key, workflow_id, process_type, client_id, contract_number, step, status_from, status_to,
           actor_id, actor_name, at, waited_ms, details, update_id)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14) ON CONFLICT (key) DO NOTHING RETURNING id`,
        [
          key,
          input.workflowId,
          process.type,
          process.clientId,
          contractNumber,
          input.step,
          input.from,
          input.to,
          input.actor?.staffId ?? null,
          input.actor?.name ?? null,
          input.at,
          input.waitedMs,
          JSON.stringify(input.details ?? {}),
          input.updateId ?? null,
        ],
      );
      if (fresh.rowCount === 0) return undefined;
      const projection = projections[process.type];
      const moved = await projection.project(tx, input, process);
      // The list of every process, from what the process says of itself now.
      const listed = moved ?? (await projection.listing(tx, input, process));
      await tx.query(
        `INSERT INTO processes (workflow_id, type, id, number, client_id, parent_workflow_id, stage, manager_id, started_at, closed_at)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)
         ON CONFLICT (workflow_id) DO UPDATE SET number = EXCLUDED.number, stage = EXCLUDED.stage, manager_id = EXCLUDED.manager_id,
           closed_at = EXCLUDED.closed_at, parent_workflow_id = COALESCE(EXCLUDED.parent_workflow_id, processes.parent_workflow_id),
           updated_at = now()`,
        [
          input.workflowId,
          process.type,
          listed.id,
          listed.number,
          process.clientId,
          process.parentWorkflowId ?? null,
          input.to,
          listed.managerId,
          listed.startedAt,
          listed.closedAt,
        ],
      );

      if (input.closeTasks || input.closeTaskRefs) {
        const all = input.closeTasks === 'all';
        await tx.query(
          `UPDATE tasks SET closed_at = $2, closed_by = $3
           WHERE workflow_id = $1 AND closed_at IS NULL AND ($4::boolean OR kind = ANY($5::text[]) OR ref = ANY($6::text[]))`,
          [
            input.workflowId,
            input.at,
            input.actor?.staffId ?? 'system',
            all,
            Array.isArray(input.closeTasks) ? input.closeTasks : [],
            input.closeTaskRefs ?? [],
          ],
        );
      }

      if (input.reassignTasks) {
        await tx.query(`UPDATE tasks SET assignee_staff_id = $3 WHERE workflow_id = $1 AND closed_at IS NULL AND assignee_staff_id = $2`, [
          input.workflowId,
          input.reassignTasks.from,
          input.reassignTasks.to,
        ]);
      }

      for (const task of input.openTasks ?? []) {
        // A task's ref names it within its process (several of one kind may be open); by default its kind.
        const ref = task.ref ?? task.kind;
        const taskKey = `${key}:task:${ref}`;
        await tx.query(
          `INSERT INTO tasks (key, workflow_id, process_type, client_id, contract_number, kind, ref, title, assignee_staff_id,
             assignee_role, opened_at, due_at)
           VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12) ON CONFLICT (key) DO NOTHING`,
          [
            taskKey,
            input.workflowId,
            process.type,
            process.clientId,
            contractNumber,
            task.kind,
            ref,
            task.title,
            task.assignee.staffId ?? null,
            task.assignee.role,
            input.at,
            task.dueAt ?? null,
          ],
        );
        // Everyone a step waits on is told, not only given a task.
        await insertNotification(tx, `${taskKey}:notice`, input, process, { kind: 'task', message: task.title, recipient: task.assignee });
      }
      for (const [i, notification] of (input.notifications ?? []).entries()) {
        await insertNotification(tx, `${key}:notice:${i}`, input, process, notification);
      }
      return planStepNews(
        tx,
        {
          stepKey: key,
          workflowId: input.workflowId,
          at: input.at,
          process,
          step: input.step,
          from: input.from,
          to: input.to,
          actor: input.actor ? { staffId: input.actor.staffId, name: input.actor.name } : null,
          details: input.details,
        },
        news.planning,
      );
    });
    if (!news.dispatch) return;
    const planned = recorded ?? (await stepDeliveries(db, key));
    if (!hasNews(planned)) return;
    // Not waited for: the step is written, and a start that is slow or fails is not the step's
    // concern; a start lost with its worker is made by the delivery round within minutes.
    void news
      .dispatch(key, planned)
      .catch((err: Error) => console.warn(`delivery of ${key} not started now, the round will: ${err.message}`));
  };
}
