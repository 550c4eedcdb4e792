// The onboarding API on its own: the request that starts an onboarding (a new client or an
// existing one, answers checked against their questionnaire, nothing left behind when the start
// fails), the reads, and each step's guards (roles 403, unknown ids 404, bad bodies 400). The
// workflow's own progress is tested elsewhere; nothing here needs more than the start.
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app';
import { ONBOARDING_STAGES } from '../../workflows/onboarding/rules';
import { castAndClient, clientBody, CLIENT_NAME, contractBody, type Cast, freightQuestionnaireId } from '../support/fixtures';
import { ADMIN_TOKEN, QUIET_ONBOARDING_SLA, QUIET_CONTRACT_SLA, startHarness, type Harness } from '../support/harness';

let h: Harness;
let cast: Cast;
let questionnaireId: string;

beforeAll(async () => {
  h = await startHarness();
  cast = await castAndClient(h);
  questionnaireId = await freightQuestionnaireId(h, cast.ops);
});
afterAll(() => h?.close());

const PARTIAL_ANSWERS = { cargo: 'Бытовая техника, до 20 т', packing: 'pallets', armedEscort: false };

const body = (overrides: Record<string, unknown> = {}) => ({
  clientId: cast.clientId,
  lineOfBusiness: 'Грузоперевозки',
  questionnaireId,
  answers: PARTIAL_ANSWERS,
  ...overrides,
});

async function counts() {
  const { rows } = await h.db.query<{ clients: number; onboardings: number; contacts: number }>(
    `SELECT (SELECT count(*) FROM clients)::int AS clients, (SELECT count(*) FROM onboardings)::int AS onboardings,
       (SELECT count(*) FROM client_contacts)::int AS contacts`,
  );
  return rows[0]!;
}

async function create(overrides: Record<string, unknown> = {}, token = cast.ops.token) {
  const res = await h.request('POST', '/api/onboardings', { token, body: body(overrides) });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; workflowId: string; stage: string; clientId: string };
}

describe('POST /api/onboardings', () => {
  it('creates the client in the same request, starts the workflow and answers 201', async () => {
    const before = await counts();
    const { clientId: _omit, ...rest } = body();
    const res = await h.request('POST', '/api/onboardings', {
      token: cast.ops.token,
      body: { ...rest, client: { ...clientBody(), requisites: { ...clientBody().requisites, legalName: 'ООО «Новый клиент»' } } },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.workflowId).toBe(`onboarding-${res.body.id}`);
    expect(ONBOARDING_STAGES).toContain(res.body.stage);
    expect(res.headers.get('location')).toBe(`/api/onboardings/${res.body.id}`);
    const after = await counts();
    expect(after.clients).toBe(before.clients + 1);
    expect(after.onboardings).toBe(before.onboardings + 1);

    const client = await h.request('GET', `/api/clients/${res.body.clientId}`, { token: cast.manager.token });
    expect(client.status).toBe(200);
    expect(client.body.requisites.legalName).toBe('ООО «Новый клиент»');
    expect(client.body.contacts).toHaveLength(2);
    expect(client.body.loyaltyStage).toEqual(expect.any(String));

    // Temporal has the workflow, under the onboarding's workflow id.
    const description = await h.temporal.workflow.getHandle(res.body.workflowId).describe();
    expect(description.type).toBe('onboardingWorkflow');
    expect(description.taskQueue).toBe(h.taskQueue);

    const read = await h.request('GET', `/api/onboardings/${res.body.id}`, { token: cast.kamHead.token });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({
      id: res.body.id,
      workflowId: res.body.workflowId,
      clientId: res.body.clientId,
      clientName: 'ООО «Новый клиент»',
      clientCode: expect.stringMatching(/^CL-\d{5,}$/),
      lineOfBusiness: 'Грузоперевозки',
      questionnaireId,
      createdBy: cast.ops.id,
      loyaltyStage: expect.any(String),
    });
    expect(read.body.answers).toMatchObject(PARTIAL_ANSWERS);
    expect(Array.isArray(read.body.openTasks)).toBe(true);
  });

  it('starts one for an existing client (a manager may too), without creating a client', async () => {
    const before = await counts();
    const created = await create({}, cast.manager.token);
    expect(created.clientId).toBe(cast.clientId);
    const after = await counts();
    expect(after.clients).toBe(before.clients);
    expect(after.onboardings).toBe(before.onboardings + 1);
    const row = await h.db.query('SELECT created_by, questionnaire_id, line_of_business, answers FROM onboardings WHERE id = $1', [
      created.id,
    ]);
    expect(row.rows[0]).toMatchObject({
      created_by: cast.manager.id,
      questionnaire_id: questionnaireId,
      line_of_business: 'Грузоперевозки',
    });
  });

  it('accepts answers left out entirely (an empty questionnaire so far)', async () => {
    const { answers: _none, ...rest } = body();
    const res = await h.request('POST', '/api/onboardings', { token: cast.ops.token, body: rest });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  });

  it('refuses both a client and a clientId, or neither, with 400 and nothing written', async () => {
    const before = await counts();
    const both = await h.request('POST', '/api/onboardings', { token: cast.ops.token, body: body({ client: clientBody() }) });
    expect(both.status).toBe(400);
    expect(both.body.error.issues.map((i: { path: string }) => i.path)).toContain('clientId');
    const { clientId: _omit, ...neither } = body();
    const none = await h.request('POST', '/api/onboardings', { token: cast.ops.token, body: neither });
    expect(none.status).toBe(400);
    expect(none.body.error.issues.map((i: { path: string }) => i.path)).toContain('clientId');
    expect(await counts()).toEqual(before);
  });

  it('refuses answers that do not fit the questionnaire, naming the question, and writes no client or onboarding', async () => {
    const before = await counts();
    const { clientId: _omit, ...rest } = body();
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ packing: 'crates' }, 'answers.packing', /How the goods are loaded: must be one of: pallets, boxes, bulk/],
      [{ noSuchQuestion: 'x' }, 'answers.noSuchQuestion', /not a question of this questionnaire/],
      [{ cargo: 'стекло\u0000' }, 'answers.cargo', /NUL/],
      [{ cargoValuePerTruck: 'много' }, 'answers.cargoValuePerTruck', /must be a number/],
    ];
    for (const [answers, path, message] of cases) {
      const res = await h.request('POST', '/api/onboardings', { token: cast.ops.token, body: { ...rest, client: clientBody(), answers } });
      expect(res.status, JSON.stringify(answers)).toBe(400);
      const issue = res.body.error.issues.find((i: { path: string }) => i.path === path);
      expect(issue, JSON.stringify(res.body)).toBeDefined();
      expect(issue.message).toMatch(message);
    }
    const notAnObject = await h.request('POST', '/api/onboardings', { token: cast.ops.token, body: body({ answers: ['pallets'] }) });
    expect(notAnObject.status).toBe(400);
    expect(notAnObject.body.error.issues[0].path).toBe('answers');
    expect(await counts()).toEqual(before);
  });

  it('refuses an unknown or malformed questionnaire, an unknown client and bad fields with 400', async () => {
    const before = await counts();
    const cases: [Record<string, unknown>, string][] = [
      [{ questionnaireId: '00000000-0000-4000-8000-000000000000' }, 'questionnaireId'],
      [{ questionnaireId: 'freight' }, 'questionnaireId'],
      [{ clientId: '00000000-0000-4000-8000-000000000000' }, 'clientId'],
      [{ clientId: 'nope' }, 'clientId'],
      [{ lineOfBusiness: '' }, 'lineOfBusiness'],
      [{ lineOfBusiness: 'x'.repeat(201) }, 'lineOfBusiness'],
      [{ lineOfBusiness: 'a\u0000b' }, 'lineOfBusiness'],
      [
        { client: { ...clientBody(), requisites: { ...clientBody().requisites, inn: '1234567890' } }, clientId: undefined },
        'client.requisites.inn',
      ],
    ];
    for (const [overrides, path] of cases) {
      const res = await h.request('POST', '/api/onboardings', { token: cast.ops.token, body: body(overrides) });
      expect(res.status, JSON.stringify(overrides)).toBe(400);
      expect(
        res.body.error.issues.map((i: { path: string }) => i.path),
        JSON.stringify(res.body),
      ).toContain(path);
    }
    expect(await counts()).toEqual(before);
  });

  it('is 403 for roles that may not start one, 401 without a token', async () => {
    for (const person of [cast.lawyer, cast.director, cast.kamHead]) {
      const res = await h.request('POST', '/api/onboardings', { token: person.token, body: body() });
      expect(res.status).toBe(403);
    }
    expect((await h.request('POST', '/api/onboardings', { body: body() })).status).toBe(401);
  });

  it('leaves no client behind when the workflow cannot be started (503)', async () => {
    const deadTemporal = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }), namespace: 'default' });
    const app = createApp({
      db: h.db,
      temporal: deadTemporal,
      config: {
        adminToken: ADMIN_TOKEN,
        contract: QUIET_CONTRACT_SLA,
        onboarding: QUIET_ONBOARDING_SLA,
        temporal: { address: '127.0.0.1:1', namespace: 'default', taskQueue: h.taskQueue, callTimeoutMs: 1_000 },
      },
    });
    const server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    try {
      const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/api/onboardings`;
      const before = await counts();
      const { clientId: _omit, ...rest } = body();
      const started = Date.now();
      const res = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${cast.ops.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ ...rest, client: clientBody() }),
      });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unavailable');
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(await counts()).toEqual(before);

      // With an existing client: the onboarding goes, the client stays.
      const existing = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${cast.ops.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body()),
      });
      expect(existing.status).toBe(503);
      expect(await counts()).toEqual(before);
      expect((await h.request('GET', `/api/clients/${cast.clientId}`, { token: cast.ops.token })).status).toBe(200);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await deadTemporal.connection.close().catch(() => undefined);
    }
  });

  it('with one Idempotency-Key is one onboarding: twenty at once, and a retry after an answer that was lost', async () => {
    const before = await counts();
    const headers = { 'Idempotency-Key': `start-${randomUUID()}` };
    const sent = { client: clientBody(), lineOfBusiness: 'Грузоперевозки', questionnaireId, answers: PARTIAL_ANSWERS };
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => h.request('POST', '/api/onboardings', { token: cast.ops.token, body: sent, headers })),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(201));
    const ids = new Set(answers.map((a) => a.body.id));
    expect(ids.size, JSON.stringify([...ids])).toBe(1);
    expect(await counts()).toMatchObject({ clients: before.clients + 1, onboardings: before.onboardings + 1 });

    // An API killed after the start but before its answer was kept: the retry finds what it made.
    const key = { 'Idempotency-Key': `start-${randomUUID()}` };
    const first = await h.request('POST', '/api/onboardings', { token: cast.ops.token, body: body(), headers: key });
    expect(first.status).toBe(201);
    await h.db.query('DELETE FROM step_answers');
    const retried = await h.request('POST', '/api/onboardings', { token: cast.ops.token, body: body(), headers: key });
    expect(retried.status, JSON.stringify(retried.body)).toBe(201);
    expect(retried.body).toMatchObject({ id: first.body.id, workflowId: first.body.workflowId, stage: 'intake' });
    expect(await counts()).toMatchObject({ onboardings: before.onboardings + 2 });
    const history = await h.temporal.workflow.getHandle(first.body.workflowId).fetchHistory();
    const requests = history.events!.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
    expect(requests, 'the request step, once').toHaveLength(1);
    // The same key for another client is a different request.
    const other = await h.request('POST', '/api/onboardings', {
      token: cast.ops.token,
      body: body({ clientId: answers[0]!.body.clientId }),
      headers: key,
    });
    expect(other.status, JSON.stringify(other.body)).toBe(422);
  });
});

describe('reads', () => {
  it('GET /api/onboardings/:id is 404 for an unknown or malformed id', async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', 'nope', '%00']) {
      expect((await h.request('GET', `/api/onboardings/${id}`, { token: cast.ops.token })).status).toBe(404);
      expect((await h.request('GET', `/api/onboardings/${id}/timeline`, { token: cast.ops.token })).status).toBe(404);
    }
  });

  it('GET /api/onboardings/:id/timeline gives the onboarding with its items and what it waits on', async () => {
    const created = await create();
    const res = await h.request('GET', `/api/onboardings/${created.id}/timeline`, { token: cast.kamHead.token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: created.id, workflowId: created.workflowId, stage: expect.any(String) });
    expect(Array.isArray(res.body.items)).toBe(true);
    expect(Array.isArray(res.body.waitingOn)).toBe(true);
    for (const item of res.body.items) expect(['onboarding', 'contract']).toContain(item.process);
  });

  it("GET /api/onboardings/:id/timeline merges the onboarding's steps with its child contract's, in time order", async () => {
    // As the workflow's steps would leave it (written here, so no workflow moves it meanwhile):
    // an intake step, then a contract for this onboarding.
    const id = randomUUID();
    const workflowId = `onboarding-${id}`;
    await h.db.query(
      `INSERT INTO onboardings (id, workflow_id, client_id, line_of_business, questionnaire_id, stage, created_by)
       VALUES ($1, $2, $3, 'Грузоперевозки', $4, 'intake', $5)`,
      [id, workflowId, cast.clientId, questionnaireId, cast.ops.id],
    );
    const contract = await h.request('POST', '/api/contracts', {
      token: cast.ops.token,
      body: contractBody(cast.clientId, cast.manager.id),
    });
    expect(contract.status).toBe(201);
    await h.db.query(
      `INSERT INTO timeline_events (key, workflow_id, step, status_from, status_to, actor_id, actor_name, at, waited_ms, details, process_type, client_id)
       VALUES ($1, $2, 'intake', NULL, 'intake', $3, $4, now() - interval '1 minute', 0, '{"answersComplete": false}', 'onboarding', $5)`,
      [`${workflowId}:test:1`, workflowId, cast.ops.id, cast.ops.name, cast.clientId],
    );
    await h.db.query(`UPDATE onboardings SET contract_workflow_id = $2, contract_number = $3, stage = 'contracting' WHERE id = $1`, [
      id,
      contract.body.workflowId,
      contract.body.number,
    ]);
    const res = await h.request('GET', `/api/onboardings/${id}/timeline`, { token: cast.kamHead.token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id, stage: 'contracting', contractNumber: contract.body.number });
    expect(res.body.items.map((i: { process: string; step: string }) => `${i.process}:${i.step}`)).toEqual([
      'onboarding:intake',
      'contract:registration',
    ]);
    expect(res.body.items[0]).toMatchObject({
      from: null,
      to: 'intake',
      actorId: cast.ops.id,
      actorName: cast.ops.name,
      waitedMs: 0,
      details: { answersComplete: false },
    });
    expect(res.body.waitingOn).toEqual([
      expect.objectContaining({ process: 'contract', task: 'signature', assigneeRole: 'director', contractNumber: contract.body.number }),
    ]);
    const read = await h.request('GET', `/api/onboardings/${id}`, { token: cast.kamHead.token });
    expect(read.body).toMatchObject({
      contractNumber: contract.body.number,
      contractWorkflowId: contract.body.workflowId,
      contractStatus: 'pending_signature',
    });
  });

  it('GET /api/onboardings pages walk every onboarding once, newest first, and filter by stage', async () => {
    for (let i = 0; i < 3; i++) await create();
    const all = await h.db.query<{ id: string }>('SELECT id FROM onboardings ORDER BY created_at DESC, id DESC');
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { status: number; body: { items: { id: string }[]; nextCursor: string | null } } = await h.request(
        'GET',
        `/api/onboardings?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        { token: cast.manager.token },
      );
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.items.map((o) => o.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.rows.map((r) => r.id));

    const stages = await h.db.query<{ stage: string; n: number }>('SELECT stage, count(*)::int AS n FROM onboardings GROUP BY stage');
    for (const { stage, n } of stages.rows) {
      const res = await h.request('GET', `/api/onboardings?stage=${stage}&limit=200`, { token: cast.manager.token });
      expect(res.body.items).toHaveLength(n);
      expect(res.body.items.every((o: { stage: string }) => o.stage === stage)).toBe(true);
    }
    expect((await h.request('GET', '/api/onboardings?stage=nowhere', { token: cast.manager.token })).status).toBe(400);
    expect((await h.request('GET', '/api/onboardings?cursor=forged!', { token: cast.manager.token })).status).toBe(400);
    expect((await h.request('GET', '/api/onboardings?limit=0', { token: cast.manager.token })).status).toBe(400);
  });
});

describe('steps', () => {
  const validBodies = (managerId: string): Record<string, { method: string; body: unknown; roles: string[] }> => ({
    answers: { method: 'PUT', body: { answers: { packing: 'boxes' } }, roles: ['ops', 'manager'] },
    qualification: {
      method: 'POST',
      body: {
        segment: 'key',
        supplierPosition: 'partner',
        expectedAnnualRevenue: 12_000_000,
        decision: 'pursue',
        reason: 'Крупный клиент',
      },
      roles: ['manager', 'kam_head'],
    },
    assignment: { method: 'POST', body: { managerId }, roles: ['kam_head'] },
    contract: {
      method: 'POST',
      body: {
        template: 'ru',
        terms: {
          subject: 'Перевозки',
          amount: 1_000_000,
          currency: 'RUB',
          startDate: '2026-01-01',
          endDate: '2027-01-01',
          paymentTermsDays: 30,
        },
      },
      roles: ['manager', 'kam_head'],
    },
    'checklist/training': { method: 'POST', body: { note: 'Обучение проведено' }, roles: ['manager', 'ops', 'kam_head'] },
    cancel: { method: 'POST', body: { reason: 'Клиент передумал' }, roles: ['ops', 'kam_head'] },
  });

  const badBodies: Record<string, [unknown, string][]> = {
    answers: [
      [{}, 'answers'],
      [{ answers: 'pallets' }, 'answers'],
      [{ answers: { packing: 'crates' } }, 'answers.packing'],
      [{ answers: { unknownQuestion: 1 } }, 'answers.unknownQuestion'],
      [{ answers: { cargo: 'a\u0000' } }, 'answers.cargo'],
    ],
    qualification: [
      [{ segment: 'platinum', supplierPosition: 'partner', expectedAnnualRevenue: 1, decision: 'pursue', reason: 'x' }, 'segment'],
      [{ segment: 'key', supplierPosition: 'boss', expectedAnnualRevenue: 1, decision: 'pursue', reason: 'x' }, 'supplierPosition'],
      [
        { segment: 'key', supplierPosition: 'partner', expectedAnnualRevenue: -1, decision: 'pursue', reason: 'x' },
        'expectedAnnualRevenue',
      ],
      [
        { segment: 'key', supplierPosition: 'partner', expectedAnnualRevenue: 2e15, decision: 'pursue', reason: 'x' },
        'expectedAnnualRevenue',
      ],
      [{ segment: 'key', supplierPosition: 'partner', expectedAnnualRevenue: 1, decision: 'maybe', reason: 'x' }, 'decision'],
      [{ segment: 'key', supplierPosition: 'partner', expectedAnnualRevenue: 1, decision: 'pursue' }, 'reason'],
    ],
    assignment: [
      [{}, 'managerId'],
      [{ managerId: 'someone' }, 'managerId'],
      [{ managerId: '00000000-0000-4000-8000-000000000000' }, 'managerId'],
    ],
    contract: [
      [{}, 'terms'],
      [
        {
          template: 'de',
          terms: { subject: 'x', amount: 1, currency: 'RUB', startDate: '2026-01-01', endDate: '2027-01-01', paymentTermsDays: 30 },
        },
        'template',
      ],
      [
        { terms: { subject: 'x', amount: 1, currency: 'RUB', startDate: '2026-01-01', endDate: '2025-01-01', paymentTermsDays: 30 } },
        'terms.endDate',
      ],
    ],
    'checklist/training': [
      [{}, 'note'],
      [{ note: 'a\u0000' }, 'note'],
    ],
    cancel: [
      [{}, 'reason'],
      [{ reason: 'x'.repeat(4001) }, 'reason'],
    ],
  };

  it('are 404 for an unknown or malformed onboarding on every step route', async () => {
    for (const [path, { method, body: stepBody }] of Object.entries(validBodies(cast.manager.id))) {
      for (const id of ['00000000-0000-4000-8000-000000000000', 'nope']) {
        const res = await h.request(method, `/api/onboardings/${id}/${path}`, { token: cast.kamHead.token, body: stepBody });
        // A kam_head may not give answers: the role is checked first.
        expect(res.status, `${method} ${path}`).toBe(path === 'answers' ? 403 : 404);
        const asOps = await h.request(method, `/api/onboardings/${id}/${path}`, { token: cast.ops.token, body: stepBody });
        expect(asOps.status, `${method} ${path} as ops`).toBe(['answers', 'checklist/training', 'cancel'].includes(path) ? 404 : 403);
      }
    }
  });

  it('are 404 for an unknown checklist item', async () => {
    const { id } = await create();
    const res = await h.request('POST', `/api/onboardings/${id}/checklist/dance`, { token: cast.ops.token, body: { note: 'x' } });
    expect(res.status).toBe(404);
  });

  it('are 403 for a role that may not take them', async () => {
    const { id } = await create();
    const everyone = { ops: cast.ops, manager: cast.manager, kam_head: cast.kamHead, lawyer: cast.lawyer, director: cast.director };
    for (const [path, { method, body: stepBody, roles }] of Object.entries(validBodies(cast.manager.id))) {
      for (const [role, person] of Object.entries(everyone)) {
        if (roles.includes(role)) continue;
        const res = await h.request(method, `/api/onboardings/${id}/${path}`, { token: person.token, body: stepBody });
        expect(res.status, `${role}: ${method} ${path}`).toBe(403);
      }
    }
  });

  it('are 400 for a bad body, naming the field, and write nothing', async () => {
    const { id, workflowId } = await create();
    const valid = validBodies(cast.manager.id);
    const person = {
      answers: cast.ops,
      qualification: cast.manager,
      assignment: cast.kamHead,
      contract: cast.manager,
      'checklist/training': cast.ops,
      cancel: cast.kamHead,
    };
    const before = await h.db.query(
      `SELECT
        (SELECT count(*) FROM onboarding_answer_sets)::int AS sets,
        (SELECT count(*) FROM contract_drafts)::int AS drafts,
        (SELECT answers FROM onboardings WHERE id = $1) AS answers`,
      [id],
    );
    for (const [path, cases] of Object.entries(badBodies)) {
      for (const [stepBody, field] of cases) {
        const res = await h.request(valid[path]!.method, `/api/onboardings/${id}/${path}`, {
          token: person[path as keyof typeof person].token,
          body: stepBody,
        });
        expect(res.status, `${path} ${JSON.stringify(stepBody)}: ${JSON.stringify(res.body)}`).toBe(400);
        expect(
          res.body.error.issues.map((i: { path: string }) => i.path),
          `${path} ${JSON.stringify(stepBody)}`,
        ).toContain(field);
      }
    }
    const after = await h.db.query(
      `SELECT
        (SELECT count(*) FROM onboarding_answer_sets)::int AS sets,
        (SELECT count(*) FROM contract_drafts)::int AS drafts,
        (SELECT answers FROM onboardings WHERE id = $1) AS answers`,
      [id],
    );
    expect(after.rows).toEqual(before.rows);
    expect((await h.db.query('SELECT 1 FROM contract_drafts WHERE workflow_id = $1', [workflowId])).rowCount).toBe(0);
  });

  it('save what the answers change as an answer set keyed by the Idempotency-Key, merged by the workflow', async () => {
    const { id, workflowId } = await create();
    const key = `answers-${Math.random().toString(36).slice(2)}`;
    const res = await h.request('PUT', `/api/onboardings/${id}/answers`, {
      token: cast.ops.token,
      body: { answers: { packing: 'boxes', cargoValuePerTruck: 2_000_000, armedEscort: null } },
      headers: { 'Idempotency-Key': key },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const sets = await h.db.query<{ id: string; changes: Record<string, unknown>; answers: Record<string, unknown> }>(
      'SELECT id, changes, answers FROM onboarding_answer_sets WHERE onboarding_id = $1',
      [id],
    );
    expect(sets.rows).toHaveLength(1);
    expect(sets.rows[0]!.id).toMatch(new RegExp(`^${workflowId}:answers:[0-9a-f]{32}$`));
    // What the request changed, as given (null takes an answer back)…
    expect(sets.rows[0]!.changes).toEqual({ packing: 'boxes', cargoValuePerTruck: 2_000_000, armedEscort: null });
    // …and the answers after the workflow merged it over the request's, on the set and on the onboarding.
    const merged = { cargo: PARTIAL_ANSWERS.cargo, packing: 'boxes', cargoValuePerTruck: 2_000_000 };
    expect(sets.rows[0]!.answers).toEqual(merged);
    expect(res.body.answers).toEqual(merged);
  });
});

describe('the client shows its loyalty stage', () => {
  it('GET /api/clients/:id has loyaltyStage', async () => {
    const res = await h.request('GET', `/api/clients/${cast.clientId}`, { token: cast.ops.token });
    expect(res.body.loyaltyStage).toBe(
      (await h.db.query('SELECT loyalty_stage FROM clients WHERE id = $1', [cast.clientId])).rows[0].loyalty_stage,
    );
    expect(res.body.requisites.legalName).toBe(CLIENT_NAME);
  });
});
