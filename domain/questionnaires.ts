// Questionnaires as data: a line of business asks its own questions (seed 002: the freight-logistics
// request form), so a questionnaire is a versioned definition in Postgres, and the answers given
// for it are checked against the very version they were given for.
//
// Pure and workflow-free: zod schemas for a definition (what an administrator may publish) and a
// builder of the schema for the answers to one definition. Every text is storable (no NUL, no
// unpaired surrogate, bounded), like every other input (domain/schemas.ts).
import { z } from 'zod';
import { isoDate, LIMITS, safeString, safeText } from './schemas';

export const QUESTION_TYPES = ['text', 'number', 'boolean', 'choice', 'date'] as const;
export type QuestionType = (typeof QUESTION_TYPES)[number];

/** Sizes of a definition and of a text answer, in UTF-16 code units. */
export const QUESTIONNAIRE_LIMITS = {
  key: 64,
  questionKey: 64,
  optionValue: 64,
  title: 200,
  label: 500,
  help: 2000,
  optionLabel: 200,
  questions: 200,
  options: 100,
  /** A text answer, like every comment or note of the API. */
  textAnswer: LIMITS.comment,
} as const;

export interface LocalizedText {
  ru: string;
  en: string;
}

export interface QuestionOption {
  value: string;
  label: LocalizedText;
}

export interface Question {
  key: string;
  type: QuestionType;
  required: boolean;
  label: LocalizedText;
  help?: LocalizedText;
  /** Only, and always, for a choice. */
  options?: QuestionOption[];
}

/** What an administrator publishes: `POST /api/questionnaires`. */
export interface QuestionnaireDefinition {
  key: string;
  title: LocalizedText;
  questions: Question[];
}

/** One stored version. */
export interface Questionnaire extends QuestionnaireDefinition {
  id: string;
  version: number;
}

export type AnswerValue = string | number | boolean;
/** Answers keyed by question key; a question left unanswered is absent. */
export type Answers = Record<string, AnswerValue>;

// ---- Definitions --------------------------------------------------------------------------------

const localized = (max: number) => z.strictObject({ ru: safeText(max), en: safeText(max) }, { error: 'must be {ru, en}' });

/** A key an answers object may carry: never one an object already has (constructor, toString…). */
const notInherited = (key: string) => !(key in Object.prototype);

export const questionnaireKeySchema = safeString()
  .regex(/^[a-z][a-z0-9-]*$/, 'must be lower-case letters, digits and hyphens, starting with a letter (e.g. freight-logistics)')
  .max(QUESTIONNAIRE_LIMITS.key, `must be at most ${QUESTIONNAIRE_LIMITS.key} characters`);

const questionKeySchema = safeString()
  .regex(/^[a-z][A-Za-z0-9_]*$/, 'must be letters, digits and underscores, starting with a lower-case letter (e.g. cargoValuePerTruck)')
  .max(QUESTIONNAIRE_LIMITS.questionKey, `must be at most ${QUESTIONNAIRE_LIMITS.questionKey} characters`)
  .refine(notInherited, 'is a name every JavaScript object already has; choose another');

const optionSchema = z.strictObject({
  value: safeString()
    .regex(/^[a-z0-9][a-z0-9_-]*$/, 'must be lower-case letters, digits, hyphens and underscores (e.g. pallets)')
    .max(QUESTIONNAIRE_LIMITS.optionValue, `must be at most ${QUESTIONNAIRE_LIMITS.optionValue} characters`),
  label: localized(QUESTIONNAIRE_LIMITS.optionLabel),
});

export const questionSchema = z
  .strictObject({
    key: questionKeySchema,
    type: z.enum(QUESTION_TYPES, { error: `must be one of: ${QUESTION_TYPES.join(', ')}` }),
    required: z.boolean({ error: 'must be true or false' }).default(false),
    label: localized(QUESTIONNAIRE_LIMITS.label),
    help: localized(QUESTIONNAIRE_LIMITS.help).optional(),
    options: z.array(optionSchema).max(QUESTIONNAIRE_LIMITS.options, `at most ${QUESTIONNAIRE_LIMITS.options} options`).optional(),
  })
  .superRefine((q, ctx) => {
    if (q.type !== 'choice') {
      if (q.options !== undefined) ctx.addIssue({ code: 'custom', path: ['options'], message: 'only a choice question has options' });
      return;
    }
    if (!q.options || q.options.length < 2) {
      ctx.addIssue({ code: 'custom', path: ['options'], message: 'a choice question needs at least 2 options' });
      return;
    }
    const seen = new Map<string, number>();
    q.options.forEach((option, i) => {
      const first = seen.get(option.value);
      if (first !== undefined)
        ctx.addIssue({ code: 'custom', path: ['options', i, 'value'], message: `repeats option ${first}'s value "${option.value}"` });
      else seen.set(option.value, i);
    });
  });

export const questionnaireDefinitionSchema = z
  .strictObject({
    key: questionnaireKeySchema,
    title: localized(QUESTIONNAIRE_LIMITS.title),
    questions: z
      .array(questionSchema)
      .min(1, 'at least one question')
      .max(QUESTIONNAIRE_LIMITS.questions, `at most ${QUESTIONNAIRE_LIMITS.questions} questions`),
  })
  .superRefine((d, ctx) => {
    const seen = new Map<string, number>();
    d.questions.forEach((q, i) => {
      const first = seen.get(q.key);
      if (first !== undefined)
        ctx.addIssue({ code: 'custom', path: ['questions', i, 'key'], message: `repeats question ${first}'s key "${q.key}"` });
      else seen.set(q.key, i);
    });
  });

// ---- Answers ------------------------------------------------------------------------------------

/** The check of one answer, by its question's type; messages are prefixed with the label later. */
function answerValueSchema(question: Question): z.ZodType<AnswerValue> {
  switch (question.type) {
    case 'text':
      return z.string({ error: 'must be a text' }).pipe(safeText(QUESTIONNAIRE_LIMITS.textAnswer));
    case 'number':
      return z.number({ error: 'must be a number' }).refine(Number.isFinite, 'must be a finite number');
    case 'boolean':
      return z.boolean({ error: 'must be true or false' });
    case 'choice': {
      const values = (question.options ?? []).map((o) => o.value);
      return z
        .string({ error: `must be one of: ${values.join(', ')}` })
        .refine((v) => values.includes(v), `must be one of: ${values.join(', ')}`);
    }
    case 'date':
      return z.string({ error: 'must be a date as YYYY-MM-DD' }).pipe(isoDate);
  }
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** An answer counts as given when present and not null or blank text. */
const isAnswered = (answers: Record<string, unknown>, key: string): boolean => {
  if (!Object.hasOwn(answers, key)) return false;
  const value = answers[key];
  return value !== undefined && value !== null && !(typeof value === 'string' && value.trim() === '');
};

/**
 * The schema of the answers to one questionnaire version: an object keyed by question key, each
 * value checked by its question's type (text storable, trimmed, 1..4000; number finite; boolean;
 * choice among the option values; date YYYY-MM-DD in 1900..2199); a key that is not a question is
 * refused. With `complete`, every required question must be answered; without, any subset will do.
 * Every issue's path starts with the question key and its message with the question's English label.
 * The output holds the answers given, trimmed.
 */
export function answersSchema(definition: Pick<QuestionnaireDefinition, 'questions'>, { complete }: { complete: boolean }) {
  const questions = definition.questions.map((question) => ({ question, schema: answerValueSchema(question) }));
  const known = new Set(definition.questions.map((q) => q.key));
  return z.unknown().transform((input, ctx): Answers => {
    if (!isPlainObject(input)) {
      ctx.addIssue({ code: 'custom', input, message: 'must be an object of answers keyed by question' });
      return z.NEVER;
    }
    for (const key of Object.keys(input)) {
      if (!known.has(key))
        ctx.addIssue({ code: 'custom', input: input[key], path: [key], message: `"${key}" is not a question of this questionnaire` });
    }
    const answers: Answers = {};
    for (const { question, schema } of questions) {
      const label = question.label.en;
      if (!Object.hasOwn(input, question.key) || input[question.key] === undefined) {
        if (complete && question.required)
          ctx.addIssue({ code: 'custom', input: undefined, path: [question.key], message: `${label}: an answer is required` });
        continue;
      }
      const value = input[question.key];
      const result = schema.safeParse(value);
      if (result.success) {
        answers[question.key] = result.data;
        continue;
      }
      for (const issue of result.error.issues) {
        ctx.addIssue({ code: 'custom', input: value, path: [question.key, ...issue.path], message: `${label}: ${issue.message}` });
      }
    }
    return answers;
  });
}

/** The keys of the required questions not answered yet, in the questionnaire's order. */
export function missingRequired(definition: Pick<QuestionnaireDefinition, 'questions'>, answers: Record<string, unknown>): string[] {
  return definition.questions.filter((q) => q.required && !isAnswered(answers, q.key)).map((q) => q.key);
}

// ---- Changes to answers given later ------------------------------------------------------------

/** What a later request changes: a value sets (or replaces) an answer, null takes one back. */
export type AnswerChanges = Record<string, AnswerValue | null>;

/**
 * The schema of changes to the answers of one questionnaire version: like `answersSchema` without
 * `complete` (any subset), except that null is accepted for any question (it takes the answer back).
 * The output keeps the nulls and holds the values trimmed.
 */
export function answerChangesSchema(definition: Pick<QuestionnaireDefinition, 'questions'>) {
  const values = answersSchema(definition, { complete: false });
  const known = new Set(definition.questions.map((q) => q.key));
  return z.unknown().transform((input, ctx): AnswerChanges => {
    if (!isPlainObject(input)) {
      ctx.addIssue({ code: 'custom', input, message: 'must be an object of answers keyed by question' });
      return z.NEVER;
    }
    const given: Record<string, unknown> = {};
    const takenBack: string[] = [];
    for (const [key, value] of Object.entries(input)) {
      if (value === null && known.has(key)) takenBack.push(key);
      else given[key] = value;
    }
    const result = values.safeParse(given);
    if (!result.success) {
      for (const issue of result.error.issues)
        ctx.addIssue({ code: 'custom', input: issue.input, path: issue.path, message: issue.message });
      return z.NEVER;
    }
    const changes: AnswerChanges = { ...result.data };
    for (const key of takenBack) changes[key] = null;
    return changes;
  });
}

/** The answers after `changes`: values set over `base`, nulls removed. Neither argument is changed. */
export function mergeAnswers(base: Answers, changes: AnswerChanges): Answers {
  const merged: Answers = {};
  for (const [key, value] of Object.entries(base)) if (!Object.hasOwn(changes, key)) merged[key] = value;
  for (const [key, value] of Object.entries(changes)) if (value !== null) merged[key] = value;
  return merged;
}
