// Drafts of contract terms and the Idempotency-Keys of contract requests: written by the API
// before a workflow hears of them, so workflows and activities carry ids, not drafts.
import type { ContractDraft } from '../../workflows/contract/rules';
import { queryOne, type Queryable } from '../pool';

/** Writes a draft; true when this call wrote it, false when a retry of the same request had. */
export async function saveDraft(
  db: Queryable,
  draft: { id: string; workflowId: string; draft: ContractDraft; createdBy: string },
): Promise<boolean> {
  // A retried request writes the same id again: the first draft stays.
  const result = await db.query(
    `INSERT INTO contract_drafts (id, workflow_id, draft, created_by) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING`,
    [draft.id, draft.workflowId, JSON.stringify(draft.draft), draft.createdBy],
  );
  return result.rowCount === 1;
}

/** A draft no step took (its step was refused). */
export async function deleteDraft(db: Queryable, id: string): Promise<void> {
  await db.query('DELETE FROM contract_drafts WHERE id = $1', [id]);
}

/**
 * Binds (staff, key) to a workflow id once; later calls learn whether they sent the same body.
 * Concurrent first calls race on the primary key (and on the workflow id, derived from it): any
 * conflict means another call bound it, and all of them read the one row that won.
 */
export async function bindIdempotencyKey(
  db: Queryable,
  request: { staffId: string; key: string; bodySha256: string; workflowId: string },
): Promise<{ workflowId: string; sameBody: boolean }> {
  await db.query(
    `INSERT INTO contract_requests (staff_id, idempotency_key, body_sha256, workflow_id) VALUES ($1, $2, $3, $4)
     ON CONFLICT DO NOTHING`,
    [request.staffId, request.key, request.bodySha256, request.workflowId],
  );
  const row = (await queryOne<{ body_sha256: string; workflow_id: string }>(
    db,
    'SELECT body_sha256, workflow_id FROM contract_requests WHERE staff_id = $1 AND idempotency_key = $2',
    [request.staffId, request.key],
  ))!;
  return { workflowId: row.workflow_id, sameBody: row.body_sha256 === request.bodySha256 };
}

export async function numberOfWorkflow(db: Queryable, workflowId: string): Promise<string | undefined> {
  const row = await queryOne<{ number: string }>(db, 'SELECT number FROM contract_registry WHERE workflow_id = $1', [workflowId]);
  return row?.number;
}
