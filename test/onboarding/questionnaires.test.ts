// Questionnaires as data: the seeded freight-logistics form, new versions published by an
// administrator while older ones stay as they were, and answers checked against their version.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import { zodIssues } from '../../api/errors';
import { validateAnswers } from '../../db/onboarding/questionnaires';
import { questionnaireDefinitionSchema } from '../../domain/questionnaires';
import { ADMIN_TOKEN, startHarness, type Harness, type Person } from '../support/harness';

let h: Harness;
let manager: Person;
let ops: Person;
let staffAdmin: Person;

// Nothing here needs a workflow.
beforeAll(async () => {
  h = await startHarness({ worker: false });
  [manager, ops, staffAdmin] = await Promise.all([
    h.person('Мария Менеджерова', ['manager']),
    h.person('Олег Операционный', ['ops']),
    h.person('Алла Админова', ['admin']),
  ]);
});
afterAll(() => h?.close());

const FREIGHT_KEYS = [
  'loadingWarehouses',
  'cargo',
  'cargoValuePerTruck',
  'vehicleTypes',
  'temperatureRegime',
  'packing',
  'cargoSecuring',
  'sideUnloading',
  'armedEscort',
  'insurance',
  'paymentTermsDays',
  'powersOfAttorney',
  'weekendLoading',
  'orderLeadTimeHours',
  'freeWaitingTimeHours',
  'latenessPenalties',
  'downtimePenalties',
  'extraStopsCost',
  'tariffChangeMechanism',
];

const FREIGHT_ANSWERS = {
  loadingWarehouses: 'Москва, Подольск',
  cargo: 'Бытовая техника, до 20 т',
  cargoValuePerTruck: 3_000_000,
  vehicleTypes: 'Тент 20 т',
  temperatureRegime: 'none',
  packing: 'pallets',
  paymentTermsDays: 30,
  orderLeadTimeHours: 24,
  armedEscort: false,
};

const definition = (key: string, extra: Record<string, unknown> = {}) => ({
  key,
  title: { ru: 'Анкета', en: 'Form' },
  questions: [
    { key: 'cargo', type: 'text', required: true, label: { ru: 'Что за груз', en: 'What the cargo is' } },
    {
      key: 'packing',
      type: 'choice',
      required: true,
      label: { ru: 'Упаковка', en: 'Packing' },
      options: [
        { value: 'pallets', label: { ru: 'Паллеты', en: 'Pallets' } },
        { value: 'containers', label: { ru: 'Контейнеры', en: 'Containers' } },
      ],
    },
  ],
  ...extra,
});

const publish = (body: unknown, token = ADMIN_TOKEN) => h.request('POST', '/api/questionnaires', { token, body });
const rowCount = async () => (await h.db.query('SELECT count(*)::int AS n FROM questionnaires')).rows[0].n as number;
const freight = async () => {
  const list = await h.request('GET', '/api/questionnaires', { token: manager.token });
  return list.body.items.find((q: { key: string; version: number }) => q.key === 'freight-logistics' && q.version === 1);
};

describe('the seeded freight-logistics form', () => {
  it('is listed for anyone signed in, and read with its 19 questions', async () => {
    for (const token of [manager.token, ops.token, ADMIN_TOKEN]) {
      const list = await h.request('GET', '/api/questionnaires', { token });
      expect(list.status).toBe(200);
      expect(list.body.items).toContainEqual({
        id: expect.any(String),
        key: 'freight-logistics',
        version: 1,
        title: { ru: 'Вопросы потенциальному клиенту по грузоперевозкам', en: expect.any(String) },
      });
    }
    expect((await h.request('GET', '/api/questionnaires')).status).toBe(401);

    const { id } = await freight();
    const res = await h.request('GET', `/api/questionnaires/${id}`, { token: ops.token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id, key: 'freight-logistics', version: 1, title: { ru: expect.any(String), en: expect.any(String) } });
    expect(Object.keys(res.body).sort()).toEqual(['id', 'key', 'questions', 'title', 'version']);
    expect(res.body.questions.map((q: { key: string }) => q.key)).toEqual(FREIGHT_KEYS);
    // What was seeded is a definition the API itself would accept.
    expect(() =>
      questionnaireDefinitionSchema.parse({ key: res.body.key, title: res.body.title, questions: res.body.questions }),
    ).not.toThrow();
    const byKey = Object.fromEntries(res.body.questions.map((q: { key: string }) => [q.key, q]));
    expect(byKey.packing).toMatchObject({ type: 'choice', required: true, label: { ru: 'Как отгружается товар' } });
    expect(byKey.packing.options.map((o: { value: string }) => o.value)).toEqual(['pallets', 'boxes', 'bulk']);
    expect(byKey.armedEscort).toMatchObject({
      type: 'boolean',
      label: { ru: 'Требуется ли вооруженное сопровождение', en: 'Armed escort required' },
    });
    expect(byKey.cargoValuePerTruck).toMatchObject({ type: 'number', required: true });
    expect(byKey.temperatureRegime.type).toBe('choice');
  });
});

describe('POST /api/questionnaires', () => {
  it('publishes version 2 of a key; version 1 stays readable and unchanged', async () => {
    const v1 = await freight();
    const before = await h.request('GET', `/api/questionnaires/${v1.id}`, { token: manager.token });

    const questions = [
      ...before.body.questions,
      { key: 'returnLoads', type: 'boolean', required: false, label: { ru: 'Нужны ли обратные загрузки', en: 'Return loads wanted' } },
    ];
    const res = await publish({
      key: 'freight-logistics',
      title: { ru: 'Анкета по грузоперевозкам', en: 'Freight request form' },
      questions,
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      key: 'freight-logistics',
      version: 2,
      title: { ru: 'Анкета по грузоперевозкам', en: 'Freight request form' },
      questions,
    });
    expect(res.headers.get('location')).toBe(`/api/questionnaires/${res.body.id}`);
    expect(res.body.id).not.toBe(v1.id);

    const v2 = await h.request('GET', `/api/questionnaires/${res.body.id}`, { token: manager.token });
    expect(v2.body).toEqual(res.body);
    const after = await h.request('GET', `/api/questionnaires/${v1.id}`, { token: manager.token });
    expect(after.body).toEqual(before.body);

    // Every version is listed, the newest of a key first.
    const list = await h.request('GET', '/api/questionnaires', { token: manager.token });
    const versions = list.body.items
      .filter((q: { key: string }) => q.key === 'freight-logistics')
      .map((q: { version: number }) => q.version);
    expect(versions).toEqual([2, 1]);
  });

  it('starts a new key at version 1; a person with the admin role may publish too', async () => {
    const res = await publish(definition('warehousing'), staffAdmin.token);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ key: 'warehousing', version: 1 });
    // Trimmed, and `required` filled in where it was left out.
    const trimmed = await publish({
      ...definition('warehousing'),
      title: { ru: '  Склад ', en: ' Warehousing ' },
      questions: [{ key: 'area', type: 'number', label: { ru: 'Площадь', en: 'Area' } }],
    });
    expect(trimmed.status).toBe(201);
    expect(trimmed.body).toMatchObject({
      version: 2,
      title: { ru: 'Склад', en: 'Warehousing' },
      questions: [{ key: 'area', type: 'number', required: false }],
    });
  });

  it('refuses anyone without the admin role, writing nothing', async () => {
    const before = await rowCount();
    for (const person of [manager, ops]) {
      const res = await publish(definition('forbidden-form'), person.token);
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
    }
    expect((await h.request('POST', '/api/questionnaires', { body: definition('forbidden-form') })).status).toBe(401);
    expect(await rowCount()).toBe(before);
  });

  it('refuses a bad definition with 400 naming the field, writing nothing', async () => {
    const before = await rowCount();
    const good = definition('bad-form');
    const [cargo, packing] = good.questions;
    const cases: [unknown, string][] = [
      [{ ...good, questions: [cargo, { ...cargo, label: { ru: 'Ещё', en: 'Again' } }] }, 'questions.1.key'],
      [{ ...good, questions: [cargo, { ...packing, options: undefined }] }, 'questions.1.options'],
      [{ ...good, questions: [{ ...cargo, options: packing!.options }] }, 'questions.0.options'],
      [{ ...good, questions: [{ ...cargo, label: { ru: 'Груз' } }] }, 'questions.0.label.en'],
      [{ ...good, questions: [{ ...cargo, label: { ru: 'Груз\u0000', en: 'Cargo' } }] }, 'questions.0.label.ru'],
      [{ ...good, questions: [{ ...cargo, help: { ru: 'Помощь', en: 'help \uD800' } }] }, 'questions.0.help.en'],
      [{ ...good, questions: [{ ...cargo, type: 'file' }] }, 'questions.0.type'],
      [{ ...good, questions: [] }, 'questions'],
      [{ ...good, key: 'Bad Key' }, 'key'],
      [{ ...good, title: { ru: 'Анкета', en: ' ' } }, 'title.en'],
      [{ ...good, version: 7 }, '(body)'],
      [{ ...good, questions: [{ ...packing, options: [packing!.options![0], packing!.options![0]] }] }, 'questions.0.options.1.value'],
    ];
    for (const [body, field] of cases) {
      const res = await publish(body);
      expect(res.status, field).toBe(400);
      expect(res.body.error.code).toBe('invalid_request');
      expect(
        res.body.error.issues.map((i: { path: string }) => i.path),
        field,
      ).toContain(field);
    }
    const malformed = await h.request('POST', '/api/questionnaires', {
      token: ADMIN_TOKEN,
      body: '{"key":',
      headers: { 'content-type': 'application/json' },
    });
    expect(malformed.status).toBe(400);
    expect(await rowCount()).toBe(before);
  });

  it('gives 20 concurrent publications of one key 20 distinct consecutive versions', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => publish(definition('concurrent-form', { title: { ru: `Анкета ${i}`, en: `Form ${i}` } }))),
    );
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(201));
    expect(results.map((r) => r.body.version).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(new Set(results.map((r) => r.body.id)).size).toBe(20);
    const stored = await h.db.query(`SELECT version, title_en FROM questionnaires WHERE key = 'concurrent-form' ORDER BY version`);
    expect(stored.rows.map((r) => r.version)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    // Each answer names the row it wrote.
    for (const r of results) expect(stored.rows.find((row) => row.version === r.body.version)!.title_en).toBe(r.body.title.en);
  });
});

describe('GET /api/questionnaires/:id', () => {
  it('is 404 for an unknown or malformed id', async () => {
    for (const id of [randomUUID(), 'abc', '%00', '%F0%9F%93%A6', `${randomUUID()}x`]) {
      const res = await h.request('GET', `/api/questionnaires/${id}`, { token: manager.token });
      expect(res.status, id).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
  });
});

describe('a published version is never changed', () => {
  it('refuses an UPDATE in the database itself', async () => {
    const { id } = await freight();
    await expect(h.db.query(`UPDATE questionnaires SET title_en = 'changed' WHERE id = $1`, [id])).rejects.toThrow(/cannot be changed/);
  });
});

describe('validateAnswers', () => {
  const issuesOf = async (promise: Promise<unknown>) => {
    const err = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ZodError);
    return zodIssues(err as ZodError);
  };

  it('accepts answers that fit, saying which required questions are still missing', async () => {
    const { id } = await freight();
    const partial = await validateAnswers(h.db, id, { cargo: '  Шины ', armedEscort: true }, { complete: false });
    expect(partial).toMatchObject({
      ok: true,
      answers: { cargo: 'Шины', armedEscort: true },
      questionnaire: { id, key: 'freight-logistics', version: 1 },
    });
    expect(partial.missing).toEqual([
      'loadingWarehouses',
      'cargoValuePerTruck',
      'vehicleTypes',
      'temperatureRegime',
      'packing',
      'paymentTermsDays',
      'orderLeadTimeHours',
    ]);
    const whole = await validateAnswers(h.db, id, FREIGHT_ANSWERS, { complete: true });
    expect(whole).toMatchObject({ ok: true, missing: [], answers: FREIGHT_ANSWERS });
  });

  it('refuses answers that do not fit, each issue naming the question, as the API answers 400', async () => {
    const { id } = await freight();
    const issues = await issuesOf(
      validateAnswers(
        h.db,
        id,
        { ...FREIGHT_ANSWERS, cargo: 'a\u0000b', packing: 'crates', armedEscort: 'yes', cargoValuePerTruck: '3 млн', unknownQuestion: 1 },
        { complete: false },
      ),
    );
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: 'answers.cargo', message: expect.stringMatching(/^What the cargo is: .*NUL/) },
        { path: 'answers.packing', message: 'How the goods are loaded: must be one of: pallets, boxes, bulk' },
        { path: 'answers.armedEscort', message: 'Armed escort required: must be true or false' },
        { path: 'answers.cargoValuePerTruck', message: 'Approximate value of the cargo in one truck, RUB: must be a number' },
        { path: 'answers.unknownQuestion', message: expect.stringContaining('is not a question') },
      ]),
    );
    expect(issues).toHaveLength(5);
    // Complete: what is missing is named too.
    const missing = await issuesOf(validateAnswers(h.db, id, { cargo: 'Шины' }, { complete: true }));
    expect(missing.map((i) => i.path)).toEqual([
      'answers.loadingWarehouses',
      'answers.cargoValuePerTruck',
      'answers.vehicleTypes',
      'answers.temperatureRegime',
      'answers.packing',
      'answers.paymentTermsDays',
      'answers.orderLeadTimeHours',
    ]);
    expect(missing[0]!.message).toBe('Location of the loading warehouses: an answer is required');
    // Where the answers sit in another body.
    const nested = await issuesOf(validateAnswers(h.db, id, { packing: 'crates' }, { complete: false, path: ['intake', 'answers'] }));
    expect(nested.map((i) => i.path)).toEqual(['intake.answers.packing']);
  });

  it('checks answers against the version they were given for', async () => {
    const v1 = await publish(definition('versioned-form'));
    const v2 = await publish({
      ...definition('versioned-form'),
      questions: [{ key: 'pallets', type: 'number', required: true, label: { ru: 'Паллет в месяц', en: 'Pallets a month' } }],
    });
    expect([v1.body.version, v2.body.version]).toEqual([1, 2]);
    expect(await validateAnswers(h.db, v2.body.id, { pallets: 120 }, { complete: true })).toMatchObject({ ok: true, missing: [] });
    expect((await issuesOf(validateAnswers(h.db, v1.body.id, { pallets: 120 }, { complete: true }))).map((i) => i.path)).toEqual([
      'answers.pallets',
      'answers.cargo',
      'answers.packing',
    ]);
    expect(await validateAnswers(h.db, v1.body.id, { cargo: 'Мебель', packing: 'containers' }, { complete: true })).toMatchObject({
      ok: true,
      missing: [],
    });
  });

  it('refuses an id that names no questionnaire under questionnaireId', async () => {
    for (const id of [randomUUID(), 'abc', 'a\u0000', 42, undefined]) {
      expect(await issuesOf(validateAnswers(h.db, id, {}, { complete: false }))).toEqual([
        { path: 'questionnaireId', message: 'names no questionnaire' },
      ]);
    }
  });
});
