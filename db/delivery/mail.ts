// The e-mail side of delivery: each mail of a notification to a person (mail_deliveries) and each
// person's daily digest (mail_digests), and what a mail says, read from the notification, its
// process, its task and the person. A mail is sent under a short lease taken in Postgres, never
// inside a transaction, so a slow mail server holds no connection and two attempts never send at once.
import type { Pool } from 'pg';
import { afterParams, keysetPage, sortKeyColumn, type Page, type PageRequest } from '../keyset-pages';
import { queryOne, queryRows, type Queryable } from '../pool';

/** What one notification says, for its mail or a line of a digest. */
export interface NoticeFacts {
  notificationId: string;
  kind: string;
  message: string;
  createdAt: Date;
  processType: string;
  processId: string | null;
  processNumber: string | null;
  clientName: string | null;
  /** The task it announces (a task notification), with its due time. */
  taskKind: string | null;
  dueAt: Date | null;
}

export interface Reader {
  staffId: string;
  name: string;
  address: string;
  language: 'ru' | 'en';
}

export type Lease<T> = { state: 'taken'; item: T } | { state: 'done' } | { state: 'busy' } | { state: 'gone' };

const NOTICE_COLUMNS = `n.id AS "notificationId", n.kind, n.message, n.created_at AS "createdAt", n.process_type AS "processType",
  p.id AS "processId", COALESCE(p.number, n.contract_number) AS "processNumber", c.legal_name AS "clientName",
  t.kind AS "taskKind", t.due_at AS "dueAt"`;
// A task's notification is keyed `<task key>:notice` (activities/engine/record-step.ts).
const NOTICE_JOINS = `LEFT JOIN processes p ON p.workflow_id = n.workflow_id
  LEFT JOIN clients c ON c.id = n.client_id
  LEFT JOIN tasks t ON n.key LIKE '%:notice' AND t.key = left(n.key, -7)`;

/** A mail taken to send: its Message-ID, its reader and what it tells them. */
export interface MailToSend {
  id: string;
  messageId: string;
  reader: Reader;
  notice: NoticeFacts;
}

/**
 * Takes every mail of the step still to send for `leaseMs` (none another attempt holds), with
 * what each says and to whom, in two statements however many there are; `waiting` counts those
 * another attempt holds.
 */
export async function takeStepMails(db: Pool, stepKey: string, leaseMs: number): Promise<{ taken: MailToSend[]; waiting: number }> {
  const taken = await queryRows<{ id: string; message_id: string }>(
    db,
    `UPDATE mail_deliveries SET sending_until = now() + make_interval(secs => $2::double precision / 1000),
       attempts = attempts + 1, last_attempt_at = now()
     WHERE step_key = $1 AND status = 'pending' AND (sending_until IS NULL OR sending_until < now())
     RETURNING id, message_id`,
    [stepKey, leaseMs],
  );
  const rows = taken.length
    ? await queryRows<NoticeFacts & Reader & { id: string }>(
        db,
        `SELECT d.id, ${NOTICE_COLUMNS}, s.id AS "staffId", s.name, d.address, COALESCE(ns.language, 'ru') AS language
         FROM mail_deliveries d JOIN notifications n ON n.id = d.notification_id JOIN staff s ON s.id = d.staff_id
         LEFT JOIN notification_settings ns ON ns.staff_id = s.id
         ${NOTICE_JOINS}
         WHERE d.id = ANY ($1::uuid[])`,
        [taken.map((t) => t.id)],
      )
    : [];
  const messageIds = new Map(taken.map((t) => [t.id, t.message_id]));
  const waiting = await queryOne<{ n: number }>(
    db,
    `SELECT count(*)::int AS n FROM mail_deliveries WHERE step_key = $1 AND status = 'pending' AND NOT (id = ANY ($2::uuid[]))`,
    [stepKey, taken.map((t) => t.id)],
  );
  return {
    taken: rows.map(({ id, staffId, name, address, language, ...notice }) => ({
      id,
      messageId: messageIds.get(id)!,
      reader: { staffId, name, address, language },
      notice,
    })),
    waiting: waiting?.n ?? 0,
  };
}

/** Every mail of the step not sent within MAIL_RETRY_FOR: failed, each with its last error. */
export async function stepMailsGivenUp(db: Queryable, stepKey: string, error: string): Promise<void> {
  await db.query(
    `UPDATE mail_deliveries SET status = 'failed', failed_at = now(), sending_until = NULL, last_error = left(COALESCE(last_error, $2), 2000)
     WHERE step_key = $1 AND status = 'pending'`,
    [stepKey, error],
  );
}

async function leaseRefusal<T>(db: Queryable, table: string, id: string, open: string[]): Promise<Lease<T>> {
  const row = await queryOne<{ status: string }>(db, `SELECT status FROM ${table} WHERE id = $1`, [id]);
  if (!row) return { state: 'gone' };
  return open.includes(row.status) ? { state: 'busy' } : { state: 'done' };
}

/** Keeps the leases of sends still going on; `table` is the mails' or the digests'. */
export async function renewMailLeases(
  db: Queryable,
  table: 'mail_deliveries' | 'mail_digests',
  ids: readonly string[],
  leaseMs: number,
): Promise<void> {
  await db.query(
    `UPDATE ${table} SET sending_until = now() + make_interval(secs => $2::double precision / 1000)
     WHERE id = ANY ($1::uuid[]) AND status = 'pending'`,
    [ids, leaseMs],
  );
}

export async function mailSent(db: Queryable, id: string): Promise<void> {
  await db.query(`UPDATE mail_deliveries SET status = 'sent', sent_at = now(), sending_until = NULL, last_error = NULL WHERE id = $1`, [
    id,
  ]);
}

/** An attempt failed; the lease is given back so the next attempt may start at once. */
export async function mailAttemptFailed(db: Queryable, id: string, error: string): Promise<void> {
  await db.query(`UPDATE mail_deliveries SET sending_until = NULL, last_error = left($2, 2000) WHERE id = $1 AND status = 'pending'`, [
    id,
    error,
  ]);
}

/** Refused for good (a 5xx): failed, with the error, for an administrator to see. */
export async function mailGivenUp(db: Queryable, id: string, error: string): Promise<void> {
  await db.query(
    `UPDATE mail_deliveries SET status = 'failed', failed_at = now(), sending_until = NULL, last_error = left(COALESCE($2, last_error), 2000)
     WHERE id = $1 AND status = 'pending'`,
    [id, error],
  );
}

/**
 * The digests due at this round: one for each person who has mails waiting for their digest, whose
 * digest time has passed today (in `timeZone`) and who has no digest for today yet. Each is made
 * with the mails it gathers, in one statement, so a repeated round makes none twice and a mail
 * belongs to one digest. Returns the digests made now and those made earlier but not yet sent.
 */
export async function makeDueDigests(db: Pool, timeZone: string, domain: string): Promise<string[]> {
  return (
    await queryRows<{ id: string }>(
      db,
      `WITH due AS (
         SELECT DISTINCT d.staff_id FROM mail_deliveries d
         -- A person disabled since gets no digest.
         JOIN staff s ON s.id = d.staff_id AND s.disabled_at IS NULL
         LEFT JOIN notification_settings ns ON ns.staff_id = d.staff_id
         WHERE d.status = 'digest' AND d.digest_id IS NULL
           AND (now() AT TIME ZONE $1)::time >= COALESCE(ns.digest_at, '09:00')
       ), made AS (
         INSERT INTO mail_digests (staff_id, day, message_id)
         SELECT staff_id, (now() AT TIME ZONE $1)::date, '<digest.' || gen_random_uuid() || '@' || $2 || '>' FROM due
         ON CONFLICT (staff_id, day) DO NOTHING
         RETURNING id, staff_id
       ), gathered AS (
         UPDATE mail_deliveries d SET digest_id = made.id FROM made
         WHERE d.staff_id = made.staff_id AND d.status = 'digest' AND d.digest_id IS NULL
         RETURNING d.digest_id
       )
       SELECT id FROM made WHERE EXISTS (SELECT 1 FROM gathered WHERE gathered.digest_id = made.id)
       UNION
       SELECT id FROM mail_digests WHERE status = 'pending' AND (sending_until IS NULL OR sending_until < now())`,
      [timeZone, domain],
    )
  ).map((row) => row.id);
}

/** A digest lists at most this many notifications, then says how many more there are. */
export const DIGEST_LISTS_AT_MOST = 200;

/** Takes a digest to send for `leaseMs`, with its reader and every notice it gathers, oldest first. */
export async function takeDigest(
  db: Pool,
  id: string,
  leaseMs: number,
): Promise<Lease<{ messageId: string; day: string; reader: Reader; notices: NoticeFacts[]; total: number }>> {
  const taken = await queryOne<{ message_id: string; day: string; staff_id: string }>(
    db,
    `UPDATE mail_digests SET sending_until = now() + make_interval(secs => $2::double precision / 1000), attempts = attempts + 1
     WHERE id = $1 AND status = 'pending' AND (sending_until IS NULL OR sending_until < now())
     RETURNING message_id, to_char(day, 'YYYY-MM-DD') AS day, staff_id`,
    [id, leaseMs],
  );
  if (!taken) return leaseRefusal(db, 'mail_digests', id, ['pending']);
  const reader = await queryOne<Reader>(
    db,
    `SELECT s.id AS "staffId", s.name, s.email AS address, COALESCE(ns.language, 'ru') AS language
     FROM staff s LEFT JOIN notification_settings ns ON ns.staff_id = s.id WHERE s.id = $1`,
    [taken.staff_id],
  );
  if (!reader) return { state: 'gone' };
  // However busy the day, the mail stays readable and bounded: the first of it, and how many more the app has.
  const rows = await queryRows<NoticeFacts & { total: number }>(
    db,
    `SELECT ${NOTICE_COLUMNS}, count(*) OVER ()::int AS total FROM mail_deliveries d JOIN notifications n ON n.id = d.notification_id
     ${NOTICE_JOINS}
     WHERE d.digest_id = $1 ORDER BY n.created_at, n.id LIMIT $2`,
    [id, DIGEST_LISTS_AT_MOST],
  );
  const notices = rows.map(({ total: _total, ...notice }) => notice);
  return { state: 'taken', item: { messageId: taken.message_id, day: taken.day, reader, notices, total: rows[0]?.total ?? 0 } };
}

/** The digest and every mail it gathered are sent. */
export async function digestSent(db: Pool, id: string): Promise<void> {
  await db.query(
    `WITH sent AS (UPDATE mail_digests SET status = 'sent', sent_at = now(), sending_until = NULL, last_error = NULL WHERE id = $1 RETURNING id)
     UPDATE mail_deliveries SET status = 'sent', sent_at = now() WHERE digest_id IN (SELECT id FROM sent)`,
    [id],
  );
}

export async function digestAttemptFailed(db: Queryable, id: string, error: string): Promise<void> {
  await db.query(`UPDATE mail_digests SET sending_until = NULL, last_error = left($2, 2000) WHERE id = $1 AND status = 'pending'`, [
    id,
    error,
  ]);
}

export async function digestGivenUp(db: Pool, id: string, error: string): Promise<void> {
  await db.query(
    `WITH failed AS (
       UPDATE mail_digests SET status = 'failed', sending_until = NULL, last_error = left(COALESCE($2, last_error), 2000)
       WHERE id = $1 AND status = 'pending' RETURNING id)
     UPDATE mail_deliveries SET status = 'failed', failed_at = now() WHERE digest_id IN (SELECT id FROM failed)`,
    [id, error],
  );
}

/** A mail as an administrator sees it: to whom, of what, and how its sending went. */
export interface MailDeliveryRow {
  id: string;
  notificationId: string;
  staffId: string;
  name: string;
  address: string;
  kind: string;
  message: string;
  status: string;
  attempts: number;
  lastError: string | null;
  messageId: string;
  digestId: string | null;
  createdAt: Date;
  sentAt: Date | null;
  failedAt: Date | null;
}

const MAIL_DELIVERY_COLUMNS = `d.id, d.notification_id AS "notificationId", d.staff_id AS "staffId", s.name, d.address, n.kind, n.message,
  d.status, d.attempts, d.last_error AS "lastError", d.message_id AS "messageId", d.digest_id AS "digestId",
  d.created_at AS "createdAt", d.sent_at AS "sentAt", d.failed_at AS "failedAt"`;

/** Every mail, newest first, for an administrator; `status` narrows them (failed ones, those still retrying). */
export async function mailDeliveriesPage(db: Queryable, page: PageRequest & { status?: string }): Promise<Page<MailDeliveryRow>> {
  return keysetPage<MailDeliveryRow>(
    db,
    `SELECT ${MAIL_DELIVERY_COLUMNS}, ${sortKeyColumn('d.created_at', 'd.id')}
     FROM mail_deliveries d JOIN notifications n ON n.id = d.notification_id JOIN staff s ON s.id = d.staff_id
     WHERE ($1::text IS NULL OR d.status = $1)
       AND ($2::timestamptz IS NULL OR (d.created_at, d.id) < ($2::timestamptz, $3::uuid))
     ORDER BY d.created_at DESC, d.id DESC LIMIT $4`,
    [page.status ?? null, ...afterParams(page)],
    page,
  );
}
