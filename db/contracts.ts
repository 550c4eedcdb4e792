// Reads of the contract registration registry and what hangs off it: documents, tasks,
// notifications and the timeline. Writes happen only in workflow activities.
import type { Role } from '../domain/contract';
import { queryOne, queryRows, type Queryable } from './pool';

export interface RegistryEntry {
  number: string;
  workflowId: string;
  status: string;
  clientId: string;
  clientCode: string;
  clientName: string;
  managerId: string;
  managerName: string;
  template: string;
  subject: string;
  amount: string;
  currency: string;
  startDate: string;
  endDate: string;
  paymentTermsDays: number;
  deviations: unknown[];
  additionalAgreement: string | null;
  specialAppendix: string | null;
  registeredAt: Date;
  approvedAt: Date | null;
  approvedBy: string | null;
  signedAt: Date | null;
  signedBy: string | null;
  sentDate: string | null;
  dispatchChannel: string | null;
  trackingRef: string | null;
  scanReceivedDate: string | null;
  returnedDate: string | null;
  archiveRef: string | null;
  archivedAt: Date | null;
  closedAt: Date | null;
  closeReason: string | null;
}

const REGISTRY_SELECT = `
  SELECT r.number, r.workflow_id AS "workflowId", r.status, r.client_id AS "clientId", c.code AS "clientCode",
    c.legal_name AS "clientName", r.manager_id AS "managerId", s.name AS "managerName", r.template, r.subject,
    r.amount::text AS amount, r.currency, r.start_date::text AS "startDate", r.end_date::text AS "endDate",
    r.payment_terms_days AS "paymentTermsDays", r.deviations, r.additional_agreement AS "additionalAgreement",
    r.special_appendix AS "specialAppendix", r.registered_at AS "registeredAt", r.approved_at AS "approvedAt",
    r.approved_by AS "approvedBy", r.signed_at AS "signedAt", r.signed_by AS "signedBy", r.sent_date::text AS "sentDate",
    r.dispatch_channel AS "dispatchChannel", r.tracking_ref AS "trackingRef",
    r.scan_received_date::text AS "scanReceivedDate", r.returned_date::text AS "returnedDate",
    r.archive_ref AS "archiveRef", r.archived_at AS "archivedAt", r.closed_at AS "closedAt", r.close_reason AS "closeReason"
  FROM contract_registry r
  JOIN clients c ON c.id = r.client_id
  JOIN staff s ON s.id = r.manager_id`;

export async function findContract(db: Queryable, number: string): Promise<RegistryEntry | undefined> {
  return queryOne<RegistryEntry>(db, `${REGISTRY_SELECT} WHERE r.number = $1`, [number]);
}

/** The workflow behind a contract number, for sending it a step. */
export async function workflowIdOf(db: Queryable, number: string): Promise<string | undefined> {
  const row = await queryOne<{ workflowId: string }>(db, 'SELECT workflow_id AS "workflowId" FROM contract_registry WHERE number = $1', [number]);
  return row?.workflowId;
}

export interface RegistryFilter {
  status?: string;
  managerId?: string;
  /** Registration dates, inclusive. */
  from?: string;
  to?: string;
}

export async function listRegistry(db: Queryable, filter: RegistryFilter): Promise<RegistryEntry[]> {
  return queryRows<RegistryEntry>(
    db,
    `${REGISTRY_SELECT}
     WHERE ($1::text IS NULL OR r.status = $1)
       AND ($2::uuid IS NULL OR r.manager_id = $2)
       AND ($3::date IS NULL OR r.registered_at >= $3::date)
       AND ($4::date IS NULL OR r.registered_at < $4::date + 1)
     ORDER BY r.registered_at, r.number`,
    [filter.status ?? null, filter.managerId ?? null, filter.from ?? null, filter.to ?? null],
  );
}

export interface DocumentInfo {
  id: string;
  kind: string;
  fileName: string;
  contentType: string;
  sha256: string;
  size: number;
  createdAt: Date;
}

export async function documentsOf(db: Queryable, number: string): Promise<DocumentInfo[]> {
  return queryRows<DocumentInfo>(
    db,
    `SELECT id, kind, file_name AS "fileName", content_type AS "contentType", sha256, octet_length(content) AS size,
       created_at AS "createdAt"
     FROM documents WHERE contract_number = $1 ORDER BY created_at`,
    [number],
  );
}

export async function contractDocument(
  db: Queryable,
  number: string,
): Promise<{ fileName: string; contentType: string; content: Buffer } | undefined> {
  return queryOne(
    db,
    `SELECT file_name AS "fileName", content_type AS "contentType", content
     FROM documents WHERE contract_number = $1 AND kind = 'contract' ORDER BY created_at DESC LIMIT 1`,
    [number],
  );
}

export interface TaskRow {
  id: string;
  contractNumber: string;
  kind: string;
  title: string;
  assigneeStaffId: string | null;
  assigneeName: string | null;
  assigneeRole: string;
  openedAt: Date;
}

const TASK_SELECT = `
  SELECT t.id, t.contract_number AS "contractNumber", t.kind, t.title, t.assignee_staff_id AS "assigneeStaffId",
    s.name AS "assigneeName", t.assignee_role AS "assigneeRole", t.opened_at AS "openedAt"
  FROM tasks t LEFT JOIN staff s ON s.id = t.assignee_staff_id`;

export async function openTasksOf(db: Queryable, number: string): Promise<TaskRow[]> {
  return queryRows<TaskRow>(db, `${TASK_SELECT} WHERE t.contract_number = $1 AND t.closed_at IS NULL ORDER BY t.opened_at`, [number]);
}

/** A person's open tasks: those addressed to them, and those addressed to a role they hold. */
export async function openTasksFor(db: Queryable, staffId: string, roles: Role[]): Promise<TaskRow[]> {
  return queryRows<TaskRow>(
    db,
    `${TASK_SELECT}
     WHERE t.closed_at IS NULL
       AND (t.assignee_staff_id::text = $1 OR (t.assignee_staff_id IS NULL AND t.assignee_role = ANY($2::text[])))
     ORDER BY t.opened_at`,
    [staffId, roles],
  );
}

export interface NotificationRow {
  id: string;
  contractNumber: string | null;
  kind: string;
  message: string;
  createdAt: Date;
}

export async function notificationsFor(db: Queryable, staffId: string, roles: Role[], limit = 200): Promise<NotificationRow[]> {
  return queryRows<NotificationRow>(
    db,
    `SELECT id, contract_number AS "contractNumber", kind, message, created_at AS "createdAt"
     FROM notifications
     WHERE recipient_staff_id::text = $1 OR (recipient_staff_id IS NULL AND recipient_role = ANY($2::text[]))
     ORDER BY created_at DESC, id LIMIT $3`,
    [staffId, roles, limit],
  );
}

export interface TimelineRow {
  step: string;
  from: string | null;
  to: string;
  actorId: string | null;
  actorName: string | null;
  at: Date;
  waitedMs: number;
  details: Record<string, unknown>;
}

export async function timelineOf(db: Queryable, number: string): Promise<TimelineRow[]> {
  return queryRows<TimelineRow>(
    db,
    `SELECT step, status_from AS "from", status_to AS "to", actor_id AS "actorId", actor_name AS "actorName", at,
       waited_ms::float8 AS "waitedMs", details
     FROM timeline_events WHERE contract_number = $1 ORDER BY at, id`,
    [number],
  );
}
