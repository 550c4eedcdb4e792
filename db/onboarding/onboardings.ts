// Onboardings as the API reads and starts them (migration 006). The onboarding row is the
// onboarding process's projection: the API writes it once, at the request, and every later change
// is written by the workflow's steps. Answers given later are stored as answer sets first.
import type { AnswerChanges, Answers } from '../../domain/questionnaires';
import { uuid } from '../../domain/schemas';
import { afterParams, keysetPage, openTasksOfWorkflows, sortKeyColumn, type OpenTask, type Page, type PageRequest } from '../processes';
import { queryOne, queryRows, type Queryable } from '../pool';
import { documentsOfWorkflow, type DocumentInfo } from '../documents';

export interface Onboarding {
  id: string;
  workflowId: string;
  clientId: string;
  clientCode: string;
  clientName: string;
  loyaltyStage: string;
  lineOfBusiness: string;
  questionnaireId: string;
  answers: Answers;
  stage: string;
  segment: string | null;
  supplierPosition: string | null;
  expectedAnnualRevenue: number | null;
  decision: string | null;
  decisionReason: string | null;
  managerId: string | null;
  managerName: string | null;
  /** How the manager was chosen (every candidate's load), as the assignment step recorded it. */
  assignment: unknown;
  contractWorkflowId: string | null;
  contractNumber: string | null;
  contractStatus: string | null;
  checklist: Record<string, unknown>;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
  closedAt: Date | null;
  closeReason: string | null;
}

export interface OnboardingDetail extends Onboarding {
  openTasks: OpenTask[];
  /** What the onboarding made (a declined client's refusal letter), each served at its `url`. */
  documents: DocumentInfo[];
}

const COLUMNS = `
  o.id, o.workflow_id AS "workflowId", o.client_id AS "clientId", c.code AS "clientCode", c.legal_name AS "clientName",
  c.loyalty_stage AS "loyaltyStage", o.line_of_business AS "lineOfBusiness", o.questionnaire_id AS "questionnaireId",
  o.answers, o.stage, o.segment, o.supplier_position AS "supplierPosition",
  o.expected_annual_revenue::float8 AS "expectedAnnualRevenue", o.decision, o.decision_reason AS "decisionReason",
  o.manager_id AS "managerId", s.name AS "managerName", o.assignment,
  o.contract_workflow_id AS "contractWorkflowId", o.contract_number AS "contractNumber", r.status AS "contractStatus",
  o.checklist, o.created_by AS "createdBy", o.created_at AS "createdAt", o.updated_at AS "updatedAt",
  o.closed_at AS "closedAt", o.close_reason AS "closeReason"`;

const FROM = `
  FROM onboardings o
  JOIN clients c ON c.id = o.client_id
  LEFT JOIN staff s ON s.id = o.manager_id
  LEFT JOIN contract_registry r ON r.workflow_id = o.contract_workflow_id`;

/** An onboarding, or undefined when the id names none (a malformed id included). */
export async function findOnboarding(db: Queryable, id: string): Promise<Onboarding | undefined> {
  if (!uuid.safeParse(id).success) return undefined;
  return queryOne<Onboarding>(db, `SELECT ${COLUMNS} ${FROM} WHERE o.id = $1`, [id]);
}

/** The onboarding with the open tasks and the documents of its own process. */
export async function onboardingDetail(db: Queryable, id: string): Promise<OnboardingDetail | undefined> {
  const onboarding = await findOnboarding(db, id);
  if (!onboarding) return undefined;
  const [openTasks, documents] = await Promise.all([
    openTasksOfWorkflows(db, [onboarding.workflowId]),
    documentsOfWorkflow(db, onboarding.workflowId),
  ]);
  return { ...onboarding, openTasks, documents };
}

export async function stageOf(db: Queryable, id: string): Promise<string | undefined> {
  if (!uuid.safeParse(id).success) return undefined;
  const row = await queryOne<{ stage: string }>(db, 'SELECT stage FROM onboardings WHERE id = $1', [id]);
  return row?.stage;
}

/** Onboardings, newest first, optionally of one stage: a keyset page on (created_at, id). */
export async function onboardingsPage(db: Queryable, filter: { stage?: string }, page: PageRequest): Promise<Page<Onboarding>> {
  return keysetPage<Onboarding>(
    db,
    `SELECT ${COLUMNS}, ${sortKeyColumn('o.created_at', 'o.id::text')} ${FROM}
     WHERE ($1::text IS NULL OR o.stage = $1)
       AND ($2::timestamptz IS NULL OR (o.created_at, o.id) < ($2::timestamptz, $3::uuid))
     ORDER BY o.created_at DESC, o.id DESC LIMIT $4`,
    [filter.stage ?? null, ...afterParams(page)],
    page,
  );
}

export interface NewOnboarding {
  id: string;
  workflowId: string;
  clientId: string;
  lineOfBusiness: string;
  questionnaireId: string;
  answers: Answers;
  stage: string;
  createdBy: string;
}

export async function insertOnboarding(tx: Queryable, o: NewOnboarding): Promise<void> {
  await tx.query(
    `INSERT INTO onboardings (id, workflow_id, client_id, line_of_business, questionnaire_id, answers, stage, created_by)
     VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8)`,
    [o.id, o.workflowId, o.clientId, o.lineOfBusiness, o.questionnaireId, JSON.stringify(o.answers), o.stage, o.createdBy],
  );
}

/** Removes an onboarding whose workflow could not be started (nothing else refers to it yet). */
export async function deleteUnstartedOnboarding(tx: Queryable, id: string): Promise<void> {
  await tx.query('DELETE FROM onboarding_answer_sets WHERE onboarding_id = $1', [id]);
  await tx.query('DELETE FROM onboardings WHERE id = $1', [id]);
}

/**
 * What a request after the first changes in the answers, written before the workflow hears its id
 * (the workflow merges it in its step lock); a retried request keeps the first. True when this
 * call wrote it.
 */
export async function saveAnswerChanges(
  db: Queryable,
  set: { id: string; onboardingId: string; changes: AnswerChanges; createdBy: string },
): Promise<boolean> {
  const written = await db.query(
    `INSERT INTO onboarding_answer_sets (id, onboarding_id, changes, created_by) VALUES ($1, $2, $3::jsonb, $4)
     ON CONFLICT (id) DO NOTHING`,
    [set.id, set.onboardingId, JSON.stringify(set.changes), set.createdBy],
  );
  return written.rowCount === 1;
}

/** Takes back changes the process refused (never merged, so nothing refers to them). */
export async function deleteAnswerChanges(db: Queryable, id: string): Promise<void> {
  await db.query('DELETE FROM onboarding_answer_sets WHERE id = $1', [id]);
}

/** The workflow ids of an onboarding's child contracts (`<onboarding workflow id>:contract:<…>`). */
export async function childContractWorkflows(db: Queryable, workflowId: string): Promise<string[]> {
  const rows = await queryRows<{ workflowId: string }>(
    db,
    `SELECT workflow_id AS "workflowId" FROM contract_registry WHERE starts_with(workflow_id, $1) ORDER BY registered_at, number`,
    [`${workflowId}:contract:`],
  );
  return rows.map((r) => r.workflowId);
}
