// Processes of every type as one list (GET /api/processes), and what every process waits on: its
// open tasks. Contracts come from the registry, onboardings from their projection; both are keyed
// by their workflow id in the tasks table, so "what it waits on" is the same query for any type.
import type { ProcessType } from '../domain/processes';
import type { HealthReason } from '../domain/account';
import { queryRows, type Queryable } from './pool';
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

/** When an open task counts as overdue, per process type. */
export interface OverdueAfter {
  contractMs: number;
  onboardingMs: number;
  accountMs: number;
}

export interface ProcessItem {
  type: ProcessType;
  /** The contract number, or the onboarding id. */
  id: string;
  workflowId: string;
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

// Each branch is filtered on its own, so each can use its table's indexes. Parameters: $1 stage,
// $2 manager, $3 client, $4 overdue, $5/$6 the overdue delays (ms) for contracts/onboardings,
// $7/$8 the cursor, $9 the limit, $10 the type, $11 the overdue delay for accounts.
const OVERDUE = (delayParam: string) => `
  ($4::boolean IS NOT TRUE OR EXISTS (
     SELECT 1 FROM tasks ot
     WHERE ot.workflow_id = p.workflow_id AND ot.closed_at IS NULL
       AND (ot.kind = 'escalation' OR ot.opened_at < now() - ${delayParam}::bigint * interval '1 millisecond')))`;

const BRANCH_FILTER = `
  ($1::text IS NULL OR p.stage = $1)
  AND ($2::uuid IS NULL OR p.manager_id = $2)
  AND ($3::uuid IS NULL OR p.client_id = $3)
  AND ($7::timestamptz IS NULL OR (p.started_at, p.id) < ($7::timestamptz, $8::text))`;

const CONTRACTS = `
  SELECT * FROM (
    SELECT 'contract'::text AS type, r.number AS id, r.workflow_id, r.client_id, r.status AS stage, r.manager_id,
      r.registered_at AS started_at, r.closed_at
    FROM contract_registry r
  ) p
  WHERE ($10::text IS NULL OR $10 = 'contract') AND ${BRANCH_FILTER} AND ${OVERDUE('$5')}`;

const ONBOARDINGS = `
  SELECT * FROM (
    SELECT 'onboarding'::text AS type, o.id::text AS id, o.workflow_id, o.client_id, o.stage, o.manager_id,
      o.created_at AS started_at, o.closed_at
    FROM onboardings o
  ) p
  WHERE ($10::text IS NULL OR $10 = 'onboarding') AND ${BRANCH_FILTER} AND ${OVERDUE('$6')}`;

// The relationship with a client, keyed by its client.
const ACCOUNTS = `
  SELECT * FROM (
    SELECT 'account'::text AS type, a.client_id::text AS id, a.workflow_id, a.client_id, a.stage, a.manager_id,
      a.started_at, a.lost_at AS closed_at
    FROM accounts a
  ) p
  WHERE ($10::text IS NULL OR $10 = 'account') AND ${BRANCH_FILTER} AND ${OVERDUE('$11')}`;

// A branch of another type is cut by a constant condition (Postgres skips it at once); one
// statement for every filter, whose parameters all have types.
const PROCESSES_SQL = (() => {
  // Each branch is limited before the union (newest first within it), so neither is read whole.
  const limited = [CONTRACTS, ONBOARDINGS, ACCOUNTS]
    .map((b) => `(${b} ORDER BY started_at DESC, id DESC LIMIT $9)`)
    .join('\n  UNION ALL\n  ');
  return `
    SELECT p.type, p.id, p.workflow_id AS "workflowId", p.client_id AS "clientId", c.legal_name AS "clientName",
      p.stage, p.manager_id AS "managerId", s.name AS "managerName", p.started_at AS "startedAt", p.closed_at AS "closedAt",
      (extract(epoch FROM COALESCE(p.closed_at, now()) - p.started_at) * 1000)::float8 AS "ageMs",
      COALESCE(w.items, '[]'::json) AS "waitingOn", w.since AS "waitingSince",
      CASE WHEN h.client_id IS NULL THEN NULL ELSE json_build_object('score', h.health, 'reasons', h.health_reasons) END AS health,
      ${sortKeyColumn('p.started_at', 'p.id')}
    FROM (
      ${limited}
    ) p
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
    ORDER BY p.started_at DESC, p.id DESC
    LIMIT $9`;
})();

/** Processes of every type (or one), newest first, a keyset page on (started_at, id). */
export async function processesPage(
  db: Queryable,
  filter: ProcessFilter,
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
      Math.round(overdueAfter.contractMs),
      Math.round(overdueAfter.onboardingMs),
      ...afterParams(page),
      filter.type ?? null,
      Math.round(overdueAfter.accountMs),
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
