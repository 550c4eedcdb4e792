// Counts the Postgres round trips made in this process, to show where a step's time goes: every
// `pg` client's query is counted (BEGIN and COMMIT included, each is a round trip), under the
// activity it ran in (the worker's side) or under `api` (the API's side, anything outside an
// activity), with the statement's first words. Installed once by a benchmark; the product's code
// is not touched, only `pg`'s prototype in this process.
import { Context } from '@temporalio/activity';
import { Client } from 'pg';

export interface CountedQuery {
  /** `api`, or the activity the query ran in. */
  where: string;
  sql: string;
}

let log: CountedQuery[] | undefined;

function whereNow(): string {
  try {
    return `activity ${Context.current().info.activityType}`;
  } catch {
    return 'api';
  }
}

const statementOf = (query: unknown): string => {
  const text = typeof query === 'string' ? query : ((query as { text?: string } | undefined)?.text ?? '?');
  return text.replace(/\s+/g, ' ').trim().slice(0, 70);
};

/** Wraps `pg`'s Client#query once; from then on, queries are counted while a count is open. */
export function installQueryCounter(): void {
  const proto = Client.prototype as unknown as { query: (...args: unknown[]) => unknown; __counted?: boolean };
  if (proto.__counted) return;
  const original = proto.query;
  proto.query = function (this: unknown, ...args: unknown[]) {
    log?.push({ where: whereNow(), sql: statementOf(args[0]) });
    return original.apply(this, args);
  };
  proto.__counted = true;
}

/** Runs `work` and answers the queries made meanwhile (by anyone in this process). */
export async function countQueries<T>(work: () => Promise<T>): Promise<{ result: T; queries: CountedQuery[] }> {
  const queries: CountedQuery[] = [];
  log = queries;
  try {
    return { result: await work(), queries };
  } finally {
    log = undefined;
  }
}
