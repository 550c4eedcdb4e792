// A form whose `answers` are keyed by the questions of a questionnaire (an onboarding's): the
// questions become its controls, each with its label, help and options in the person's language
// and its required mark, checked by the API with the questionnaire's own rules when sent.
import type { Request } from 'express';
import type { Questionnaire, Question } from '../domain/questionnaires';
import { uuid } from '../domain/schemas';
import { formFor, type PagesDeps } from './deps';
import type { FormView, Pickers } from './form-view';
import { languageOf } from './i18n';
import { formOf, valuesOf, type FormData, type JsonSchema } from './forms';
import type { Language } from './i18n';
import type { PageStep, StepTarget } from './steps';

/** The field a questionnaire's answers go in, and the field that names the questionnaire. */
const ANSWERS = 'answers';
export const QUESTIONNAIRE_FIELD = 'questionnaireId';

/** Whether a step's body carries answers keyed by question (an object without fixed fields). */
export const takesAnswers = (step: PageStep): boolean => {
  const answers = step.schema.properties?.[ANSWERS];
  return answers !== undefined && !answers.properties && (answers.type === 'object' || answers.type === undefined);
};

const questionSchema = (q: Question): JsonSchema => {
  switch (q.type) {
    case 'number':
      return { type: 'number' };
    case 'boolean':
      return { type: 'boolean' };
    case 'date':
      return { type: 'string', format: 'date' };
    case 'choice':
      return { type: 'string', enum: (q.options ?? []).map((o) => o.value) };
    default:
      return { type: 'string', maxLength: 4000 };
  }
};

export interface QuestionnaireForm {
  step: PageStep;
  /** Labels and option labels by control name, from the questionnaire (not the catalog). */
  labels: Record<string, string>;
  optionLabels: Record<string, Record<string, string>>;
  hints: Record<string, string>;
  questionnaire: Pick<Questionnaire, 'id' | 'title'>;
}

/** The step with its answers made of the questionnaire's questions; undefined when there is no such questionnaire. */
export async function withQuestionnaire(
  deps: PagesDeps,
  req: Request,
  step: PageStep,
  questionnaireId: unknown,
  language: Language,
): Promise<QuestionnaireForm | undefined> {
  const id = uuid.safeParse(questionnaireId);
  if (!id.success || !takesAnswers(step)) return undefined;
  const answer = await deps.call(req, 'GET', `/api/questionnaires/${id.data}`);
  if (answer.status !== 200) return undefined;
  const questionnaire = answer.body as Questionnaire;
  const answers: JsonSchema = {
    type: 'object',
    properties: Object.fromEntries(questionnaire.questions.map((q) => [q.key, questionSchema(q)])),
    required: questionnaire.questions.filter((q) => q.required).map((q) => q.key),
  };
  // The questions are the form's heart, never folded away; each question's own mark says if it is required.
  const schema: JsonSchema = {
    ...step.schema,
    properties: { ...step.schema.properties, [ANSWERS]: answers },
    required: [...new Set([...(step.schema.required ?? []), ANSWERS])],
  };
  const labels: Record<string, string> = {};
  const optionLabels: Record<string, Record<string, string>> = {};
  const hints: Record<string, string> = {};
  for (const q of questionnaire.questions) {
    labels[`${ANSWERS}.${q.key}`] = q.label[language];
    if (q.help) hints[`${ANSWERS}.${q.key}`] = q.help[language];
    if (q.options) optionLabels[`${ANSWERS}.${q.key}`] = Object.fromEntries(q.options.map((o) => [o.value, o.label[language]]));
  }
  labels[ANSWERS] = questionnaire.title[language];
  return { step: { ...step, schema, form: formOf(schema) }, labels, optionLabels, hints, questionnaire };
}

/**
 * A step of a running process whose answers belong to the questionnaire the process was started
 * with (`process` is the process as the API reads it): its form made of that questionnaire's
 * questions, filled with the answers given so far.
 */
export async function processQuestionnaireForm(
  deps: PagesDeps,
  req: Request,
  step: PageStep,
  process: Record<string, unknown> | undefined,
  language: Language,
): Promise<(QuestionnaireForm & { values: FormData }) | undefined> {
  if (!takesAnswers(step) || !process) return undefined;
  const form = await withQuestionnaire(deps, req, step, process[QUESTIONNAIRE_FIELD], language);
  if (!form) return undefined;
  return { ...form, values: valuesOf({ [ANSWERS]: process[ANSWERS] ?? {} }) };
}

/** The field a questionnaire's form sends back, naming the questionnaire its answers belong to. */
const SENT_QUESTIONNAIRE = '_questionnaire';

/** What a form made of a questionnaire carries: its words, the answers so far, and which questionnaire it is. */
export const questionnaireOptions = (form: (QuestionnaireForm & { values?: FormData }) | undefined) =>
  form ? { words: form, ...(form.values ? { values: form.values } : {}), hidden: { [SENT_QUESTIONNAIRE]: form.questionnaire.id } } : {};

/** A step's form on a process's page or task, its answers made of the process's questionnaire where it takes them. */
export async function processStepForm(
  deps: PagesDeps,
  req: Request,
  target: StepTarget,
  pickers: Pickers,
  process: Record<string, unknown> | undefined,
  options: { back: string; prefix: string },
): Promise<FormView> {
  const questions = await processQuestionnaireForm(deps, req, target.step, process, languageOf(req));
  return formFor(req, questions ? { ...target, step: questions.step } : target, pickers, {
    ...options,
    ...questionnaireOptions(questions),
  });
}

/**
 * The step a sent form names (undefined when the pages offer no such step), with its answers read
 * back by the form of the questionnaire it was drawn from.
 */
export async function sentStep(
  deps: PagesDeps,
  req: Request,
): Promise<{ offered: PageStep; step: PageStep; questions: QuestionnaireForm | undefined } | undefined> {
  const offered = deps.steps().find((s) => s.key === req.body?._step);
  if (!offered) return undefined;
  const questions = await withQuestionnaire(deps, req, offered, req.body[SENT_QUESTIONNAIRE], languageOf(req));
  return { offered, step: questions?.step ?? offered, questions };
}
