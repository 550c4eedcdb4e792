// Reads of the account relationship (its projection, written by the account workflow's steps):
// where a client stands, its complaints and commitments, and what a new relationship starts with.
import type { AccountStage, HealthReason } from '../../workflows/account/rules';
import type { Segment } from '../../domain/client';
import { afterParams, keysetPage, sortKeyColumn, type Page, type PageRequest } from '../keyset-pages';
import { queryOne, type Queryable } from '../pool';

export interface Account {
  clientId: string;
  workflowId: string;
  stage: AccountStage;
  stageSince: Date;
  managerId: string | null;
  segment: Segment | null;
  health: number;
  healthReasons: HealthReason[];
  watchUntil: Date | null;
  watchStage: string | null;
  openedBy: string;
  startedAt: Date;
  lostAt: Date | null;
  lostAtStage: string | null;
  lossReason: string | null;
  lossCompetitor: string | null;
  lossNote: string | null;
  /** What is open now: complaints (and how many past their deadline), promises (and how many overdue). */
  openComplaints: number;
  overdueComplaints: number;
  openCommitments: number;
  overdueCommitments: number;
}

const ACCOUNT_COLUMNS = `client_id AS "clientId", workflow_id AS "workflowId", stage, stage_since AS "stageSince", manager_id AS "managerId",
  segment, health, health_reasons AS "healthReasons", watch_until AS "watchUntil", watch_stage AS "watchStage", opened_by AS "openedBy",
  started_at AS "startedAt", lost_at AS "lostAt", lost_at_stage AS "lostAtStage", loss_reason AS "lossReason",
  loss_competitor AS "lossCompetitor", loss_note AS "lossNote",
  (SELECT count(*) FROM complaints c WHERE c.client_id = a.client_id AND c.status = 'open')::int AS "openComplaints",
  (SELECT count(*) FROM complaints c WHERE c.client_id = a.client_id AND c.status = 'open' AND c.overdue_at IS NOT NULL)::int AS "overdueComplaints",
  (SELECT count(*) FROM commitments m WHERE m.client_id = a.client_id AND m.status = 'open')::int AS "openCommitments",
  (SELECT count(*) FROM commitments m WHERE m.client_id = a.client_id AND m.status = 'open' AND m.overdue_at IS NOT NULL)::int AS "overdueCommitments"`;

/** A client's health as every answer shows it: the relationship's, or whole before it has one. */
export const healthOfAccount = (account: Account | undefined): { score: number; reasons: HealthReason[] } =>
  account ? { score: account.health, reasons: account.healthReasons } : { score: 100, reasons: [] };

export async function accountOf(db: Queryable, clientId: string): Promise<Account | undefined> {
  return queryOne<Account>(db, `SELECT ${ACCOUNT_COLUMNS} FROM accounts a WHERE a.client_id = $1`, [clientId]);
}

/** Who manages the client and its segment, for a relationship opened by its first complaint: from its latest onboarding, else its latest contract. */
export async function accountContext(db: Queryable, clientId: string): Promise<{ managerId?: string; segment?: Segment }> {
  const row = await queryOne<{ managerId: string | null; segment: Segment | null }>(
    db,
    `SELECT
       COALESCE(
         (SELECT manager_id FROM onboardings WHERE client_id = $1 AND manager_id IS NOT NULL ORDER BY created_at DESC LIMIT 1),
         (SELECT manager_id FROM contract_registry WHERE client_id = $1 ORDER BY registered_at DESC LIMIT 1)) AS "managerId",
       (SELECT segment FROM onboardings WHERE client_id = $1 AND segment IS NOT NULL ORDER BY created_at DESC LIMIT 1) AS segment`,
    [clientId],
  );
  return { ...(row?.managerId ? { managerId: row.managerId } : {}), ...(row?.segment ? { segment: row.segment } : {}) };
}

export interface Complaint {
  id: string;
  clientId: string;
  workflowId: string;
  summary: string;
  category: string;
  severity: string;
  reportedBy: string;
  createdBy: string;
  createdAt: Date;
  dueAt: Date;
  status: 'open' | 'resolved' | 'closed';
  overdueAt: Date | null;
  resolvedAt: Date | null;
  resolvedBy: string | null;
  resolution: string | null;
  rootCause: string | null;
}

const COMPLAINT_COLUMNS = `id, client_id AS "clientId", workflow_id AS "workflowId", summary, category, severity, reported_by AS "reportedBy",
  created_by AS "createdBy", created_at AS "createdAt", due_at AS "dueAt", status, overdue_at AS "overdueAt", resolved_at AS "resolvedAt",
  resolved_by AS "resolvedBy", resolution, root_cause AS "rootCause"`;

export async function findComplaint(db: Queryable, id: string): Promise<Complaint | undefined> {
  return queryOne<Complaint>(db, `SELECT ${COMPLAINT_COLUMNS} FROM complaints WHERE id = $1`, [id]);
}

export async function complaintsPage(
  db: Queryable,
  clientId: string,
  filter: { status?: string },
  page: PageRequest,
): Promise<Page<Complaint>> {
  return keysetPage<Complaint>(
    db,
    `SELECT ${COMPLAINT_COLUMNS}, ${sortKeyColumn('created_at', 'id::text')}
     FROM complaints
     WHERE client_id = $1 AND ($2::text IS NULL OR status = $2)
       AND ($3::timestamptz IS NULL OR (created_at, id) < ($3::timestamptz, $4::uuid))
     ORDER BY created_at DESC, id DESC LIMIT $5`,
    [clientId, filter.status ?? null, ...afterParams(page)],
    page,
  );
}

export interface Commitment {
  id: string;
  clientId: string;
  workflowId: string;
  what: string;
  dueAt: Date;
  ownerId: string;
  ownerName: string;
  createdBy: string;
  createdAt: Date;
  status: 'open' | 'fulfilled' | 'cancelled';
  overdueAt: Date | null;
  fulfilledAt: Date | null;
  fulfilledBy: string | null;
  note: string | null;
}

const COMMITMENT_COLUMNS = `c.id, c.client_id AS "clientId", c.workflow_id AS "workflowId", c.what, c.due_at AS "dueAt", c.owner_id AS "ownerId",
  s.name AS "ownerName", c.created_by AS "createdBy", c.created_at AS "createdAt", c.status, c.overdue_at AS "overdueAt",
  c.fulfilled_at AS "fulfilledAt", c.fulfilled_by AS "fulfilledBy", c.note`;

export async function findCommitment(db: Queryable, id: string): Promise<Commitment | undefined> {
  return queryOne<Commitment>(db, `SELECT ${COMMITMENT_COLUMNS} FROM commitments c JOIN staff s ON s.id = c.owner_id WHERE c.id = $1`, [
    id,
  ]);
}

export async function commitmentsPage(
  db: Queryable,
  clientId: string,
  filter: { status?: string },
  page: PageRequest,
): Promise<Page<Commitment>> {
  return keysetPage<Commitment>(
    db,
    `SELECT ${COMMITMENT_COLUMNS}, ${sortKeyColumn('c.created_at', 'c.id::text')}
     FROM commitments c JOIN staff s ON s.id = c.owner_id
     WHERE c.client_id = $1 AND ($2::text IS NULL OR c.status = $2)
       AND ($3::timestamptz IS NULL OR (c.created_at, c.id) < ($3::timestamptz, $4::uuid))
     ORDER BY c.created_at DESC, c.id DESC LIMIT $5`,
    [clientId, filter.status ?? null, ...afterParams(page)],
    page,
  );
}

export async function reviewExists(db: Queryable, id: string): Promise<boolean> {
  return (await queryOne(db, 'SELECT 1 FROM account_reviews WHERE id = $1', [id])) !== undefined;
}

export interface Review {
  id: string;
  satisfaction: number;
  businessChanges: string;
  note: string;
  createdBy: string;
  createdAt: Date;
}

export async function reviewsPage(db: Queryable, clientId: string, page: PageRequest): Promise<Page<Review>> {
  return keysetPage<Review>(
    db,
    `SELECT id, satisfaction, business_changes AS "businessChanges", note, created_by AS "createdBy", created_at AS "createdAt",
       ${sortKeyColumn('created_at', 'id::text')}
     FROM account_reviews
     WHERE client_id = $1 AND ($2::timestamptz IS NULL OR (created_at, id) < ($2::timestamptz, $3::uuid))
     ORDER BY created_at DESC, id DESC LIMIT $4`,
    [clientId, ...afterParams(page)],
    page,
  );
}
