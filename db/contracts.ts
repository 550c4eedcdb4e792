// Reads of the contract registration registry and what hangs off it: documents, tasks,
// notifications and the timeline. Writes happen only in workflow activities.
import type { Role } from '../domain/people';
import { afterParams, keysetPage, sortKeyColumn, type Page, type PageRequest } from './keyset-pages';
import { queryOne, queryRows, type Queryable } from './pool';
import { REGISTRY_SELECT_LIST, type RegistryEntry } from './registry-fields';

export type { Page, PageRequest };

/** Ids in tasks and notifications are uuids; the bootstrap administrator's is not, and matches none. */
const staffUuid = (staffId: string): string | null =>
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(staffId) ? staffId : null;

export type { RegistryEntry };

const REGISTRY_COLUMNS = REGISTRY_SELECT_LIST;

const REGISTRY_FROM = `
  FROM contract_registry r
  JOIN clients c ON c.id = r.client_id
  JOIN staff s ON s.id = r.manager_id`;

const REGISTRY_SELECT = `SELECT ${REGISTRY_COLUMNS} ${REGISTRY_FROM}`;

export async function findContract(db: Queryable, number: string): Promise<RegistryEntry | undefined> {
  return queryOne<RegistryEntry>(db, `${REGISTRY_SELECT} WHERE r.number = $1`, [number]);
}

export interface RegistryFilter {
  status?: string;
  managerId?: string;
  /** Registration dates, inclusive. */
  from?: string;
  to?: string;
}

const REGISTRY_WHERE = `
  WHERE ($1::text IS NULL OR r.status = $1)
    AND ($2::uuid IS NULL OR r.manager_id = $2)
    AND ($3::date IS NULL OR r.registered_at >= $3::date)
    AND ($4::date IS NULL OR r.registered_at < $4::date + 1)`;

const filterParams = (filter: RegistryFilter): unknown[] => [
  filter.status ?? null,
  filter.managerId ?? null,
  filter.from ?? null,
  filter.to ?? null,
];

/** Every entry matching the filter, in registration order (the CSV export is not paged). */
export async function listRegistry(db: Queryable, filter: RegistryFilter): Promise<RegistryEntry[]> {
  return queryRows<RegistryEntry>(db, `${REGISTRY_SELECT} ${REGISTRY_WHERE} ORDER BY r.registered_at, r.number`, filterParams(filter));
}

export async function registryPage(db: Queryable, filter: RegistryFilter, page: PageRequest): Promise<Page<RegistryEntry>> {
  return keysetPage<RegistryEntry>(
    db,
    `SELECT ${REGISTRY_COLUMNS}, ${sortKeyColumn('r.registered_at', 'r.number')} ${REGISTRY_FROM} ${REGISTRY_WHERE}
       AND ($5::timestamptz IS NULL OR (r.registered_at, r.number) > ($5::timestamptz, $6::text))
     ORDER BY r.registered_at, r.number LIMIT $7`,
    [...filterParams(filter), ...afterParams(page)],
    page,
  );
}

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

const TASK_COLUMNS = `
  t.id, t.process_type AS process, t.client_id AS "clientId", t.contract_number AS "contractNumber", t.kind, t.title,
  t.assignee_staff_id AS "assigneeStaffId", s.name AS "assigneeName", t.assignee_role AS "assigneeRole", t.opened_at AS "openedAt",
  t.due_at AS "dueAt"`;

const TASK_SELECT = `SELECT ${TASK_COLUMNS} FROM tasks t LEFT JOIN staff s ON s.id = t.assignee_staff_id`;

export async function openTasksOf(db: Queryable, number: string): Promise<TaskRow[]> {
  return queryRows<TaskRow>(db, `${TASK_SELECT} WHERE t.contract_number = $1 AND t.closed_at IS NULL ORDER BY t.opened_at`, [number]);
}

/** A person's open tasks: those addressed to them, and those addressed to a role they hold. */
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

const TIMELINE_COLUMNS = `
  step, status_from AS "from", status_to AS "to", actor_id AS "actorId", actor_name AS "actorName", at,
  waited_ms::float8 AS "waitedMs", details`;

/** A timeline step with the process it belongs to, for timelines that span processes. */
export interface ProcessTimelineRow extends TimelineRow {
  /** The process the step belongs to. */
  process: string;
  workflowId: string;
  contractNumber: string | null;
}

/** A client's one timeline: the steps of every process about it (onboardings, contracts, …) in order. */
export async function clientTimelinePage(db: Queryable, clientId: string, page: PageRequest): Promise<Page<ProcessTimelineRow>> {
  return keysetPage<ProcessTimelineRow>(
    db,
    `SELECT process_type AS process, workflow_id AS "workflowId", contract_number AS "contractNumber", ${TIMELINE_COLUMNS},
       ${sortKeyColumn('at', 'id::text')}
     FROM timeline_events
     WHERE client_id = $1 AND ($2::timestamptz IS NULL OR (at, id) > ($2::timestamptz, $3::bigint))
     ORDER BY at, id LIMIT $4`,
    [clientId, ...afterParams(page)],
    page,
  );
}

export async function timelinePage(db: Queryable, number: string, page: PageRequest): Promise<Page<TimelineRow>> {
  return keysetPage<TimelineRow>(
    db,
    `SELECT ${TIMELINE_COLUMNS}, ${sortKeyColumn('at', 'id::text')}
     FROM timeline_events
     WHERE contract_number = $1 AND ($2::timestamptz IS NULL OR (at, id) > ($2::timestamptz, $3::bigint))
     ORDER BY at, id LIMIT $4`,
    [number, ...afterParams(page)],
    page,
  );
}
