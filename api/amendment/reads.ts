// Reads of amendments: one with its text, parties and documents, and a contract's amendments.
import type { Queryable } from '../../db/pool';
import { queryOne, queryRows } from '../../db/pool';
import { uuid } from '../../domain/schemas';

export interface AmendmentView {
  id: string;
  number: string;
  workflowId: string;
  contractNumber: string;
  status: string;
  clientId: string;
  clientName: string;
  managerId: string;
  managerName: string | null;
  changes: Record<string, unknown>;
  deviations: { clause: string; standard: string; proposed: string }[];
  reason: string;
  /** The contract's terms when the amendment was registered. */
  termsBefore: Record<string, unknown>;
  registeredAt: Date;
  approvedAt: Date | null;
  approvedBy: string | null;
  signedAt: Date | null;
  signedBy: string | null;
  documentId: string | null;
  /** Where its signed PDF is served, once signed. */
  documentUrl: string | null;
  sentDate: string | null;
  dispatchChannel: string | null;
  trackingRef: string | null;
  returnedDate: string | null;
  archivedAt: Date | null;
  archiveLocation: string | null;
  inForceAt: Date | null;
  closedAt: Date | null;
  closeReason: string | null;
}

const SELECT = `
  SELECT a.id, a.number, a.workflow_id AS "workflowId", a.contract_number AS "contractNumber", a.status,
    a.client_id AS "clientId", c.legal_name AS "clientName", a.manager_id AS "managerId", s.name AS "managerName",
    a.changes, a.deviations, a.reason, a.terms_before - 'template' - 'registeredAt' AS "termsBefore",
    a.registered_at AS "registeredAt", a.approved_at AS "approvedAt", a.approved_by AS "approvedBy",
    a.signed_at AS "signedAt", a.signed_by AS "signedBy", a.document_id AS "documentId",
    CASE WHEN a.document_id IS NULL THEN NULL ELSE '/api/documents/' || a.document_id END AS "documentUrl",
    a.sent_date::text AS "sentDate", a.dispatch_channel AS "dispatchChannel", a.tracking_ref AS "trackingRef",
    a.returned_date::text AS "returnedDate", a.archived_at AS "archivedAt", a.archive_location AS "archiveLocation",
    a.in_force_at AS "inForceAt", a.closed_at AS "closedAt", a.close_reason AS "closeReason"
  FROM amendments a JOIN clients c ON c.id = a.client_id LEFT JOIN staff s ON s.id = a.manager_id`;

/** One amendment, or undefined when the id names none (a malformed id included). */
export async function findAmendment(db: Queryable, id: string): Promise<AmendmentView | undefined> {
  if (!uuid.safeParse(id).success) return undefined;
  return queryOne<AmendmentView>(db, `${SELECT} WHERE a.id = $1`, [id]);
}

export async function findAmendmentByWorkflow(db: Queryable, workflowId: string): Promise<AmendmentView | undefined> {
  return queryOne<AmendmentView>(db, `${SELECT} WHERE a.workflow_id = $1`, [workflowId]);
}

/** A contract's amendments, in their order. */
export async function amendmentsOfContract(db: Queryable, contractNumber: string): Promise<AmendmentView[]> {
  return queryRows<AmendmentView>(db, `${SELECT} WHERE a.contract_number = $1 ORDER BY a.seq`, [contractNumber]);
}

/** How many of a contract's amendments are still open (neither in force nor ended). */
export async function openAmendmentsOf(db: Queryable, contractNumber: string): Promise<number> {
  const row = await queryOne<{ open: number }>(
    db,
    `SELECT count(*)::int AS open FROM amendments WHERE contract_number = $1 AND status NOT IN ('in_force', 'rejected', 'cancelled')`,
    [contractNumber],
  );
  return row?.open ?? 0;
}

/** The amendment's draft text, written before its workflow hears of it; true when this call wrote it (not a retry's). */
export async function saveAmendmentDraft(
  db: Queryable,
  draft: { id: string; amendmentId: string; changes: unknown; deviations: unknown; reason: string; createdBy: string },
): Promise<boolean> {
  const result = await db.query(
    `INSERT INTO amendment_drafts (id, amendment_id, changes, deviations, reason, created_by) VALUES ($1,$2,$3,$4,$5,$6)
     ON CONFLICT (id) DO NOTHING`,
    [draft.id, draft.amendmentId, JSON.stringify(draft.changes), JSON.stringify(draft.deviations), draft.reason, draft.createdBy],
  );
  return result.rowCount === 1;
}

/** A draft no step took (its step was refused). */
export async function deleteAmendmentDraft(db: Queryable, id: string): Promise<void> {
  await db.query('DELETE FROM amendment_drafts WHERE id = $1', [id]);
}
