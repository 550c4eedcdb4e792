// What a step tells the world beyond the in-app list, planned in the step's own transaction: an
// e-mail of each of its notifications to each person it is for (as they chose: now, in their digest,
// or not at all), and the process events it raises (contract.signed…) with a delivery to each
// endpoint that hears them. Planned with the step, a notification never lacks its mail and an
// event its deliveries, whatever fails afterwards; every row is keyed (notification and person,
// event and endpoint), so a retried step plans nothing twice. The step's delivery workflow then
// sends what is pending (activities/delivery).
import type { Pool } from 'pg';
import { eventsOfStep } from '../../workflows/engine/process-events';
import { PROCESS_EVENTS } from '../../workflows/process-events';
import type { StepNewsCount } from '../../workflows/delivery/starts';
import type { ProcessType } from '../../domain/processes';
import { queryOne, queryRows, type Queryable } from '../pool';

export interface StepNews {
  /** `<workflow id>:<step position>`: the key of the step's timeline event, and of its delivery workflow. */
  stepKey: string;
  workflowId: string;
  /** The step's moment: every notification it wrote carries it. */
  at: string;
  process: { type: ProcessType; clientId: string; contractNumber?: string };
  step: string;
  from: string | null;
  to: string;
  actor?: { staffId: string; name: string } | null;
  details?: unknown;
}

export interface NewsPlanning {
  /** E-mail is on (SMTP_URL): the domain of its Message-IDs. Without it no mail is planned. */
  mailDomain?: string;
}

/** What a step has to send now: its mails (not those waiting for a digest) and its webhook calls. */
export type PlannedNews = StepNewsCount;

export const hasNews = (planned: PlannedNews): boolean => planned.mail + planned.webhooks > 0;

/** Plans the step's mails and events; answers what is to be sent now. */
export async function planStepNews(tx: Queryable, news: StepNews, planning: NewsPlanning): Promise<PlannedNews> {
  const mail = planning.mailDomain ? await planMail(tx, news, planning.mailDomain) : 0;
  let webhooks = 0;
  for (const event of eventsOfStep(PROCESS_EVENTS[news.process.type], news.from, news.to)) {
    webhooks += await planEvent(tx, news, event.type);
  }
  return { mail, webhooks };
}

/**
 * One mail per notification of the step and active person it is for (the person, or everyone
 * holding the role), as that person wants this kind: now (pending), in the digest, or none.
 */
async function planMail(tx: Queryable, news: StepNews, domain: string): Promise<number> {
  const planned = await queryRows<{ status: string }>(
    tx,
    `INSERT INTO mail_deliveries (key, step_key, notification_id, staff_id, address, status, message_id, created_at)
     SELECT n.id || ':' || s.id, $3, n.id, s.id, s.email,
       CASE COALESCE(ns.modes ->> n.kind, 'each') WHEN 'digest' THEN 'digest' ELSE 'pending' END,
       '<' || n.id || '.' || s.id || '@' || $4 || '>', n.created_at
     FROM notifications n
     JOIN staff s ON s.disabled_at IS NULL
       AND (s.id = n.recipient_staff_id OR (n.recipient_staff_id IS NULL AND n.recipient_role = ANY (s.roles)))
     LEFT JOIN notification_settings ns ON ns.staff_id = s.id
     WHERE n.workflow_id = $1 AND n.created_at = $2 AND starts_with(n.key, $3 || ':')
       AND COALESCE(ns.modes ->> n.kind, 'each') <> 'none'
     ON CONFLICT (key) DO NOTHING
     RETURNING status`,
    [news.workflowId, news.at, news.stepKey, domain],
  );
  return planned.filter((row) => row.status === 'pending').length;
}

/** The event, with the body every delivery sends, and a delivery to each enabled endpoint that hears it. */
async function planEvent(tx: Queryable, news: StepNews, type: string): Promise<number> {
  const key = `${news.stepKey}:${type}`;
  const listed = await queryOne<{
    id: string;
    number: string | null;
    parent: { process: string; id: string; number: string | null } | null;
  }>(
    tx,
    `SELECT p.id, p.number,
       CASE WHEN up.workflow_id IS NULL THEN NULL ELSE json_build_object('process', up.type, 'id', up.id, 'number', up.number) END AS parent
     FROM processes p LEFT JOIN processes up ON up.workflow_id = p.parent_workflow_id WHERE p.workflow_id = $1`,
    [news.workflowId],
  );
  const data = {
    process: news.process.type,
    workflowId: news.workflowId,
    id: listed?.id ?? news.process.contractNumber ?? news.workflowId,
    number: listed?.number ?? news.process.contractNumber ?? null,
    clientId: news.process.clientId,
    contractNumber: news.process.contractNumber ?? null,
    // The process that started this one (an amendment's contract, a contract's onboarding).
    parent: listed?.parent ?? null,
    step: news.step,
    from: news.from,
    to: news.to,
    actor: news.actor ?? null,
    details: news.details ?? {},
  };
  const payload = JSON.stringify({ type, timestamp: news.at, data });
  const inserted = await queryOne<{ id: string }>(
    tx,
    `INSERT INTO webhook_events (key, type, workflow_id, process_type, occurred_at, payload) VALUES ($1,$2,$3,$4,$5,$6)
     ON CONFLICT (key) DO NOTHING RETURNING id`,
    [key, type, news.workflowId, news.process.type, news.at, payload],
  );
  if (!inserted) return 0;
  const deliveries = await tx.query(
    `INSERT INTO webhook_deliveries (key, step_key, event_id, endpoint_id, status)
     SELECT $1::uuid || ':' || e.id, $2, $1::uuid, e.id, 'pending' FROM webhook_endpoints e
     WHERE e.disabled_at IS NULL AND $3::text = ANY (e.events)
     ON CONFLICT (key) DO NOTHING`,
    [inserted.id, news.stepKey, type],
  );
  return deliveries.rowCount ?? 0;
}

/** How much the step's delivery workflow has to send: its mails to send now and its webhook calls not yet made. */
export async function stepDeliveries(db: Queryable, stepKey: string): Promise<PlannedNews> {
  const row = await queryOne<PlannedNews>(
    db,
    `SELECT (SELECT count(*)::int FROM mail_deliveries WHERE step_key = $1 AND status = 'pending') AS mail,
       (SELECT count(*)::int FROM webhook_deliveries WHERE step_key = $1 AND status IN ('pending', 'retrying')) AS webhooks`,
    [stepKey],
  );
  return row ?? { mail: 0, webhooks: 0 };
}

/**
 * Steps whose news waits with no delivery under way: planned but never started (the start was lost
 * with a crashed worker or an unreachable Temporal), or retrying with no attempt for far longer than
 * any backoff (its workflow is gone). The delivery round starts them again; their keys make that safe.
 */
export async function stalledSteps(db: Pool, opts: { notStartedForMs: number; silentForMs: number; limit: number }): Promise<string[]> {
  const rows = await queryRows<{ step_key: string }>(
    db,
    `SELECT step_key FROM (
       SELECT step_key, created_at FROM mail_deliveries
       WHERE status = 'pending' AND created_at < now() - make_interval(secs => $1::double precision / 1000)
         AND (last_attempt_at IS NULL OR last_attempt_at < now() - make_interval(secs => $2::double precision / 1000))
       UNION ALL
       SELECT step_key, created_at FROM webhook_deliveries
       WHERE status IN ('pending', 'retrying') AND created_at < now() - make_interval(secs => $1::double precision / 1000)
         AND (last_attempt_at IS NULL OR last_attempt_at < now() - make_interval(secs => $2::double precision / 1000))
     ) waiting
     GROUP BY step_key ORDER BY min(created_at) LIMIT $3`,
    [opts.notStartedForMs, opts.silentForMs, opts.limit],
  );
  return rows.map((row) => row.step_key);
}
