// Where time goes: how long each step of every process waited on someone, and on whom. A wait is
// a task, from when it opened to when it was done (an open task by its age so far); per step (a
// process type's task kind) and per person, the count, the median and the 90th percentile, and
// SLA compliance: a task with a due time met it when it was done by then (an open one, while it
// is not yet past it); a task without one, when it was done within its type's overdue threshold.
// Also the timeline's own measure: how long each step of a process waited after the one before.
import type { ProcessType } from '../domain/processes';
import { DEFAULT_OVERDUE_AFTER_MS, type OverdueAfter } from './processes';
import { queryRows, type Queryable } from './pool';

export interface WaitsFilter {
  /** Tasks opened in [from, to]: dates, both inclusive. */
  from: string;
  to: string;
  type?: ProcessType;
}

interface WaitStats {
  /** Tasks opened in the period, and how many of them are still open. */
  count: number;
  open: number;
  medianMs: number;
  p90Ms: number;
  maxMs: number;
  /** Tasks done (or, while open, not yet) within their due time or threshold, and their share of `count`. */
  slaMet: number;
  slaShare: number;
}

export interface StepWaits extends WaitStats {
  type: ProcessType;
  /** The task's kind: the step that waited. */
  kind: string;
}

export interface PersonWaits extends WaitStats {
  /**
   * On whom the waits were: the person the task was addressed to, or, for a task addressed to a
   * role, the person who did it; null while a role's task waits on anyone holding `role`.
   */
  staffId: string | null;
  name: string | null;
  role: string | null;
}

export interface EventWaits {
  type: ProcessType;
  /** The timeline step, and how long the process waited for it after the step before. */
  step: string;
  count: number;
  medianMs: number;
  p90Ms: number;
}

export interface WaitsReport {
  from: string;
  to: string;
  type: ProcessType | null;
  /** The instant open tasks were measured at. */
  asOf: Date;
  /** Slowest median first. */
  steps: StepWaits[];
  people: PersonWaits[];
  events: EventWaits[];
  /** The step with the longest median wait, if any task was opened in the period. */
  slowest: { type: ProcessType; kind: string } | null;
}

const STATS = `count(*)::int AS count,
  count(*) FILTER (WHERE closed_at IS NULL)::int AS open,
  round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms))::float8 AS "medianMs",
  round(percentile_cont(0.9) WITHIN GROUP (ORDER BY ms))::float8 AS "p90Ms",
  round(max(ms))::float8 AS "maxMs",
  count(*) FILTER (WHERE met)::int AS "slaMet",
  (count(*) FILTER (WHERE met))::float8 / count(*) AS "slaShare"`;

/** The tasks of the period with their wait (ms) and whether they met their SLA ($1 from, $2 to, $3 type, $4 now, $5/$6 thresholds, $7 default). */
const TASKS = `
  SELECT t.process_type AS type, t.kind, t.assignee_role, t.closed_at,
    COALESCE(t.assignee_staff_id, CASE WHEN t.closed_by ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN t.closed_by::uuid END) AS staff_id,
    extract(epoch FROM COALESCE(t.closed_at, $4::timestamptz) - t.opened_at) * 1000 AS ms,
    CASE WHEN t.due_at IS NOT NULL THEN COALESCE(t.closed_at, $4::timestamptz) <= t.due_at
         ELSE extract(epoch FROM COALESCE(t.closed_at, $4::timestamptz) - t.opened_at) * 1000 <= COALESCE(o.ms, $7::float8) END AS met
  FROM tasks t
  LEFT JOIN unnest($5::text[], $6::float8[]) AS o(type, ms) ON o.type = t.process_type
  WHERE t.opened_at >= $1::date AND t.opened_at < $2::date + 1 AND ($3::text IS NULL OR t.process_type = $3)`;

export async function waitsReport(db: Queryable, filter: WaitsFilter, overdueAfter: OverdueAfter, now = new Date()): Promise<WaitsReport> {
  const thresholds = Object.entries(overdueAfter).filter(([, ms]) => typeof ms === 'number');
  const params = [
    filter.from,
    filter.to,
    filter.type ?? null,
    now,
    thresholds.map(([type]) => type),
    thresholds.map(([, ms]) => ms),
    DEFAULT_OVERDUE_AFTER_MS,
  ];
  const [steps, people, events] = await Promise.all([
    queryRows<StepWaits>(
      db,
      `SELECT type, kind, ${STATS} FROM (${TASKS}) w GROUP BY type, kind ORDER BY "medianMs" DESC, "p90Ms" DESC, type, kind`,
      params,
    ),
    queryRows<PersonWaits>(
      db,
      `SELECT w.staff_id AS "staffId", s.name, CASE WHEN w.staff_id IS NULL THEN w.assignee_role END AS role, ${STATS}
       FROM (${TASKS}) w LEFT JOIN staff s ON s.id = w.staff_id
       GROUP BY w.staff_id, s.name, CASE WHEN w.staff_id IS NULL THEN w.assignee_role END
       ORDER BY "medianMs" DESC, "p90Ms" DESC, s.name, role`,
      params,
    ),
    queryRows<EventWaits>(
      db,
      `SELECT process_type AS type, step, count(*)::int AS count,
         round(percentile_cont(0.5) WITHIN GROUP (ORDER BY waited_ms))::float8 AS "medianMs",
         round(percentile_cont(0.9) WITHIN GROUP (ORDER BY waited_ms))::float8 AS "p90Ms"
       FROM timeline_events
       WHERE at >= $1::date AND at < $2::date + 1 AND ($3::text IS NULL OR process_type = $3)
       GROUP BY process_type, step ORDER BY "medianMs" DESC, process_type, step`,
      params.slice(0, 3),
    ),
  ]);
  const first = steps[0];
  return {
    from: filter.from,
    to: filter.to,
    type: filter.type ?? null,
    asOf: now,
    steps,
    people,
    events,
    slowest: first ? { type: first.type, kind: first.kind } : null,
  };
}
