// Questionnaire versions (migration 005): listed, read, published (max + 1 per key, one at a time),
// and the check of answers against the version they were given for.
import type { Pool } from 'pg';
import { ZodError } from 'zod';
import {
  answerChangesSchema,
  answersSchema,
  missingRequired,
  type AnswerChanges,
  type Answers,
  type LocalizedText,
  type Question,
  type Questionnaire,
  type QuestionnaireDefinition,
} from '../../domain/questionnaires';
import { uuid } from '../../domain/schemas';
import { queryOne, queryRows, withTransaction, type Queryable } from '../pool';

export interface QuestionnaireSummary {
  id: string;
  key: string;
  version: number;
  title: LocalizedText;
}

interface Row {
  id: string;
  key: string;
  version: number;
  title_ru: string;
  title_en: string;
  questions?: Question[];
}

const summary = (row: Row): QuestionnaireSummary => ({
  id: row.id,
  key: row.key,
  version: row.version,
  title: { ru: row.title_ru, en: row.title_en },
});
const full = (row: Row): Questionnaire => ({ ...summary(row), questions: row.questions! });

const COLUMNS = 'id, key, version, title_ru, title_en';

// Two-key advisory locks live apart from the one-key ones (migrations, contract registration).
const VERSION_LOCK_CLASS = 727_005;

/** Every version of every questionnaire: by key, the newest version first. */
export async function listQuestionnaires(db: Queryable): Promise<QuestionnaireSummary[]> {
  const rows = await queryRows<Row>(db, `SELECT ${COLUMNS} FROM questionnaires ORDER BY key, version DESC`);
  return rows.map(summary);
}

/** One version, or undefined when the id names nothing (a malformed id included). */
export async function findQuestionnaire(db: Queryable, id: string): Promise<Questionnaire | undefined> {
  if (!uuid.safeParse(id).success) return undefined;
  const row = await queryOne<Row>(db, `SELECT ${COLUMNS}, questions FROM questionnaires WHERE id = $1`, [id]);
  return row && full(row);
}

/**
 * Publishes a definition (already checked by questionnaireDefinitionSchema) as the next version of
 * its key: 1 for a new key, else the highest + 1. Publications of one key take turns on a
 * transaction-scoped advisory lock, so concurrent ones get distinct consecutive versions.
 */
export async function insertQuestionnaireVersion(db: Pool, definition: QuestionnaireDefinition, createdBy: string): Promise<Questionnaire> {
  return withTransaction(db, async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [VERSION_LOCK_CLASS, definition.key]);
    const row = await queryOne<Row>(
      tx,
      `INSERT INTO questionnaires (key, version, title_ru, title_en, questions, created_by)
       SELECT $1, COALESCE(max(version), 0) + 1, $2, $3, $4::jsonb, $5 FROM questionnaires WHERE key = $1
       RETURNING ${COLUMNS}, questions`,
      [definition.key, definition.title.ru, definition.title.en, JSON.stringify(definition.questions), createdBy],
    );
    return full(row!);
  });
}

export interface AnswersCheck {
  ok: true;
  /** Required questions not answered yet, in the questionnaire's order (always empty with `complete`). */
  missing: string[];
  /** The answers as accepted (texts trimmed). */
  answers: Answers;
  questionnaire: QuestionnaireSummary;
}

export interface AnswersCheckOptions {
  /** Every required question must be answered. */
  complete: boolean;
  /** Where the answers sit in the request body, prefixed to every issue's path. Default `['answers']`. */
  path?: (string | number)[];
  /** Where the questionnaire id sits in the request body. Default `['questionnaireId']`. */
  idPath?: (string | number)[];
}

/**
 * Checks answers against the questionnaire version they were given for. Throws a ZodError (which
 * the API's error funnel answers with 400 and its issues) when the id names no questionnaire
 * (path `questionnaireId`) or when an answer does not fit (path `answers.<question key>`, message
 * starting with the question's English label); otherwise says which required questions are missing.
 */
export async function validateAnswers(
  db: Queryable,
  questionnaireId: unknown,
  answers: unknown,
  options: AnswersCheckOptions,
): Promise<AnswersCheck> {
  const { complete, path = ['answers'], idPath = ['questionnaireId'] } = options;
  const questionnaire = typeof questionnaireId === 'string' ? await findQuestionnaire(db, questionnaireId) : undefined;
  if (!questionnaire) {
    throw new ZodError([{ code: 'custom', path: idPath, input: questionnaireId, message: 'names no questionnaire' }]);
  }
  const result = answersSchema(questionnaire, { complete }).safeParse(answers);
  if (!result.success) {
    throw new ZodError(result.error.issues.map((issue) => ({ ...issue, path: [...path, ...issue.path] })));
  }
  const { id, key, version, title } = questionnaire;
  return {
    ok: true,
    missing: missingRequired(questionnaire, result.data),
    answers: result.data,
    questionnaire: { id, key, version, title },
  };
}

/**
 * Checks what a later request changes in the answers (a value per question, or null to take one
 * back) against the questionnaire version they were given for; errors as in `validateAnswers`.
 * Whether the form is then complete is decided by the onboarding's process, which merges them.
 */
export async function validateAnswerChanges(
  db: Queryable,
  questionnaireId: string,
  changes: unknown,
  path: (string | number)[] = ['answers'],
): Promise<AnswerChanges> {
  const questionnaire = await findQuestionnaire(db, questionnaireId);
  if (!questionnaire)
    throw new ZodError([{ code: 'custom', path: ['questionnaireId'], input: questionnaireId, message: 'names no questionnaire' }]);
  const result = answerChangesSchema(questionnaire).safeParse(changes);
  if (!result.success) throw new ZodError(result.error.issues.map((issue) => ({ ...issue, path: [...path, ...issue.path] })));
  return result.data;
}
