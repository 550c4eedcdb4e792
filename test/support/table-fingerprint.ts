// What every table of a test's database looks like, cheaply: its row count and the newest
// transaction that wrote a row still in it (max xmin). An insert or update moves the xmin, a delete
// the count, so two equal fingerprints mean nothing was written in between. Used to show that a
// refused request wrote nothing, and to wait until the worker has stopped writing.
import type { Pool } from 'pg';

/** Table → `count/max xmin`. */
export type Fingerprint = Record<string, string>;

/** The tables that differ between two fingerprints, each with its before and after. */
export function changedTables(before: Fingerprint, after: Fingerprint): Record<string, [string | undefined, string | undefined]> {
  const changed: Record<string, [string | undefined, string | undefined]> = {};
  for (const table of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (before[table] !== after[table]) changed[table] = [before[table], after[table]];
  }
  return changed;
}

export interface Fingerprinter {
  take(): Promise<Fingerprint>;
  /**
   * Resolves once nothing has been written for `stillForMs` and `busy` says no work is pending
   * (deliveries being sent), or fails after `timeoutMs` naming what kept changing.
   */
  quiet(opts?: { stillForMs?: number; timeoutMs?: number; busy?: () => Promise<boolean> }): Promise<Fingerprint>;
}

export async function fingerprinter(db: Pool): Promise<Fingerprinter> {
  const { rows } = await db.query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables
     WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
  );
  // One statement for every table; xid → text → bigint, since xid has no ordering of its own.
  const sql = rows
    .map(({ name }) => `SELECT '${name}' AS name, count(*) || '/' || coalesce(max(xmin::text::bigint), 0) AS print FROM "${name}"`)
    .join(' UNION ALL ');
  const take = async (): Promise<Fingerprint> => {
    const result = await db.query<{ name: string; print: string }>(sql);
    return Object.fromEntries(result.rows.map((r) => [r.name, r.print]));
  };
  return {
    take,
    async quiet({ stillForMs = 300, timeoutMs = 30_000, busy } = {}) {
      const deadline = Date.now() + timeoutMs;
      let last = await take();
      let stillSince = Date.now();
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        const now = await take();
        if (Object.keys(changedTables(last, now)).length || (busy && (await busy()))) {
          stillSince = Date.now();
        } else if (Date.now() - stillSince >= stillForMs) {
          return now;
        }
        if (Date.now() > deadline) {
          throw new Error(`the database never went quiet: ${JSON.stringify(changedTables(last, now))}`);
        }
        last = now;
      }
    },
  };
}
