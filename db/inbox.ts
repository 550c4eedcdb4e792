// What waits on a person and what they were told, for every process: open tasks addressed to
// them or to a role they hold, and their notifications.
import type { Role } from '../domain/people';
import { afterParams, keysetPage, sortKeyColumn, type Page, type PageRequest } from './keyset-pages';
import { queryRows, type Queryable } from './pool';

/** Ids in tasks and notifications are uuids; the bootstrap administrator's is not, and matches none. */
const staffUuid = (staffId: string): string | null =>
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(staffId) ? staffId : null;

export interface TaskRow {
  id: string;
  /** The process it belongs to (contract, onboarding, account) and its client. */
  process: string;
  clientId: string | null;
  contractNumber: string | null;
  kind: string;
  title: string;
  assigneeStaffId: string | null;
  assigneeName: string | null;
  assigneeRole: string;
  openedAt: Date;
  dueAt: Date | null;
}

export const TASK_COLUMNS = `
  t.id, t.process_type AS process, t.client_id AS "clientId", t.contract_number AS "contractNumber", t.kind, t.title,
  t.assignee_staff_id AS "assigneeStaffId", s.name AS "assigneeName", t.assignee_role AS "assigneeRole", t.opened_at AS "openedAt",
  t.due_at AS "dueAt"`;

export const TASK_SELECT = `SELECT ${TASK_COLUMNS} FROM tasks t LEFT JOIN staff s ON s.id = t.assignee_staff_id`;

export async function openTasksPage(db: Queryable, staffId: string, roles: Role[], page: PageRequest): Promise<Page<TaskRow>> {
  return keysetPage<TaskRow>(
    db,
    `SELECT ${TASK_COLUMNS}, ${sortKeyColumn('t.opened_at', 't.id')}
     FROM tasks t LEFT JOIN staff s ON s.id = t.assignee_staff_id
     WHERE t.closed_at IS NULL
       AND (t.assignee_staff_id = $1::uuid OR (t.assignee_staff_id IS NULL AND t.assignee_role = ANY($2::text[])))
       AND ($3::timestamptz IS NULL OR (t.opened_at, t.id) > ($3::timestamptz, $4::uuid))
     ORDER BY t.opened_at, t.id LIMIT $5`,
    [staffUuid(staffId), roles, ...afterParams(page)],
    page,
  );
}

export interface NotificationRow {
  id: string;
  contractNumber: string | null;
  kind: string;
  message: string;
  createdAt: Date;
  /** When the caller marked it read; each person reads a notification addressed to their role for themselves. */
  readAt: Date | null;
}

// Who may see a notification: $1 the caller's staff id (null for the bootstrap administrator), $2 their roles.
const NOTIFICATION_VISIBLE = `(n.recipient_staff_id = $1::uuid OR (n.recipient_staff_id IS NULL AND n.recipient_role = ANY($2::text[])))`;

/** The caller's notifications, newest first. */
export async function notificationsPage(
  db: Queryable,
  reader: { staffId: string; roles: Role[] },
  page: PageRequest & { unread?: boolean },
): Promise<Page<NotificationRow>> {
  return keysetPage<NotificationRow>(
    db,
    `SELECT n.id, n.contract_number AS "contractNumber", n.kind, n.message, n.created_at AS "createdAt",
       nr.read_at AS "readAt", ${sortKeyColumn('n.created_at', 'n.id')}
     FROM notifications n
     LEFT JOIN notification_reads nr ON nr.notification_id = n.id AND nr.reader = $3
     WHERE ${NOTIFICATION_VISIBLE}
       AND ($4::boolean IS NOT TRUE OR nr.read_at IS NULL)
       AND ($5::timestamptz IS NULL OR (n.created_at, n.id) < ($5::timestamptz, $6::uuid))
     ORDER BY n.created_at DESC, n.id DESC LIMIT $7`,
    [staffUuid(reader.staffId), reader.roles, reader.staffId, page.unread ?? false, ...afterParams(page)],
    page,
  );
}

/**
 * Marks the caller's notifications read: the given ids (those that are not the caller's are
 * skipped), or every one when `ids` is undefined. Returns the ids that are read now, newly or not.
 */
export async function markNotificationsRead(
  db: Queryable,
  reader: { staffId: string; roles: Role[] },
  ids?: readonly string[],
): Promise<{ id: string; readAt: Date }[]> {
  return queryRows(
    db,
    `WITH mine AS (
       SELECT n.id FROM notifications n
       WHERE ${NOTIFICATION_VISIBLE} AND ($4::uuid[] IS NULL OR n.id = ANY($4::uuid[]))
     ), marked AS (
       INSERT INTO notification_reads (notification_id, reader)
       SELECT id, $3 FROM mine
       -- A no-op update, so a row read before (or by a concurrent call) is returned with its first read_at.
       ON CONFLICT (notification_id, reader) DO UPDATE SET read_at = notification_reads.read_at
       RETURNING notification_id AS id, read_at AS "readAt"
     )
     SELECT id, "readAt" FROM marked`,
    [staffUuid(reader.staffId), reader.roles, reader.staffId, ids ?? null],
  );
}

/** An open task with the process it belongs to, for the pages' list of what waits on a person. */
export interface OpenTaskOfProcess {
  id: string;
  kind: string;
  ref: string;
  title: string;
  type: string;
  processId: string;
  processNumber: string | null;
  stage: string;
  clientId: string;
  clientName: string;
  assigneeRole: string;
  assigneeStaffId: string | null;
  openedAt: Date;
  dueAt: Date | null;
}

/** What waits on a person and their roles, oldest first. */
export async function openTasksWithProcesses(db: Queryable, staffId: string, roles: Role[], limit: number): Promise<OpenTaskOfProcess[]> {
  return queryRows<OpenTaskOfProcess>(
    db,
    `SELECT t.id, t.kind, t.ref, t.title, p.type, p.id AS "processId", p.number AS "processNumber", p.stage,
       p.client_id AS "clientId", c.legal_name AS "clientName", t.assignee_role AS "assigneeRole",
       t.assignee_staff_id AS "assigneeStaffId", t.opened_at AS "openedAt", t.due_at AS "dueAt"
     FROM tasks t JOIN processes p ON p.workflow_id = t.workflow_id JOIN clients c ON c.id = p.client_id
     WHERE t.closed_at IS NULL
       AND (t.assignee_staff_id = $1::uuid OR (t.assignee_staff_id IS NULL AND t.assignee_role = ANY($2::text[])))
     ORDER BY t.opened_at, t.id LIMIT $3`,
    [staffUuid(staffId), roles, limit],
  );
}
