// Timelines of every process: a client's one timeline (every process about it, in order) and the
// events of given workflows.
import { afterParams, keysetPage, sortKeyColumn, type Page, type PageRequest } from './keyset-pages';
import { queryRows, type Queryable } from './pool';

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

export const TIMELINE_COLUMNS = `
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

/** A step of a process, with the id of its event. */
export interface TimelineItem extends ProcessTimelineRow {
  id: string;
}

/** The timeline events of these workflows, in (at, id) order. */
export async function timelineOfWorkflows(db: Queryable, workflowIds: readonly string[]): Promise<TimelineItem[]> {
  return queryRows<TimelineItem>(
    db,
    `SELECT id::text AS id, process_type AS process, workflow_id AS "workflowId", contract_number AS "contractNumber",
       step, status_from AS "from", status_to AS "to", actor_id AS "actorId", actor_name AS "actorName", at,
       waited_ms::float8 AS "waitedMs", details
     FROM timeline_events WHERE workflow_id = ANY($1::text[])
     ORDER BY at, id`,
    [workflowIds],
  );
}

/** Every move from one stage to another that processes of this type have made: the edges of its state diagram. */
export async function observedTransitions(db: Queryable, processType: string): Promise<{ from: string; to: string }[]> {
  return queryRows(
    db,
    `SELECT DISTINCT status_from AS "from", status_to AS "to" FROM timeline_events
     WHERE process_type = $1 AND status_from IS NOT NULL AND status_from <> status_to`,
    [processType],
  );
}
