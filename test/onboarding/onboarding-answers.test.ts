// Answers to an onboarding's questionnaire, given at once by several people: merged inside the
// process (in its step lock, over the answers stored when each step takes its turn), so none is
// lost and the form is complete only when every required answer is stored; at qualification a
// required answer cannot be taken back. And a request that comes with every required answer
// answers with the stage it is in (qualification), where the next step finds it at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import { clientBody, EVERY_REQUIRED_ANSWER, freightQuestionnaireId } from '../support/fixtures';
import { COMPANY, startHarness, type Harness, type Person } from '../support/harness';
import { keepHistory } from '../support/histories';

let h: Harness;
let ops: Person;
let manager: Person;
let kamHead: Person;
let questionnaireId: string;

const REQUIRED = [
  'loadingWarehouses',
  'cargo',
  'cargoValuePerTruck',
  'vehicleTypes',
  'temperatureRegime',
  'packing',
  'paymentTermsDays',
  'orderLeadTimeHours',
];
const pick = (keys: string[]) => Object.fromEntries(keys.map((k) => [k, EVERY_REQUIRED_ANSWER[k]!]));

beforeAll(async () => {
  h = await startHarness();
  [ops, manager, kamHead] = await Promise.all([
    h.person('Олег Операционный', ['ops']),
    h.person('Мария Менеджерова', ['manager']),
    h.person('Ким Руководитель', ['kam_head']),
  ]);
  questionnaireId = await freightQuestionnaireId(h, ops);
});
afterAll(() => h?.close());

async function request(answers: Record<string, unknown>, n: number): Promise<{ id: string; workflowId: string; stage: string }> {
  const client = clientBody();
  client.requisites.legalName = `ООО «Анкета ${n}»`;
  const res = await h.request('POST', '/api/onboardings', {
    token: ops.token,
    body: { client, lineOfBusiness: 'freight-logistics', questionnaireId, answers },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

const answer = (id: string, answers: Record<string, unknown>, person: Person = ops) =>
  h.request('PUT', `/api/onboardings/${id}/answers`, { token: person.token, body: { answers } });

async function stored(id: string): Promise<{ stage: string; answers: Record<string, unknown> }> {
  const row = await h.db.query<{ stage: string; answers: Record<string, unknown> }>(
    'SELECT stage, answers FROM onboardings WHERE id = $1',
    [id],
  );
  return row.rows[0]!;
}

/** The invariant: the onboarding is past intake only when every required answer is stored. */
async function expectCompleteOnlyWhenStored(id: string): Promise<{ stage: string; answers: Record<string, unknown> }> {
  const now = await stored(id);
  const missing = REQUIRED.filter((k) => now.answers[k] === undefined);
  if (now.stage === 'qualification') expect(missing, `${id} at qualification`).toEqual([]);
  else expect(now.stage).toBe('intake');
  // What the workflow thinks is what Postgres holds.
  const steps = await h.db.query<{ step: string; status_to: string; details: { complete?: boolean; missing?: string[] } }>(
    'SELECT step, status_to, details FROM timeline_events WHERE workflow_id = (SELECT workflow_id FROM onboardings WHERE id = $1) ORDER BY at, id',
    [id],
  );
  expect(steps.rows.at(-1)!.status_to).toBe(now.stage);
  const lastAnswers = steps.rows.filter((s) => s.step === 'answers').at(-1);
  if (lastAnswers) expect(lastAnswers.details.missing).toEqual(missing);
  return now;
}

describe('answers given at once', () => {
  it('two PUTs with different keys at once: both 200, nothing lost, complete when both are in (10 trials)', async () => {
    for (let trial = 0; trial < 10; trial++) {
      const { id, workflowId } = await request({}, trial);
      const a = { ...pick(REQUIRED.slice(0, 4)), insurance: true };
      const b = { ...pick(REQUIRED.slice(4)), weekendLoading: false };
      const [ra, rb] = await Promise.all([answer(id, a), answer(id, b, manager)]);
      expect([ra.status, rb.status], JSON.stringify([ra.body, rb.body])).toEqual([200, 200]);
      const now = await expectCompleteOnlyWhenStored(id);
      expect(now.answers).toEqual({ ...a, ...b });
      expect(now.stage).toBe('qualification');
      // One step moved it to qualification, and one qualification task is open.
      const moves = await h.db.query(
        "SELECT 1 FROM timeline_events WHERE workflow_id = $1 AND step = 'answers' AND status_from = 'intake' AND status_to = 'qualification'",
        [`onboarding-${id}`],
      );
      expect(moves.rowCount).toBe(1);
      const tasks = await h.db.query('SELECT kind FROM tasks WHERE workflow_id = $1 AND closed_at IS NULL', [`onboarding-${id}`]);
      expect(tasks.rows).toEqual([{ kind: 'qualification' }]);
      await keepHistory(h.temporal, workflowId, 'v5-onboarding-answers-at-once');
    }
  });

  it('one PUT completing the form ‖ one adding other keys: the form is complete with every answer stored (10 trials)', async () => {
    for (let trial = 0; trial < 10; trial++) {
      const { id } = await request(pick(['cargo']), 100 + trial);
      const completing = pick(REQUIRED.filter((k) => k !== 'cargo'));
      const other = { insurance: true, armedEscort: false, latenessPenalties: 'по договору' };
      const [ra, rb] = await Promise.all([answer(id, completing), answer(id, other)]);
      expect([ra.status, rb.status], JSON.stringify([ra.body, rb.body])).toEqual([200, 200]);
      const now = await expectCompleteOnlyWhenStored(id);
      expect(now.stage).toBe('qualification');
      expect(now.answers).toEqual({ ...pick(['cargo']), ...completing, ...other });
    }
  });

  it('one PUT completing the form ‖ one taking a required answer back: never past intake with an answer missing (10 trials)', async () => {
    const seen: Record<string, number> = {};
    for (let trial = 0; trial < 10; trial++) {
      const { id } = await request(pick(['cargo', 'packing']), 200 + trial);
      const completing = pick(REQUIRED.filter((k) => k !== 'cargo' && k !== 'packing'));
      const [ra, rb] = await Promise.all([answer(id, completing), answer(id, { cargo: null })]);
      const now = await expectCompleteOnlyWhenStored(id);
      if (rb.status === 409) {
        // The form was complete first: at qualification a required answer stays.
        expect(ra.status).toBe(200);
        expect(rb.body.error.message).toMatch(/qualification.*cargo/);
        expect(now).toEqual({ stage: 'qualification', answers: { ...pick(['cargo', 'packing']), ...completing } });
      } else {
        // Taken back first (at intake): the completing answers leave cargo missing, so it stays at intake.
        expect([ra.status, rb.status]).toEqual([200, 200]);
        expect(now).toEqual({ stage: 'intake', answers: { packing: 'pallets', ...completing } });
      }
      const key = `answers ${ra.status}, take-back ${rb.status}, ${now.stage}`;
      seen[key] = (seen[key] ?? 0) + 1;
    }
    console.log(`complete ‖ take back, 10 trials: ${JSON.stringify(seen)}`);
  });
});

describe('the merge', () => {
  it('run twice (a retried activity) merges the same way and moves nothing but its own set', async () => {
    const { id, workflowId } = await request(pick(['cargo']), 600);
    const answerSetId = `${workflowId}:answers:retried`;
    await h.db.query('INSERT INTO onboarding_answer_sets (id, onboarding_id, changes, created_by) VALUES ($1, $2, $3, $4)', [
      answerSetId,
      id,
      JSON.stringify({ cargo: null, packing: 'boxes' }),
      ops.id,
    ]);
    const activities = createActivities({ db: h.db, company: COMPANY });
    const first = await activities.mergeOnboardingAnswers({ workflowId, answerSetId });
    expect(await activities.mergeOnboardingAnswers({ workflowId, answerSetId })).toEqual(first);
    expect(first).toEqual({
      complete: false,
      missing: REQUIRED.filter((k) => k !== 'packing'),
      answered: ['packing'],
      takenBack: ['cargo'],
    });
    expect((await h.db.query('SELECT answers FROM onboarding_answer_sets WHERE id = $1', [answerSetId])).rows[0].answers).toEqual({
      packing: 'boxes',
    });
    // The onboarding's answers move only with the step that records the set.
    expect((await stored(id)).answers).toEqual(pick(['cargo']));
    // A set that is not this onboarding's is refused for good (not retried forever).
    await expect(activities.mergeOnboardingAnswers({ workflowId: 'onboarding-other', answerSetId })).rejects.toMatchObject({
      nonRetryable: true,
    });
  });
});

describe('taking an answer back', () => {
  it('at qualification: a required one is refused (409, nothing written), an optional one is taken back', async () => {
    const { id, workflowId, stage } = await request({ ...EVERY_REQUIRED_ANSWER, insurance: true }, 300);
    expect(stage).toBe('qualification');
    const before = await h.db.query('SELECT count(*)::int AS n FROM onboarding_answer_sets WHERE onboarding_id = $1', [id]);
    const events = async () =>
      (await h.db.query('SELECT count(*)::int AS n FROM timeline_events WHERE workflow_id = $1', [workflowId])).rows[0].n as number;
    const eventsBefore = await events();
    const refused = await answer(id, { packing: null, insurance: false });
    expect(refused.status, JSON.stringify(refused.body)).toBe(409);
    expect(refused.body.error.message).toMatch(/packing/);
    expect(await stored(id)).toEqual({ stage: 'qualification', answers: { ...EVERY_REQUIRED_ANSWER, insurance: true } });
    expect(await events()).toBe(eventsBefore);
    expect((await h.db.query('SELECT count(*)::int AS n FROM onboarding_answer_sets WHERE onboarding_id = $1', [id])).rows).toEqual(
      before.rows,
    );

    const optional = await answer(id, { insurance: null, cargo: 'Бытовая химия и косметика' });
    expect(optional.status, JSON.stringify(optional.body)).toBe(200);
    expect(optional.body.stage).toBe('qualification');
    expect(optional.body.answers).toEqual({ ...EVERY_REQUIRED_ANSWER, cargo: 'Бытовая химия и косметика' });
    await keepHistory(h.temporal, workflowId, 'v5-onboarding-answer-take-back-refused');
  });

  it('at intake: taken back, the form stays incomplete', async () => {
    const { id } = await request(pick(['cargo', 'packing']), 301);
    const res = await answer(id, { cargo: null });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ stage: 'intake', answers: { packing: 'pallets' } });
    expect(res.body.answers).not.toHaveProperty('cargo');
  });
});

describe('a request with every required answer', () => {
  it('answers 201 with stage qualification, and a qualification sent at once is taken (30 trials)', async () => {
    const stages: Record<string, number> = {};
    const qualifications: Record<number, number> = {};
    for (let trial = 0; trial < 30; trial++) {
      const created = await request(EVERY_REQUIRED_ANSWER, 400 + trial);
      stages[created.stage] = (stages[created.stage] ?? 0) + 1;
      const q = await h.request('POST', `/api/onboardings/${created.id}/qualification`, {
        token: kamHead.token,
        body: { segment: 'regular', supplierPosition: 'partner', expectedAnnualRevenue: 1_000_000, decision: 'pursue', reason: 'подходит' },
      });
      qualifications[q.status] = (qualifications[q.status] ?? 0) + 1;
      expect(created.stage).toBe('qualification');
      expect(q.status, JSON.stringify(q.body)).toBe(200);
    }
    console.log(
      `request with every answer, 30 trials: stages ${JSON.stringify(stages)}, qualification at once ${JSON.stringify(qualifications)}`,
    );
  });

  it('with some answers missing, answers 201 with stage intake', async () => {
    const created = await request(pick(['cargo']), 500);
    expect(created.stage).toBe('intake');
    const q = await h.request('POST', `/api/onboardings/${created.id}/qualification`, {
      token: kamHead.token,
      body: { segment: 'regular', supplierPosition: 'partner', expectedAnnualRevenue: 1_000_000, decision: 'pursue', reason: 'подходит' },
    });
    expect(q.status).toBe(409);
  });
});
