// What the relationships teach (seed 000: a loss unanalysed is a mistake repeated; seed 001: a
// regular analysis of "cooling"): losses by reason, competitor and stage; clients by churn stage
// and the time spent in each; clients whose health fell over a period, with the reasons.
import { ACCOUNT_STAGES, type HealthReason } from '../../workflows/account/rules';
import { queryRows, type Queryable } from '../pool';

export interface Count {
  key: string | null;
  count: number;
}

export interface LossesReport {
  from: string | null;
  to: string | null;
  total: number;
  byReason: Count[];
  byCompetitor: Count[];
  byStage: Count[];
  /** The losses themselves, newest first (at most 500). */
  losses: {
    clientId: string;
    clientName: string;
    lostAt: Date;
    reason: string;
    competitor: string | null;
    stage: string;
    note: string | null;
  }[];
}

/** Losses in [from, to] (dates, both inclusive; either open). */
export async function lossesReport(db: Queryable, from?: string, to?: string): Promise<LossesReport> {
  const inRange = (lostAt: string) =>
    `${lostAt} IS NOT NULL AND ($1::date IS NULL OR ${lostAt} >= $1::date) AND ($2::date IS NULL OR ${lostAt} < $2::date + 1)`;
  const params = [from ?? null, to ?? null];
  const grouped = (column: string) =>
    queryRows<Count>(
      db,
      `SELECT ${column} AS key, count(*)::int AS count FROM accounts WHERE ${inRange('lost_at')} GROUP BY 1 ORDER BY 2 DESC, 1`,
      params,
    );
  const [byReason, byCompetitor, byStage, losses] = await Promise.all([
    grouped('loss_reason'),
    grouped('loss_competitor'),
    grouped('lost_at_stage'),
    queryRows<LossesReport['losses'][number]>(
      db,
      `SELECT a.client_id AS "clientId", c.legal_name AS "clientName", a.lost_at AS "lostAt", a.loss_reason AS reason,
         a.loss_competitor AS competitor, a.lost_at_stage AS stage, a.loss_note AS note
       FROM accounts a JOIN clients c ON c.id = a.client_id WHERE ${inRange('a.lost_at')}
       ORDER BY a.lost_at DESC, a.client_id LIMIT 500`,
      params,
    ),
  ]);
  return { from: from ?? null, to: to ?? null, total: byReason.reduce((n, r) => n + r.count, 0), byReason, byCompetitor, byStage, losses };
}

export interface StageTime {
  stage: string;
  /** Clients that spent time in the stage, and the periods (a client may pass through it twice). */
  clients: number;
  periods: number;
  /** Periods not over yet. */
  ongoing: number;
  avgMs: number;
  medianMs: number;
  maxMs: number;
}

export interface ChurnReport {
  /** Clients by the stage they are at now (every stage listed, lost included). */
  byStage: Count[];
  timeInStage: StageTime[];
}

export async function churnReport(db: Queryable): Promise<ChurnReport> {
  const [now, times] = await Promise.all([
    queryRows<Count>(db, `SELECT stage AS key, count(*)::int AS count FROM accounts GROUP BY stage`),
    queryRows<StageTime>(
      db,
      `SELECT stage, count(DISTINCT client_id)::int AS clients, count(*)::int AS periods, count(*) FILTER (WHERE left_at IS NULL)::int AS ongoing,
         round(avg(ms))::float8 AS "avgMs", round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms))::float8 AS "medianMs", max(ms)::float8 AS "maxMs"
       FROM (SELECT client_id, stage, left_at, extract(epoch FROM COALESCE(left_at, now()) - entered_at) * 1000 AS ms FROM account_stage_periods) p
       GROUP BY stage`,
    ),
  ]);
  const count = (stage: string) => now.find((r) => r.key === stage)?.count ?? 0;
  return {
    byStage: ACCOUNT_STAGES.map((stage) => ({ key: stage, count: count(stage) })),
    timeInStage: ACCOUNT_STAGES.filter((s) => s !== 'lost').map(
      (stage) => times.find((t) => t.stage === stage) ?? { stage, clients: 0, periods: 0, ongoing: 0, avgMs: 0, medianMs: 0, maxMs: 0 },
    ),
  };
}

export interface CoolingClient {
  clientId: string;
  clientName: string;
  stage: string;
  healthBefore: number;
  healthNow: number;
  change: number;
  reasonsNow: HealthReason[];
  reasonsBefore: HealthReason[];
}

/** Clients (not lost) whose health is lower now than at the start of the last `days` days (or at their start, if later), worst first. */
export async function coolingReport(db: Queryable, days: number): Promise<{ days: number; clients: CoolingClient[] }> {
  const clients = await queryRows<CoolingClient>(
    db,
    `SELECT a.client_id AS "clientId", c.legal_name AS "clientName", a.stage, b.score AS "healthBefore", a.health AS "healthNow",
       a.health - b.score AS change, a.health_reasons AS "reasonsNow", b.reasons AS "reasonsBefore"
     FROM accounts a
     JOIN clients c ON c.id = a.client_id
     CROSS JOIN LATERAL (
       SELECT h.score, h.reasons FROM account_health h
       WHERE h.client_id = a.client_id
       ORDER BY (h.at <= now() - $1::int * interval '1 day') DESC,
                CASE WHEN h.at <= now() - $1::int * interval '1 day' THEN h.at END DESC,
                h.at ASC
       LIMIT 1
     ) b
     WHERE a.stage <> 'lost' AND a.health < b.score
     ORDER BY a.health - b.score, a.client_id
     LIMIT 1000`,
    [days],
  );
  return { days, clients };
}
