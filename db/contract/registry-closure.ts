// Contracts whose workflow Temporal itself ended (terminated by an operator, timed out) can no
// longer write their own last step; this writes it for them, once: the registry closed, every
// open task closed, the timeline told why, the manager notified.
import type { Pool } from 'pg';
import { withTransaction } from '../pool';
import { hasNews, planStepNews, type NewsPlanning, type PlannedNews } from '../delivery/plan';

const FINAL = ['rejected', 'expired', 'cancelled'];

/** Of these workflow ids, the contracts the registry still shows as open. */
export async function openContractsOf(db: Pool, workflowIds: string[]): Promise<{ number: string; workflowId: string }[]> {
  if (workflowIds.length === 0) return [];
  const { rows } = await db.query<{ number: string; workflowId: string }>(
    `SELECT number, workflow_id AS "workflowId" FROM contract_registry WHERE workflow_id = ANY($1::text[]) AND NOT (status = ANY($2::text[]))`,
    [workflowIds, FINAL],
  );
  return rows;
}

/**
 * Closes one; returns the step it wrote when that step has news to deliver (its manager's mail,
 * contract.cancelled), for the caller to start its delivery.
 */
export async function closeEndedContract(
  db: Pool,
  contract: { number: string; workflowId: string; runId: string; how: string; at: Date },
  planning: NewsPlanning = {},
): Promise<{ stepKey: string; planned: PlannedNews } | undefined> {
  const reason = `${contract.how} in Temporal`;
  const key = `${contract.workflowId}:${contract.runId}:ended`;
  return withTransaction(db, async (tx) => {
    const { rows } = await tx.query<{ status: string; manager_id: string; client_id: string }>(
      'SELECT status, manager_id, client_id FROM contract_registry WHERE number = $1 FOR UPDATE',
      [contract.number],
    );
    const current = rows[0];
    if (!current || FINAL.includes(current.status)) return undefined;
    await tx.query(
      `UPDATE contract_registry SET status = 'cancelled', closed_at = $2, close_reason = $3, updated_at = now() WHERE number = $1`,
      [contract.number, contract.at, reason],
    );
    await tx.query(
      `INSERT INTO timeline_events (key, workflow_id, process_type, client_id, contract_number, step, status_from, status_to, actor_id,
         actor_name, at, waited_ms, details)
       VALUES ($1, $2, 'contract', $7, $3, 'cancellation', $4, 'cancelled', NULL, NULL, $5,
         GREATEST(0, (extract(epoch FROM $5::timestamptz - COALESCE((SELECT max(at) FROM timeline_events WHERE workflow_id = $2), $5::timestamptz)) * 1000)::bigint),
         $6)
       ON CONFLICT (key) DO NOTHING`,
      [key, contract.workflowId, contract.number, current.status, contract.at, JSON.stringify({ reason }), current.client_id],
    );
    await tx.query(`UPDATE tasks SET closed_at = $2, closed_by = 'system' WHERE workflow_id = $1 AND closed_at IS NULL`, [
      contract.workflowId,
      contract.at,
    ]);
    await tx.query(
      `INSERT INTO notifications (key, workflow_id, process_type, client_id, contract_number, recipient_staff_id, recipient_role, kind, message,
         created_at)
       VALUES ($1, $6, 'contract', $7, $2, $3, NULL, 'status', $4, $5) ON CONFLICT (key) DO NOTHING`,
      [
        `${key}:notice`,
        contract.number,
        current.manager_id,
        `Contract ${contract.number} was closed: its process was ${reason}`,
        contract.at,
        contract.workflowId,
        current.client_id,
      ],
    );
    const planned = await planStepNews(
      tx,
      {
        stepKey: key,
        workflowId: contract.workflowId,
        at: contract.at.toISOString(),
        process: { type: 'contract', clientId: current.client_id, contractNumber: contract.number },
        step: 'cancellation',
        from: current.status,
        to: 'cancelled',
        details: { reason },
      },
      planning,
    );
    return hasNews(planned) ? { stepKey: key, planned } : undefined;
  });
}
