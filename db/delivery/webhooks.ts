// Webhooks in Postgres: the endpoints an administrator registers, the deliveries of process events
// to them, and every attempt's outcome. A delivery is attempted under a short lease taken here,
// never inside a transaction, so a slow endpoint holds no connection and two attempts never call
// at once.
import type { Pool } from 'pg';
import { afterParams, keysetPage, sortKeyColumn, type Page, type PageRequest } from '../keyset-pages';
import { queryOne, queryRows, withTransaction, type Queryable } from '../pool';
import type { Lease } from './mail';

export interface WebhookEndpoint {
  id: string;
  url: string;
  events: string[];
  description: string | null;
  createdAt: Date;
  disabledAt: Date | null;
  /** Deliveries given up on, and still being retried: what an administrator should look at. */
  failed: number;
  retrying: number;
}

const ENDPOINT_COLUMNS = `e.id, e.url, e.events, e.description, e.created_at AS "createdAt", e.disabled_at AS "disabledAt",
  (SELECT count(*)::int FROM webhook_deliveries d WHERE d.endpoint_id = e.id AND d.status = 'failed') AS failed,
  (SELECT count(*)::int FROM webhook_deliveries d WHERE d.endpoint_id = e.id AND d.status = 'retrying') AS retrying`;

/**
 * Registers an endpoint. With `request` (a keyed registration) the same key makes it once however
 * often it is sent: a repeat answers the endpoint made, or `reused` when its body was another.
 */
export async function insertEndpoint(
  db: Queryable,
  endpoint: { url: string; events: readonly string[]; secret: string; description?: string },
  createdBy: string,
  request?: { key: string; hash: string },
): Promise<{ endpoint: WebhookEndpoint; secret: string; replayed: boolean } | 'reused'> {
  const row = await queryOne<{ id: string }>(
    db,
    `INSERT INTO webhook_endpoints (url, events, secret, description, created_by, request_key, request_hash)
     VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT (request_key) DO NOTHING RETURNING id`,
    [
      endpoint.url,
      [...new Set(endpoint.events)],
      endpoint.secret,
      endpoint.description ?? null,
      createdBy,
      request?.key ?? null,
      request?.hash ?? null,
    ],
  );
  if (row) return { endpoint: (await findEndpoint(db, row.id))!, secret: endpoint.secret, replayed: false };
  const made = await queryOne<{ id: string; secret: string; request_hash: string }>(
    db,
    'SELECT id, secret, request_hash FROM webhook_endpoints WHERE request_key = $1',
    [request!.key],
  );
  // `made` is gone only when deleted between the two statements: the key is spent either way.
  if (!made || made.request_hash !== request!.hash) return 'reused';
  return { endpoint: (await findEndpoint(db, made.id))!, secret: made.secret, replayed: true };
}

export async function findEndpoint(db: Queryable, id: string): Promise<WebhookEndpoint | undefined> {
  return queryOne<WebhookEndpoint>(db, `SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints e WHERE e.id = $1`, [id]);
}

export async function listEndpoints(db: Queryable): Promise<WebhookEndpoint[]> {
  return queryRows<WebhookEndpoint>(db, `SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints e ORDER BY e.created_at, e.id`);
}

/** Disables or enables an endpoint, or changes what it hears; a disabled endpoint gets no new deliveries and its retries stop. */
export async function updateEndpoint(
  db: Queryable,
  id: string,
  patch: { disabled?: boolean; events?: readonly string[]; url?: string; description?: string | null },
): Promise<WebhookEndpoint | undefined> {
  const row = await queryOne<{ id: string }>(
    db,
    `UPDATE webhook_endpoints SET
       disabled_at = CASE WHEN $2::boolean IS NULL THEN disabled_at WHEN $2 THEN COALESCE(disabled_at, now()) ELSE NULL END,
       events = COALESCE($3::text[], events),
       url = COALESCE($4, url),
       description = CASE WHEN $5::boolean THEN $6 ELSE description END
     WHERE id = $1 RETURNING id`,
    [
      id,
      patch.disabled ?? null,
      patch.events ? [...new Set(patch.events)] : null,
      patch.url ?? null,
      patch.description !== undefined,
      patch.description ?? null,
    ],
  );
  return row ? findEndpoint(db, id) : undefined;
}

/** Deletes an endpoint with its deliveries and their log; false when there is none. */
export async function deleteEndpoint(db: Queryable, id: string): Promise<boolean> {
  const result = await db.query('DELETE FROM webhook_endpoints WHERE id = $1', [id]);
  return (result.rowCount ?? 0) > 0;
}

/** What one attempt of a delivery sends: the event's stored body under its id, to the endpoint, signed with its secret. */
export interface WebhookCall {
  deliveryId: string;
  /** The attempt's number over the delivery's whole life, redeliveries included. */
  attempt: number;
  webhookId: string;
  type: string;
  payload: string;
  url: string;
  secret: string;
}

const CALL_COLUMNS = `d.id AS "deliveryId", d.attempts AS attempt, 'msg_' || replace(v.id::text, '-', '') AS "webhookId", v.type, v.payload, e.url, e.secret`;

/** Leases the open deliveries `which` names (of enabled endpoints, not held by another attempt), each with what its call sends. */
const leaseCalls = (db: Queryable, which: 'd.id = $1' | 'd.step_key = $1', value: string, leaseMs: number) =>
  queryRows<WebhookCall>(
    db,
    `UPDATE webhook_deliveries d SET sending_until = now() + make_interval(secs => $2::double precision / 1000),
       attempts = d.attempts + 1, last_attempt_at = now()
     FROM webhook_events v, webhook_endpoints e
     WHERE ${which} AND v.id = d.event_id AND e.id = d.endpoint_id AND e.disabled_at IS NULL
       AND d.status IN ('pending', 'retrying') AND (d.sending_until IS NULL OR d.sending_until < now())
     RETURNING ${CALL_COLUMNS}`,
    [value, leaseMs],
  );

/** Takes a delivery to attempt for `leaseMs`; `done` when delivered, failed or its endpoint is disabled. */
export async function takeWebhookCall(db: Pool, id: string, leaseMs: number): Promise<Lease<WebhookCall>> {
  const [row] = await leaseCalls(db, 'd.id = $1', id, leaseMs);
  if (row) return { state: 'taken', item: row };
  const now = await queryOne<{ status: string; disabled: boolean }>(
    db,
    `SELECT d.status, e.disabled_at IS NOT NULL AS disabled FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id WHERE d.id = $1`,
    [id],
  );
  if (!now) return { state: 'gone' };
  const open = now.status === 'pending' || now.status === 'retrying';
  if (!open) return { state: 'done' };
  // A disabled endpoint hears nothing more: what waited for it is given up, visibly.
  if (now.disabled) {
    await webhookGivenUp(db, id, 'the endpoint was disabled');
    return { state: 'done' };
  }
  return { state: 'busy' };
}

/**
 * Takes every call of the step still to make for `leaseMs` (none another attempt holds); what
 * waited for a disabled endpoint is given up first, visibly. `waiting` counts those another attempt holds.
 */
export async function takeStepWebhookCalls(db: Pool, stepKey: string, leaseMs: number): Promise<{ taken: WebhookCall[]; waiting: number }> {
  await db.query(
    `UPDATE webhook_deliveries d SET status = 'failed', failed_at = now(), sending_until = NULL,
       last_error = COALESCE(d.last_error, 'the endpoint was disabled')
     FROM webhook_endpoints e
     WHERE d.step_key = $1 AND e.id = d.endpoint_id AND e.disabled_at IS NOT NULL AND d.status IN ('pending', 'retrying')`,
    [stepKey],
  );
  const taken = await leaseCalls(db, 'd.step_key = $1', stepKey, leaseMs);
  const waiting = await queryOne<{ n: number }>(
    db,
    `SELECT count(*)::int AS n FROM webhook_deliveries WHERE step_key = $1 AND status IN ('pending', 'retrying')
       AND NOT (id = ANY ($2::uuid[]))`,
    [stepKey, taken.map((t) => t.deliveryId)],
  );
  return { taken, waiting: waiting?.n ?? 0 };
}

/** Every call of the step not delivered within WEBHOOK_RETRY_FOR: failed, each with its last answer. */
export async function stepWebhooksGivenUp(db: Queryable, stepKey: string, error: string): Promise<void> {
  await db.query(
    `UPDATE webhook_deliveries SET status = 'failed', failed_at = now(), sending_until = NULL, last_error = left(COALESCE(last_error, $2), 2000)
     WHERE step_key = $1 AND status IN ('pending', 'retrying')`,
    [stepKey, error],
  );
}

export type AttemptOutcome = 'delivered' | 'http_error' | 'timeout' | 'network' | 'refused';

export interface AttemptRecord {
  at: Date;
  durationMs: number;
  outcome: AttemptOutcome;
  statusCode?: number;
  answer?: string;
  error?: string;
}

/**
 * Writes an attempt and what it made of the delivery, in one transaction: delivered on a 2xx,
 * retrying otherwise (until the workflow gives up). The attempt's number is the one its lease took.
 */
export async function recordAttempt(db: Pool, call: Pick<WebhookCall, 'deliveryId' | 'attempt'>, attempt: AttemptRecord): Promise<void> {
  await withTransaction(db, async (tx) => {
    await tx.query(
      `INSERT INTO webhook_attempts (delivery_id, n, at, duration_ms, outcome, status_code, answer, error)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8) ON CONFLICT (delivery_id, n) DO NOTHING`,
      [
        call.deliveryId,
        call.attempt,
        attempt.at,
        attempt.durationMs,
        attempt.outcome,
        attempt.statusCode ?? null,
        attempt.answer ?? null,
        attempt.error ?? null,
      ],
    );
    const delivered = attempt.outcome === 'delivered';
    await tx.query(
      `UPDATE webhook_deliveries SET status = CASE WHEN $2 THEN 'delivered' ELSE 'retrying' END,
         delivered_at = CASE WHEN $2 THEN $3::timestamptz ELSE delivered_at END, sending_until = NULL,
         last_status = $4, last_answer = $5, last_error = $6
       WHERE id = $1 AND status IN ('pending', 'retrying')`,
      [call.deliveryId, delivered, attempt.at, attempt.statusCode ?? null, attempt.answer ?? null, attempt.error ?? null],
    );
  });
}

/** Given up after WEBHOOK_RETRY_FOR (or the endpoint refused for good): failed, with the last answer kept. */
export async function webhookGivenUp(db: Queryable, id: string, error: string): Promise<void> {
  await db.query(
    `UPDATE webhook_deliveries SET status = 'failed', failed_at = now(), sending_until = NULL, last_error = left(COALESCE(last_error, $2), 2000)
     WHERE id = $1 AND status IN ('pending', 'retrying')`,
    [id, error],
  );
}

export interface WebhookAttemptRow {
  n: number;
  at: Date;
  durationMs: number;
  outcome: AttemptOutcome;
  statusCode: number | null;
  answer: string | null;
  error: string | null;
}

export interface WebhookDeliveryRow {
  id: string;
  webhookId: string;
  eventType: string;
  occurredAt: Date;
  status: string;
  attempts: number;
  redeliveries: number;
  lastStatus: number | null;
  lastAnswer: string | null;
  lastError: string | null;
  createdAt: Date;
  deliveredAt: Date | null;
  failedAt: Date | null;
  log: WebhookAttemptRow[];
}

/** An endpoint's deliveries, newest first, each with every attempt's outcome; `status` narrows them. */
export async function deliveriesPage(
  db: Queryable,
  endpointId: string,
  page: PageRequest & { status?: string },
): Promise<Page<WebhookDeliveryRow>> {
  return keysetPage<WebhookDeliveryRow>(
    db,
    `SELECT d.id, 'msg_' || replace(v.id::text, '-', '') AS "webhookId", v.type AS "eventType", v.occurred_at AS "occurredAt",
       d.status, d.attempts, d.redeliveries, d.last_status AS "lastStatus", d.last_answer AS "lastAnswer", d.last_error AS "lastError",
       d.created_at AS "createdAt", d.delivered_at AS "deliveredAt", d.failed_at AS "failedAt",
       COALESCE((SELECT json_agg(json_build_object('n', a.n, 'at', a.at, 'durationMs', a.duration_ms, 'outcome', a.outcome,
           'statusCode', a.status_code, 'answer', a.answer, 'error', a.error) ORDER BY a.n)
         FROM webhook_attempts a WHERE a.delivery_id = d.id), '[]'::json) AS log,
       ${sortKeyColumn('d.created_at', 'd.id')}
     FROM webhook_deliveries d JOIN webhook_events v ON v.id = d.event_id
     WHERE d.endpoint_id = $1 AND ($2::text IS NULL OR d.status = $2)
       AND ($3::timestamptz IS NULL OR (d.created_at, d.id) < ($3::timestamptz, $4::uuid))
     ORDER BY d.created_at DESC, d.id DESC LIMIT $5`,
    [endpointId, page.status ?? null, ...afterParams(page)],
    page,
  );
}

/** A redelivery asked for within this of the last one is refused: twenty clicks at once are one. */
export const REDELIVERY_PAUSE_MS = 10_000;

/**
 * Opens a redelivery of a delivered or failed delivery: it is pending again (the same event body and
 * webhook-id) and numbered, inside `start`'s transaction, so a redelivery whose workflow could not
 * be started leaves nothing changed. `undefined` when the delivery is not this endpoint's,
 * 'in_progress' while it is still being delivered, 'just_redelivered' within REDELIVERY_PAUSE_MS of
 * the last, 'disabled' for a disabled endpoint.
 */
export async function redeliver<T>(
  db: Pool,
  endpointId: string,
  deliveryId: string,
  start: (redelivery: { deliveryId: string; n: number; stepKey: string }) => Promise<T>,
): Promise<{ started: T } | 'in_progress' | 'just_redelivered' | 'disabled' | undefined> {
  return withTransaction(db, async (tx) => {
    const current = await queryOne<{ status: string; disabled: boolean; recent: boolean }>(
      tx,
      `SELECT d.status, e.disabled_at IS NOT NULL AS disabled,
         COALESCE(d.redelivered_at > clock_timestamp() - make_interval(secs => $3::double precision / 1000), false) AS recent
       FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
       WHERE d.id = $1 AND d.endpoint_id = $2 FOR UPDATE OF d`,
      [deliveryId, endpointId, REDELIVERY_PAUSE_MS],
    );
    if (!current) return undefined;
    if (current.disabled) return 'disabled';
    if (current.status === 'pending' || current.status === 'retrying') return 'in_progress';
    if (current.recent) return 'just_redelivered';
    const row = await queryOne<{ redeliveries: number; step_key: string }>(
      tx,
      `UPDATE webhook_deliveries SET status = 'pending', redeliveries = redeliveries + 1, redelivered_at = clock_timestamp(),
         sending_until = NULL, delivered_at = NULL, failed_at = NULL WHERE id = $1 RETURNING redeliveries, step_key`,
      [deliveryId],
    );
    return { started: await start({ deliveryId, n: row!.redeliveries, stepKey: row!.step_key }) };
  });
}
