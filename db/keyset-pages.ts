// Keyset pages: a page is the rows after the last one the caller saw, in a total order (a
// timestamp, then a unique tiebreak), so rows written meanwhile are neither skipped nor repeated,
// at any depth. The cursor carries that last row's sort key.
import { encodeCursor } from '../domain/schemas';
import { queryRows, type Queryable } from './pool';

export interface PageRequest {
  limit: number;
  /** The sort key of the last row of the previous page, as decoded from its cursor. */
  after?: readonly [string, string];
}

export interface Page<T> {
  items: T[];
  /** null on the last page. */
  nextCursor: string | null;
}

const KEY = '"_sortKey"';

/** A (timestamp, tiebreak) sort key in microseconds, as the cursor carries it. */
export const sortKeyColumn = (at: string, tiebreak: string) =>
  `json_build_array(to_char(${at} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), ${tiebreak}) AS ${KEY}`;

/** The `after` key as two query parameters, then the row limit (one more, to see if a next page exists). */
export const afterParams = (page: PageRequest): unknown[] => [page.after?.[0] ?? null, page.after?.[1] ?? null, page.limit + 1];

export async function keysetPage<T>(
  db: Queryable,
  sql: string,
  params: unknown[],
  page: PageRequest,
  map: (row: any) => T = (row) => row,
): Promise<Page<T>> {
  const rows = await queryRows<Record<string, unknown>>(db, sql, params);
  const items = rows.slice(0, page.limit).map(({ _sortKey, ...item }) => map(item));
  const last = rows.length > page.limit ? rows[page.limit - 1] : undefined;
  return { items, nextCursor: last ? encodeCursor(last._sortKey as unknown[]) : null };
}
