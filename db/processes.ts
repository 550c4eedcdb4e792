// Processes of every type as one list (GET /api/processes, from the `processes` table the step
// recorder writes), and what every process waits on: its open tasks, keyed by its workflow id.
import type { ProcessType } from '../domain/processes';
import type { HealthReason } from '../workflows/account/rules';
import { queryOne, queryRows, type Queryable } from './pool';
import { afterParams, keysetPage, sortKeyColumn, type Page, type PageRequest } from './keyset-pages';

export { afterParams, keysetPage, sortKeyColumn, type Page, type PageRequest };

// ---- Open tasks -----------------------------------------------------------------------------------

/** An open task of a process, as every list and read shows it. */
export interface WaitingOn {
  task: string;
  title: string;
  assigneeRole: string;
  assigneeStaffId: string | null;
  since: Date;
  /** When it is due, where its process keeps a deadline for it. */
  dueAt: Date | null;
}

export interface OpenTask extends WaitingOn {
  id: string;
  ref: string;
  workflowId: string;
  process: string;
  contractNumber: string | null;
  assigneeName: string | null;
}

/** The open tasks of these workflows, oldest first. */
export async function openTasksOfWorkflows(db: Queryable, workflowIds: readonly string[]): Promise<OpenTask[]> {
  if (workflowIds.length === 0) return [];
  return queryRows<OpenTask>(
    db,
    `SELECT t.id, t.ref, t.workflow_id AS "workflowId", t.process_type AS process, t.contract_number AS "contractNumber",
       t.kind AS task, t.title, t.assignee_role AS "assigneeRole", t.assignee_staff_id AS "assigneeStaffId",
       s.name AS "assigneeName", t.opened_at AS since, t.due_at AS "dueAt"
     FROM tasks t LEFT JOIN staff s ON s.id = t.assignee_staff_id
     WHERE t.workflow_id = ANY($1::text[]) AND t.closed_at IS NULL
     ORDER BY t.opened_at, t.id`,
    [workflowIds],
  );
}

// ---- The process list -----------------------------------------------------------------------------

export interface ProcessFilter {
  type?: ProcessType;
  stage?: string;
  managerId?: string;
  clientId?: string;
  /** Only processes with an open task older than their type's step reminder delay, or an open escalation. */
  overdue?: boolean;
}

/** When an open task counts as overdue, per process type (ms); a type not named here uses DEFAULT_OVERDUE_AFTER_MS. */
export type OverdueAfter = Partial<Record<ProcessType, number>>;
export const DEFAULT_OVERDUE_AFTER_MS = 2 * 86_400_000;

export interface ProcessItem {
  type: ProcessType;
  /** What it is called in its URLs: a contract's number, an onboarding's or an amendment's id, an account's client. */
  id: string;
  /** Its number, where it has one (a contract's, an amendment's). */
  number: string | null;
  workflowId: string;
  /** The process that started it, if any. */
  parentWorkflowId: string | null;
  clientId: string;
  clientName: string;
  stage: string;
  managerId: string | null;
  managerName: string | null;
  startedAt: Date;
  closedAt: Date | null;
  /** How long the process has run: until now, or until it closed. */
  ageMs: number;
  waitingOn: WaitingOn[];
  /** Since when it waits: its oldest open task, or null when it waits on nobody. */
  waitingSince: Date | null;
  /** The client's health (its account relationship), or null while it has none. */
  health: { score: number; reasons: HealthReason[] } | null;
}

// One table for every type (`processes`, written by the step recorder). Parameters: $1 stage,
// $2 manager, $3 client, $4 overdue, $5 the overdue delays by type (jsonb, ms), $6 the default
// delay, $7/$8 the cursor, $9 the limit, $10 the type, $11 the parent.
const PROCESSES_SQL = `
  SELECT p.type, p.id, p.number, p.workflow_id AS "workflowId", p.parent_workflow_id AS "parentWorkflowId",
    p.client_id AS "clientId", c.legal_name AS "clientName",
    p.stage, p.manager_id AS "managerId", s.name AS "managerName", p.started_at AS "startedAt", p.closed_at AS "closedAt",
    (extract(epoch FROM COALESCE(p.closed_at, now()) - p.started_at) * 1000)::float8 AS "ageMs",
    COALESCE(w.items, '[]'::json) AS "waitingOn", w.since AS "waitingSince",
    CASE WHEN h.client_id IS NULL THEN NULL ELSE json_build_object('score', h.health, 'reasons', h.health_reasons) END AS health,
    ${sortKeyColumn('p.started_at', 'p.id')}
  FROM processes p
  JOIN clients c ON c.id = p.client_id
  LEFT JOIN staff s ON s.id = p.manager_id
  LEFT JOIN accounts h ON h.client_id = p.client_id
  LEFT JOIN LATERAL (
    SELECT json_agg(json_build_object(
             'task', t.kind, 'title', t.title, 'assigneeRole', t.assignee_role,
             'assigneeStaffId', t.assignee_staff_id, 'since', t.opened_at, 'dueAt', t.due_at)
           ORDER BY t.opened_at, t.id) AS items,
           min(t.opened_at) AS since
    FROM tasks t WHERE t.workflow_id = p.workflow_id AND t.closed_at IS NULL
  ) w ON true
  WHERE ($10::text IS NULL OR p.type = $10)
    AND ($1::text IS NULL OR p.stage = $1)
    AND ($2::uuid IS NULL OR p.manager_id = $2)
    AND ($3::uuid IS NULL OR p.client_id = $3)
    AND ($11::text IS NULL OR p.parent_workflow_id = $11)
    AND ($7::timestamptz IS NULL OR (p.started_at, p.id) < ($7::timestamptz, $8::text))
    AND ($4::boolean IS NOT TRUE OR EXISTS (
      SELECT 1 FROM tasks ot
      WHERE ot.workflow_id = p.workflow_id AND ot.closed_at IS NULL
        AND (ot.kind = 'escalation'
          OR ot.opened_at < now() - COALESCE(($5::jsonb ->> p.type)::bigint, $6::bigint) * interval '1 millisecond')))
  ORDER BY p.started_at DESC, p.id DESC
  LIMIT $9`;

/** Processes of every type (or one), newest first, a keyset page on (started_at, id). */
export async function processesPage(
  db: Queryable,
  filter: ProcessFilter & { parentWorkflowId?: string },
  overdueAfter: OverdueAfter,
  page: PageRequest,
): Promise<Page<ProcessItem>> {
  return keysetPage<ProcessItem>(
    db,
    PROCESSES_SQL,
    [
      filter.stage ?? null,
      filter.managerId ?? null,
      filter.clientId ?? null,
      filter.overdue ?? false,
      JSON.stringify(Object.fromEntries(Object.entries(overdueAfter).map(([type, ms]) => [type, Math.round(ms!)]))),
      DEFAULT_OVERDUE_AFTER_MS,
      ...afterParams(page),
      filter.type ?? null,
      filter.parentWorkflowId ?? null,
    ],
    page,
    (row) => ({
      ...row,
      waitingOn: (row.waitingOn as (Omit<WaitingOn, 'since' | 'dueAt'> & { since: string; dueAt: string | null })[]).map((t) => ({
        ...t,
        since: new Date(t.since),
        dueAt: t.dueAt ? new Date(t.dueAt) : null,
      })),
    }),
  );
}

/** The processes a process started (a contract's amendments, an onboarding's contracts), oldest first. */
export async function childrenOf(
  db: Queryable,
  parentWorkflowId: string,
): Promise<
  { type: string; id: string; number: string | null; workflowId: string; stage: string; startedAt: Date; closedAt: Date | null }[]
> {
  return queryRows(
    db,
    `SELECT type, id, number, workflow_id AS "workflowId", stage, started_at AS "startedAt", closed_at AS "closedAt"
     FROM processes WHERE parent_workflow_id = $1 ORDER BY started_at, id`,
    [parentWorkflowId],
  );
}

// ---- One process, for its page ---------------------------------------------------------------------

export interface ProcessRecord {
  type: ProcessType;
  id: string;
  number: string | null;
  workflowId: string;
  clientId: string;
  clientName: string;
  stage: string;
  managerName: string | null;
  startedAt: Date;
  closedAt: Date | null;
  parent: { type: ProcessType; id: string; number: string | null; stage: string } | null;
}

export async function findProcess(db: Queryable, type: string, id: string): Promise<ProcessRecord | undefined> {
  return queryOne<ProcessRecord>(
    db,
    `SELECT p.type, p.id, p.number, p.workflow_id AS "workflowId", p.client_id AS "clientId", c.legal_name AS "clientName",
       p.stage, s.name AS "managerName", p.started_at AS "startedAt", p.closed_at AS "closedAt",
       CASE WHEN pp.workflow_id IS NULL THEN NULL
            ELSE json_build_object('type', pp.type, 'id', pp.id, 'number', pp.number, 'stage', pp.stage) END AS parent
     FROM processes p JOIN clients c ON c.id = p.client_id
     LEFT JOIN staff s ON s.id = p.manager_id
     LEFT JOIN processes pp ON pp.workflow_id = p.parent_workflow_id
     WHERE p.type = $1 AND p.id = $2`,
    [type, id],
  );
}

/** A task of a process, open or done: one bar of its timeline. */
export interface TaskSpan {
  id: string;
  kind: string;
  title: string;
  assigneeRole: string;
  assigneeName: string | null;
  openedAt: Date;
  closedAt: Date | null;
  closedBy: string | null;
  dueAt: Date | null;
}

/** Every task a process opened, in order (its waits, and on whom each was). */
export async function tasksOfWorkflow(db: Queryable, workflowId: string): Promise<TaskSpan[]> {
  return queryRows<TaskSpan>(
    db,
    `SELECT t.id, t.kind, t.title, t.assignee_role AS "assigneeRole", s.name AS "assigneeName", t.opened_at AS "openedAt",
       t.closed_at AS "closedAt", t.closed_by AS "closedBy", t.due_at AS "dueAt"
     FROM tasks t LEFT JOIN staff s ON s.id = t.assignee_staff_id
     WHERE t.workflow_id = $1 ORDER BY t.opened_at, t.id`,
    [workflowId],
  );
}

/** How many processes are in each stage, per type, under the same filter as the list (the stage's own filter aside). */
export async function stageCounts(
  db: Queryable,
  filter: Omit<ProcessFilter, 'stage' | 'overdue'>,
): Promise<{ type: ProcessType; stage: string; count: number }[]> {
  return queryRows(
    db,
    `SELECT type, stage, count(*)::int AS count FROM processes
     WHERE ($1::text IS NULL OR type = $1) AND ($2::uuid IS NULL OR manager_id = $2) AND ($3::uuid IS NULL OR client_id = $3)
     GROUP BY type, stage ORDER BY type, stage`,
    [filter.type ?? null, filter.managerId ?? null, filter.clientId ?? null],
  );
}
