// Questionnaires as data: what a definition may hold, and answers checked against their version
// with errors naming the question.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  answersSchema,
  missingRequired,
  questionnaireDefinitionSchema,
  QUESTIONNAIRE_LIMITS,
  type Question,
  type QuestionnaireDefinition,
} from '../../domain/questionnaires';

const NUL = 'a\u0000b';
const HIGH = 'a\uD800b';
const LOW = '\uDC00';

const label = (en: string, ru = `${en} (ru)`) => ({ ru, en });

const QUESTIONS: Question[] = [
  { key: 'cargo', type: 'text', required: true, label: label('What the cargo is') },
  { key: 'valuePerTruck', type: 'number', required: true, label: label('Value per truck') },
  { key: 'armedEscort', type: 'boolean', required: false, label: label('Armed escort required') },
  {
    key: 'packing',
    type: 'choice',
    required: true,
    label: label('Packing'),
    options: [
      { value: 'pallets', label: label('Pallets') },
      { value: 'boxes', label: label('Boxes') },
      { value: 'bulk', label: label('Bulk') },
    ],
  },
  { key: 'firstLoading', type: 'date', required: false, label: label('First loading') },
];
const DEFINITION: QuestionnaireDefinition = { key: 'test-form', title: label('Test form'), questions: QUESTIONS };

const COMPLETE = { cargo: 'Бытовая техника', valuePerTruck: 2_500_000, armedEscort: false, packing: 'pallets', firstLoading: '2027-03-01' };

type Issue = { path: string; message: string };
const issuesOf = (schema: z.ZodType, value: unknown): Issue[] => {
  const result = schema.safeParse(value);
  return result.success ? [] : result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
};
const partial = answersSchema(DEFINITION, { complete: false });
const complete = answersSchema(DEFINITION, { complete: true });

describe('answersSchema', () => {
  it('accepts a complete set of answers and trims texts', () => {
    expect(complete.parse(COMPLETE)).toEqual(COMPLETE);
    expect(partial.parse({ cargo: '  Шины  ' })).toEqual({ cargo: 'Шины' });
  });

  it('accepts any subset when not complete; requires the required questions when complete', () => {
    expect(partial.parse({})).toEqual({});
    expect(partial.parse({ armedEscort: true })).toEqual({ armedEscort: true });
    const issues = issuesOf(complete, { armedEscort: true });
    expect(issues.map((i) => i.path)).toEqual(['cargo', 'valuePerTruck', 'packing']);
    expect(issues[0]!.message).toBe('What the cargo is: an answer is required');
    expect(issues[2]!.message).toContain('Packing');
    // Optional questions may stay unanswered even when complete.
    const { armedEscort: _a, firstLoading: _f, ...required } = COMPLETE;
    expect(complete.parse(required)).toEqual(required);
  });

  it('checks a text: a string, storable, not blank, at most 4000 characters', () => {
    for (const bad of [42, true, null, ['x'], { x: 1 }, '', '   ', NUL, HIGH, LOW, 'x'.repeat(QUESTIONNAIRE_LIMITS.textAnswer + 1)]) {
      const issues = issuesOf(partial, { cargo: bad });
      expect(issues.length, JSON.stringify(bad)).toBeGreaterThan(0);
      for (const issue of issues) {
        expect(issue.path).toBe('cargo');
        expect(issue.message.startsWith('What the cargo is: ')).toBe(true);
      }
    }
    expect(issuesOf(partial, { cargo: NUL })[0]!.message).toContain('NUL');
    expect(issuesOf(partial, { cargo: HIGH })[0]!.message).toContain('surrogate');
    expect(issuesOf(partial, { cargo: LOW })[0]!.message).toContain('surrogate');
    // A well-formed pair is a character like any other.
    expect(partial.parse({ cargo: 'груз 📦' })).toEqual({ cargo: 'груз 📦' });
    expect(partial.parse({ cargo: 'x'.repeat(QUESTIONNAIRE_LIMITS.textAnswer) }).cargo).toHaveLength(4000);
  });

  it('checks a number: finite, not a string', () => {
    for (const bad of ['1000', Infinity, -Infinity, NaN, true, null, [1]]) {
      expect(issuesOf(partial, { valuePerTruck: bad }), String(bad)).toEqual([
        { path: 'valuePerTruck', message: expect.stringMatching(/^Value per truck: must be a (finite )?number$/) },
      ]);
    }
    expect(partial.parse({ valuePerTruck: 0 })).toEqual({ valuePerTruck: 0 });
    expect(partial.parse({ valuePerTruck: -1.5 })).toEqual({ valuePerTruck: -1.5 });
  });

  it('checks a boolean', () => {
    for (const bad of ['true', 1, 0, null, 'да']) {
      expect(issuesOf(partial, { armedEscort: bad })).toEqual([
        { path: 'armedEscort', message: 'Armed escort required: must be true or false' },
      ]);
    }
    expect(partial.parse({ armedEscort: false })).toEqual({ armedEscort: false });
  });

  it('checks a choice: one of the option values', () => {
    for (const bad of ['containers', 'Pallets', 'pallets ', '', 1, null, ['pallets'], NUL]) {
      expect(issuesOf(partial, { packing: bad })).toEqual([{ path: 'packing', message: 'Packing: must be one of: pallets, boxes, bulk' }]);
    }
    for (const good of ['pallets', 'boxes', 'bulk']) expect(partial.parse({ packing: good })).toEqual({ packing: good });
  });

  it('checks a date: YYYY-MM-DD, a real day, in 1900..2199', () => {
    for (const bad of ['1899-12-31', '2200-01-01', '0001-01-01', '9999-12-31']) {
      expect(issuesOf(partial, { firstLoading: bad })).toEqual([
        { path: 'firstLoading', message: 'First loading: must be between 1900-01-01 and 2199-12-31' },
      ]);
    }
    for (const bad of ['2027-02-30', '2027-13-01', '01.03.2027', '2027-03-01T00:00:00Z', '', 20270301, null, NUL]) {
      const issues = issuesOf(partial, { firstLoading: bad });
      expect(issues, String(bad)).toEqual([{ path: 'firstLoading', message: 'First loading: must be a date as YYYY-MM-DD' }]);
    }
    for (const good of ['1900-01-01', '2199-12-31', '2028-02-29'])
      expect(partial.parse({ firstLoading: good })).toEqual({ firstLoading: good });
  });

  it('refuses a key that is not a question, however it is spelt', () => {
    expect(issuesOf(partial, { cargo: 'x', insurance: true })).toEqual([
      { path: 'insurance', message: '"insurance" is not a question of this questionnaire' },
    ]);
    expect(issuesOf(partial, JSON.parse('{"__proto__": {"cargo": "x"}}')).map((i) => i.path)).toEqual(['__proto__']);
    expect(issuesOf(partial, { constructor: 'x' }).map((i) => i.path)).toEqual(['constructor']);
    expect(issuesOf(partial, { [NUL]: 1 }).map((i) => i.path)).toEqual([NUL]);
  });

  it('refuses what is not an object of answers', () => {
    for (const bad of [null, undefined, 'cargo', 42, [], [COMPLETE]]) {
      expect(issuesOf(partial, bad), String(bad)).toEqual([{ path: '', message: 'must be an object of answers keyed by question' }]);
    }
  });

  it('reports every bad answer at once, each under its question, and nests under a body field', () => {
    const body = z.object({ answers: complete });
    const issues = issuesOf(body, { answers: { cargo: NUL, valuePerTruck: '1', packing: 'crates', extra: 1 } });
    expect(issues.map((i) => i.path).sort()).toEqual(['answers.cargo', 'answers.extra', 'answers.packing', 'answers.valuePerTruck']);
  });

  it('an inherited name is neither answered nor missing', () => {
    const withToString: QuestionnaireDefinition = {
      ...DEFINITION,
      questions: [{ key: 'notes', type: 'text', required: true, label: label('Notes') }],
    };
    expect(missingRequired(withToString, Object.create({ notes: 'inherited' }))).toEqual(['notes']);
  });
});

describe('missingRequired', () => {
  it('lists the required questions not answered, in order', () => {
    expect(missingRequired(DEFINITION, {})).toEqual(['cargo', 'valuePerTruck', 'packing']);
    expect(missingRequired(DEFINITION, { packing: 'bulk', armedEscort: true })).toEqual(['cargo', 'valuePerTruck']);
    expect(missingRequired(DEFINITION, COMPLETE)).toEqual([]);
  });

  it('counts null and blank text as not answered, and false and 0 as answered', () => {
    expect(missingRequired(DEFINITION, { cargo: '  ', valuePerTruck: null, packing: 'boxes' })).toEqual(['cargo', 'valuePerTruck']);
    const flags: QuestionnaireDefinition = {
      ...DEFINITION,
      questions: [
        { key: 'flag', type: 'boolean', required: true, label: label('Flag') },
        { key: 'count', type: 'number', required: true, label: label('Count') },
      ],
    };
    expect(missingRequired(flags, { flag: false, count: 0 })).toEqual([]);
  });
});

describe('questionnaireDefinitionSchema', () => {
  const paths = (value: unknown) => issuesOf(questionnaireDefinitionSchema, value).map((i) => i.path);
  const withQuestion = (question: unknown) => ({ ...DEFINITION, questions: [...QUESTIONS, question] });

  it('accepts a good definition; required defaults to false', () => {
    const parsed = questionnaireDefinitionSchema.parse(
      withQuestion({ key: 'notes', type: 'text', label: label('Notes'), help: label('Anything else') }),
    );
    expect(parsed.questions.at(-1)).toEqual({
      key: 'notes',
      type: 'text',
      required: false,
      label: label('Notes'),
      help: label('Anything else'),
    });
  });

  it('accepts the seeded freight-logistics form (migration 005)', () => {
    const sql = readFileSync(path.join(__dirname, '../../db/migrations/005_questionnaires.sql'), 'utf8');
    const questions = JSON.parse(sql.split('$json$')[1]!);
    const parsed = questionnaireDefinitionSchema.parse({ key: 'freight-logistics', title: label('Freight'), questions });
    expect(parsed.questions).toHaveLength(19);
    expect(parsed.questions).toEqual(questions);
    const packing = parsed.questions.find((q) => q.key === 'packing')!;
    expect(packing.options!.map((o) => o.value)).toEqual(['pallets', 'boxes', 'bulk']);
  });

  it('refuses duplicate question keys and duplicate option values', () => {
    expect(paths(withQuestion({ ...QUESTIONS[0], label: label('Again') }))).toEqual(['questions.5.key']);
    const packing = QUESTIONS[3]!;
    expect(
      paths(withQuestion({ ...packing, key: 'packing2', options: [...packing.options!, { value: 'boxes', label: label('More boxes') }] })),
    ).toEqual(['questions.5.options.3.value']);
  });

  it('requires options for a choice (at least two) and refuses them elsewhere', () => {
    expect(paths(withQuestion({ key: 'c', type: 'choice', label: label('C') }))).toEqual(['questions.5.options']);
    expect(
      paths(withQuestion({ key: 'c', type: 'choice', label: label('C'), options: [{ value: 'only', label: label('Only') }] })),
    ).toEqual(['questions.5.options']);
    expect(
      paths(
        withQuestion({
          key: 't',
          type: 'text',
          label: label('T'),
          options: [
            { value: 'a', label: label('A') },
            { value: 'b', label: label('B') },
          ],
        }),
      ),
    ).toEqual(['questions.5.options']);
  });

  it('requires non-empty labels in both languages', () => {
    expect(paths(withQuestion({ key: 'x', type: 'text', label: { ru: 'Вопрос' } }))).toEqual(['questions.5.label.en']);
    expect(paths(withQuestion({ key: 'x', type: 'text', label: { ru: '  ', en: 'Question' } }))).toEqual(['questions.5.label.ru']);
    expect(paths(withQuestion({ key: 'x', type: 'text', label: 'Question' }))).toEqual(['questions.5.label']);
    expect(paths(withQuestion({ key: 'x', type: 'text', label: label('X'), help: { en: 'help' } }))).toEqual(['questions.5.help.ru']);
    expect(paths({ ...DEFINITION, title: { ru: 'Анкета', en: '' } })).toEqual(['title.en']);
    expect(
      paths(
        withQuestion({
          ...QUESTIONS[3],
          key: 'p2',
          options: [
            { value: 'a', label: { ru: 'А' } },
            { value: 'b', label: label('B') },
          ],
        }),
      ),
    ).toEqual(['questions.5.options.0.label.en']);
  });

  it('refuses text Postgres cannot store, anywhere in a definition', () => {
    for (const bad of [NUL, HIGH, LOW]) {
      expect(paths({ ...DEFINITION, title: { ru: bad, en: 'T' } })).toEqual(['title.ru']);
      expect(paths(withQuestion({ key: 'x', type: 'text', label: label(bad, 'Вопрос') }))).toEqual(['questions.5.label.en']);
      expect(paths(withQuestion({ key: 'x', type: 'text', label: label('X'), help: label('H', bad) }))).toEqual(['questions.5.help.ru']);
      expect(paths(withQuestion({ key: `x${bad}`, type: 'text', label: label('X') })).at(0)).toBe('questions.5.key');
      expect(paths({ ...DEFINITION, key: `form${bad}` }).at(0)).toBe('key');
    }
  });

  it('bounds sizes', () => {
    expect(paths(withQuestion({ key: 'x', type: 'text', label: label('x'.repeat(QUESTIONNAIRE_LIMITS.label + 1), 'Вопрос') }))).toEqual([
      'questions.5.label.en',
    ]);
    expect(paths({ ...DEFINITION, questions: [] })).toEqual(['questions']);
    const many = Array.from({ length: QUESTIONNAIRE_LIMITS.questions + 1 }, (_, i) => ({
      key: `q${i}`,
      type: 'text',
      label: label(`Q${i}`),
    }));
    expect(paths({ ...DEFINITION, questions: many })).toEqual(['questions']);
    expect(paths({ ...DEFINITION, key: 'k'.repeat(QUESTIONNAIRE_LIMITS.key + 1) })).toEqual(['key']);
  });

  it('refuses bad keys, types and unknown fields', () => {
    expect(paths({ ...DEFINITION, key: 'Freight Logistics' })).toEqual(['key']);
    expect(paths(withQuestion({ key: '1st', type: 'text', label: label('X') }))).toEqual(['questions.5.key']);
    expect(paths(withQuestion({ key: 'constructor', type: 'text', label: label('X') }))).toEqual(['questions.5.key']);
    expect(paths(withQuestion({ key: 'hasOwnProperty', type: 'text', label: label('X') }))).toEqual(['questions.5.key']);
    expect(paths(withQuestion({ key: 'x', type: 'file', label: label('X') }))).toEqual(['questions.5.type']);
    expect(paths(withQuestion({ key: 'x', type: 'text', required: 'yes', label: label('X') }))).toEqual(['questions.5.required']);
    expect(paths(withQuestion({ key: 'x', type: 'text', requried: true, label: label('X') }))).toEqual(['questions.5']);
    expect(paths({ ...DEFINITION, version: 3 })).toEqual(['']);
    expect(
      paths(
        withQuestion({
          ...QUESTIONS[3],
          key: 'p2',
          options: [
            { value: 'Has Space', label: label('A') },
            { value: 'b', label: label('B') },
          ],
        }),
      ),
    ).toEqual(['questions.5.options.0.value']);
  });
});
