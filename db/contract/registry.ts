// Reads of the contract registration registry: a contract, the registry as a page or a whole
// export, a contract's open tasks and its timeline. Written only by the contract's activities.
import { afterParams, keysetPage, sortKeyColumn, type Page, type PageRequest } from '../keyset-pages';
import { queryOne, queryRows, type Queryable } from '../pool';
import { REGISTRY_SELECT_LIST, type RegistryEntry } from './registry-fields';
import { TASK_SELECT, type TaskRow } from '../inbox';
import { TIMELINE_COLUMNS, type TimelineRow } from '../timelines';

export type { Page, PageRequest };

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

/** The contract a workflow registered, in one read (its workflow id is unique in the registry). */
export async function findContractOfWorkflow(db: Queryable, workflowId: string): Promise<RegistryEntry | undefined> {
  return queryOne<RegistryEntry>(db, `${REGISTRY_SELECT} WHERE r.workflow_id = $1`, [workflowId]);
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

export async function openTasksOf(db: Queryable, number: string): Promise<TaskRow[]> {
  return queryRows<TaskRow>(db, `${TASK_SELECT} WHERE t.contract_number = $1 AND t.closed_at IS NULL ORDER BY t.opened_at`, [number]);
}

/** A person's open tasks: those addressed to them, and those addressed to a role they hold. */
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
