// The answers given to keyed requests (the one owner of `step_answers`), and whether a Temporal
// update already took a step (read from the timeline the step recorder writes).
import type { Queryable } from './pool';
import { queryOne } from './pool';

export interface StoredAnswer {
  requestHash: string;
  status: number;
  body: unknown;
  location: string | null;
}

export interface AnswerToStore extends StoredAnswer {
  requestKey: string;
  staffId: string;
  method: string;
  path: string;
}

export async function findStoredAnswer(db: Queryable, requestKey: string): Promise<StoredAnswer | undefined> {
  return queryOne<StoredAnswer>(
    db,
    `SELECT request_hash AS "requestHash", status, body, location FROM step_answers WHERE request_key = $1`,
    [requestKey],
  );
}

/** The first answer stays: concurrent copies of one request store once. */
export async function storeAnswer(db: Queryable, a: AnswerToStore): Promise<void> {
  await db.query(
    `INSERT INTO step_answers (request_key, staff_id, method, path, request_hash, status, body, location)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8) ON CONFLICT (request_key) DO NOTHING`,
    [a.requestKey, a.staffId, a.method, a.path, a.requestHash, a.status, JSON.stringify(a.body), a.location],
  );
}

/** True when the update with this id recorded a step of this process (in any run). */
export async function stepTakenBy(db: Queryable, workflowId: string, updateId: string): Promise<boolean> {
  return (
    (await queryOne(db, 'SELECT 1 FROM timeline_events WHERE workflow_id = $1 AND update_id = $2 LIMIT 1', [workflowId, updateId])) !==
    undefined
  );
}
