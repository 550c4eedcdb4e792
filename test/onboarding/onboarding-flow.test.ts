// Onboarding end to end on real Temporal and Postgres: a request with an incomplete questionnaire
// through qualification, automatic assignment, its child contract and the implementation checklist
// to `completed`; a declined client and its refusal letter; a rejected contract and contracting
// started again; overdue checklist items reminded and escalated within seconds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientBody, DEVIATION, stepOk } from '../support/fixtures';
import { ADMIN_TOKEN, eventually, startHarness, type Harness, type Person } from '../support/harness';
import { keepHistory } from '../support/histories';
import { pdfText } from '../support/pdf-text';

let h: Harness;
let ops: Person;
let kamHead: Person;
let lawyer: Person;
let director: Person;
let questionnaireId: string;

const FIRST_ANSWERS = { loadingWarehouses: 'Склад в Подольске, ул. Складская, 1', cargo: 'Бытовая химия на паллетах' };
const REST_OF_ANSWERS = {
  cargoValuePerTruck: 2_500_000,
  vehicleTypes: 'Еврофура 20 т',
  temperatureRegime: 'none',
  packing: 'pallets',
  paymentTermsDays: 30,
  orderLeadTimeHours: 24,
};

beforeAll(async () => {
  h = await startHarness({
    onboardingSla: { stepReminderAfterMs: 60_000, stepEscalationAfterMs: 120_000, checklistDueMs: 2_500, checklistEscalationMs: 4_500 },
  });
  [ops, kamHead, lawyer, director] = await Promise.all([
    h.person('Олег Операционный', ['ops']),
    h.person('Ким Руководитель', ['kam_head']),
    h.person('Юлия Юристова', ['lawyer']),
    h.person('Иванов Иван Иванович', ['director']),
  ]);
  const list = await h.request('GET', '/api/questionnaires', { token: ops.token });
  questionnaireId = list.body.items.find((q: { key: string }) => q.key === 'freight-logistics').id;
});
afterAll(() => h?.close());

const get = async (id: string, person: Person = kamHead) =>
  (await h.request('GET', `/api/onboardings/${id}`, { token: person.token })).body;
const stageOf = async (id: string) => (await get(id)).stage as string;
const untilStage = (id: string, stage: string, timeoutMs = 20_000) =>
  eventually(async () => ((await stageOf(id)) === stage ? true : undefined), timeoutMs, `onboarding ${id} at ${stage}`);

async function requestOnboarding(legalName: string): Promise<{ id: string; workflowId: string; clientId: string }> {
  const client = clientBody();
  client.requisites.legalName = legalName;
  const res = await h.request('POST', '/api/onboardings', {
    token: ops.token,
    body: { client, lineOfBusiness: 'freight-logistics', questionnaireId, answers: FIRST_ANSWERS },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

async function qualified(id: string, segment = 'gold'): Promise<void> {
  await untilStage(id, 'intake');
  const answers = await h.request('PUT', `/api/onboardings/${id}/answers`, { token: ops.token, body: { answers: REST_OF_ANSWERS } });
  expect(answers.status, JSON.stringify(answers.body)).toBe(200);
  await untilStage(id, 'qualification');
  const decision = await h.request('POST', `/api/onboardings/${id}/qualification`, {
    token: kamHead.token,
    body: {
      segment,
      supplierPosition: 'partner',
      expectedAnnualRevenue: 12_000_000,
      decision: 'pursue',
      reason: 'Крупный клиент с регулярными перевозками',
    },
  });
  expect(decision.status, JSON.stringify(decision.body)).toBe(200);
}

async function contractOf(id: string, manager: Person, body: Record<string, unknown> = {}): Promise<string> {
  const today = new Date().toISOString().slice(0, 10);
  const nextYear = new Date(Date.now() + 365 * 86_400_000).toISOString().slice(0, 10);
  const res = await h.request('POST', `/api/onboardings/${id}/contract`, {
    token: manager.token,
    body: {
      template: 'ru',
      terms: { subject: 'Перевозка грузов', amount: 1_000_000, currency: 'RUB', startDate: today, endDate: nextYear, paymentTermsDays: 30 },
      deviations: [],
      ...body,
    },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return eventually(async () => (await get(id)).contractNumber ?? undefined, 20_000, 'the child contract number');
}

/** From contracting to implementation: the contract made, signed, sent and its original back. Answers its number. */
async function throughContract(id: string, manager: Person): Promise<string> {
  const number = await contractOf(id, manager);
  await stepOk(h, director, 'POST', `/api/contracts/${number}/signature`);
  await stepOk(h, manager, 'POST', `/api/contracts/${number}/dispatch`, { channel: 'courier' });
  await stepOk(h, manager, 'POST', `/api/contracts/${number}/original`);
  await stepOk(h, lawyer, 'POST', `/api/contracts/${number}/client-record`);
  await untilStage(id, 'implementation');
  return number;
}

/** From contracting to completed: the contract, then the whole checklist. Answers the contract's number. */
async function throughContractAndChecklist(id: string, manager: Person): Promise<string> {
  const number = await throughContract(id, manager);
  for (const item of ['service_variant', 'contacts'])
    await stepOk(h, manager, 'POST', `/api/onboardings/${id}/checklist/${item}`, { note: 'сделано' });
  for (const item of ['training', 'support_contacts'])
    await stepOk(h, ops, 'POST', `/api/onboardings/${id}/checklist/${item}`, { note: 'сделано' });
  await untilStage(id, 'completed');
  return number;
}

describe('an onboarding from request to completion', () => {
  it('goes through intake, qualification, automatic assignment, its contract and the checklist', async () => {
    // Two managers: one already holding a key client, one free; the free one has more room.
    const busy = await h.person('Занятой Менеджер', ['manager']);
    const free = await h.person('Свободный Менеджер', ['manager']);
    const earlier = await requestOnboarding('ООО «Первый клиент»');
    await qualified(earlier.id, 'key');
    await untilStage(earlier.id, 'contracting');
    const firstChoice = (await get(earlier.id)).managerId;
    expect([busy.id, free.id]).toContain(firstChoice);
    const [holder, other] = firstChoice === busy.id ? [busy, free] : [free, busy];

    const { id, workflowId, clientId } = await requestOnboarding('ООО «Северный ветер»');
    expect((await h.request('GET', `/api/clients/${clientId}`, { token: ops.token })).status).toBe(200);
    await qualified(id);
    await untilStage(id, 'contracting');
    const onboarding = await get(id);
    // The manager without a client has more room; every candidate's load is recorded.
    expect(onboarding.managerId).toBe(other.id);
    const candidates = onboarding.assignment.candidates as { managerId: string; load: number; room: number }[];
    expect(candidates.map((c) => c.managerId)).toEqual(expect.arrayContaining([holder.id, other.id]));
    expect(candidates.find((c) => c.managerId === holder.id)!.load).toBeGreaterThan(candidates.find((c) => c.managerId === other.id)!.load);

    const number = await throughContractAndChecklist(id, other);
    const again = await h.request('POST', `/api/onboardings/${id}/checklist/training`, { token: ops.token, body: { note: 'ещё раз' } });
    expect(again.status).toBe(409);

    const client = (await h.request('GET', `/api/clients/${clientId}`, { token: ops.token })).body;
    expect(client.loyaltyStage).toBe('first_purchase');
    const timeline = (await h.request('GET', `/api/onboardings/${id}/timeline`, { token: kamHead.token })).body;
    const steps = (timeline.items as { process: string; step: string }[]).map((e) => `${e.process}:${e.step}`);
    expect(steps).toEqual(
      expect.arrayContaining([
        'onboarding:request',
        'onboarding:qualification',
        'onboarding:assignment',
        'contract:registration',
        'contract:client_record',
        'onboarding:contract_done',
        'onboarding:checklist_item',
      ]),
    );
    expect(steps.at(-1)).toBe('onboarding:checklist_item');
    // The client's one timeline holds the same steps, in the same order, page by page.
    const clientSteps: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { process: string; step: string }[]; nextCursor: string | null } = (
        await h.request('GET', `/api/clients/${clientId}/timeline?limit=7${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, {
          token: ops.token,
        })
      ).body;
      clientSteps.push(...page.items.map((e) => `${e.process}:${e.step}`));
      cursor = page.nextCursor;
    } while (cursor);
    expect(clientSteps.filter((s) => !s.startsWith('account:'))).toEqual(steps);
    // The completed onboarding opened the client's relationship, with its manager and segment.
    const account = await eventually(
      async () => (await h.request('GET', `/api/clients/${clientId}`, { token: ops.token })).body.account ?? undefined,
      20_000,
      'the account',
    );
    expect(account).toMatchObject({
      stage: 'healthy',
      openedBy: 'onboarding',
      managerId: other.id,
      segment: 'gold',
      health: 100,
      workflowId: `account-${clientId}`,
    });
    const accountSteps = (await h.request('GET', `/api/clients/${clientId}/timeline?limit=200`, { token: ops.token })).body.items.filter(
      (e: { process: string }) => e.process === 'account',
    );
    expect(accountSteps.map((e: { step: string }) => e.step)).toEqual(['opened']);
    expect((await h.request('GET', '/api/clients/not-a-client/timeline', { token: ops.token })).status).toBe(404);
    expect(
      (await h.db.query('SELECT count(*)::int AS n FROM tasks WHERE workflow_id = $1 AND closed_at IS NULL', [workflowId])).rows[0].n,
    ).toBe(0);
    // The contract outlives its onboarding.
    expect((await h.request('GET', `/api/contracts/${number}`, { token: other.token })).body.status).toBe('active');
    // Temporal's own list filters the same way as GET /api/processes.
    const clientCode = (await h.request('GET', `/api/clients/${clientId}`, { token: ops.token })).body.code;
    const listed = async (query: string) => {
      const ids: string[] = [];
      for await (const w of h.temporal.workflow.list({ query })) ids.push(w.workflowId);
      return ids;
    };
    await eventually(
      async () =>
        (await listed(`ProcessType = 'onboarding' AND ProcessStage = 'completed' AND ClientCode = '${clientCode}'`)).includes(workflowId)
          ? true
          : undefined,
      15_000,
      'the onboarding in Temporal visibility',
    );
    await eventually(
      async () =>
        (await listed(`ProcessType = 'contract' AND ProcessStage = 'active' AND ManagerId = '${other.id}'`)).length === 1
          ? true
          : undefined,
      15_000,
      'the contract in Temporal visibility',
    );
    await keepHistory(h.temporal, workflowId, 'v3-onboarding-indexed-completed');
    await keepHistory(h.temporal, workflowId, 'v4-onboarding-opens-account');
  });
});

describe('a client that complained before its onboarding completed', () => {
  it('keeps its one relationship, which learns its manager and segment from the completed onboarding', async () => {
    await h.person('Менеджер Без Клиентов', ['manager']);
    const { id, clientId, workflowId } = await requestOnboarding('ООО «Жалоба до внедрения»');
    const complaint = await h.request('POST', `/api/clients/${clientId}/complaints`, {
      token: ops.token,
      body: { summary: 'Долго не отвечали на запрос', category: 'staff', severity: 'low', reportedBy: 'Снабженец клиента' },
    });
    expect(complaint.status, JSON.stringify(complaint.body)).toBe(201);
    expect(complaint.body.account).toMatchObject({ openedBy: 'complaint', managerId: null, segment: null });

    await qualified(id, 'key');
    await untilStage(id, 'contracting');
    const managerId = (await get(id)).managerId as string;
    const manager = {
      id: managerId,
      token: (await h.request('POST', `/api/staff/${managerId}/tokens`, { token: ADMIN_TOKEN })).body.token,
      name: '',
    };
    await throughContractAndChecklist(id, manager);

    const account = await eventually(
      async () => {
        const a = (await h.request('GET', `/api/clients/${clientId}`, { token: ops.token })).body.account;
        return a?.managerId ? a : undefined;
      },
      20_000,
      'the relationship to learn its manager',
    );
    expect(account).toMatchObject({ openedBy: 'complaint', managerId, segment: 'key', stage: 'healthy' });
    const steps = (await h.request('GET', `/api/clients/${clientId}/timeline?limit=200`, { token: ops.token })).body.items
      .filter((e: { process: string }) => e.process === 'account')
      .map((e: { step: string }) => e.step);
    expect(steps).toEqual(['opened', 'complaint', 'owner']);
    const runs: string[] = [];
    for await (const w of h.temporal.workflow.list({ query: `WorkflowId = 'account-${clientId}'` })) runs.push(w.runId);
    expect(runs).toHaveLength(1);
    await keepHistory(h.temporal, workflowId, 'v4-onboarding-tells-existing-account');
    await keepHistory(h.temporal, `account-${clientId}`, 'account-opened-by-complaint-told-owner');
  });
});

describe('a declined request', () => {
  it('ends as declined with a polite refusal letter and a task for ops to send it', async () => {
    const { id, workflowId, clientId } = await requestOnboarding('ООО «Не наш профиль»');
    await untilStage(id, 'intake');
    await stepOk(h, ops, 'PUT', `/api/onboardings/${id}/answers`, { answers: REST_OF_ANSWERS });
    await untilStage(id, 'qualification');
    const reason = 'Class 1 dangerous goods are outside the services we provide';
    const decline = await h.request('POST', `/api/onboardings/${id}/qualification`, {
      token: kamHead.token,
      body: {
        segment: 'low',
        supplierPosition: 'independent',
        expectedAnnualRevenue: 0,
        decision: 'decline',
        reason,
        letterLanguage: 'en',
      },
    });
    expect(decline.status, JSON.stringify(decline.body)).toBe(200);
    await untilStage(id, 'declined');
    const letter = await h.db.query<{ content: Buffer }>(
      "SELECT content FROM documents WHERE workflow_id = $1 AND kind = 'refusal_letter'",
      [workflowId],
    );
    expect(letter.rowCount).toBe(1);
    const text = await pdfText(letter.rows[0]!.content);
    expect(text).toContain('Не наш профиль');
    expect(text).toContain('dangerous goods');
    expect(text).toContain('Yours faithfully');
    const tasks = await h.db.query<{ kind: string; assignee_role: string }>(
      'SELECT kind, assignee_role FROM tasks WHERE workflow_id = $1 AND closed_at IS NULL',
      [workflowId],
    );
    expect(tasks.rows).toEqual([{ kind: 'send_refusal', assignee_role: 'ops' }]);
    // Ops send the letter and say so; nobody else can, and nobody twice.
    const sendTask = (
      await h.db.query<{ id: string }>("SELECT id FROM tasks WHERE workflow_id = $1 AND kind = 'send_refusal'", [workflowId])
    ).rows[0]!.id;
    expect((await h.request('POST', `/api/tasks/${sendTask}/done`, { token: kamHead.token, body: {} })).status).toBe(404);
    const sent = await Promise.all(
      Array.from({ length: 5 }, () =>
        h.request('POST', `/api/tasks/${sendTask}/done`, { token: ops.token, body: { note: 'отправлено почтой' } }),
      ),
    );
    expect(sent.map((r) => r.status).sort()).toEqual([200, 409, 409, 409, 409]);
    const qualificationTask = (
      await h.db.query<{ id: string }>("SELECT id FROM tasks WHERE workflow_id = $1 AND kind = 'intake'", [workflowId])
    ).rows[0]!.id;
    expect((await h.request('POST', `/api/tasks/${qualificationTask}/done`, { token: ops.token, body: {} })).status).toBe(403);
    const events = (await h.request('GET', `/api/onboardings/${id}/timeline`, { token: kamHead.token })).body.items as { step: string }[];
    expect(events.at(-1)!.step).toBe('send_refusal_done');
    expect((await h.request('POST', `/api/onboardings/${id}/cancel`, { token: ops.token, body: { reason: 'x' } })).status).toBe(409);
    expect(clientId).toBeTruthy();
    await keepHistory(h.temporal, workflowId, 'v2-onboarding-declined');
  });
});

describe('a contract the lawyer rejects', () => {
  it('gives kam_head a task, and a new contract starts contracting again', async () => {
    const manager = await h.person('Менеджер Повтор', ['manager']);
    const { id, workflowId } = await requestOnboarding('ООО «Второй заход»');
    await qualified(id);
    await untilStage(id, 'contracting');
    await stepOk(h, kamHead, 'POST', `/api/onboardings/${id}/assignment`, { managerId: manager.id });
    const first = await contractOf(id, manager, { deviations: [DEVIATION] });
    await stepOk(h, lawyer, 'POST', `/api/contracts/${first}/approval`, { decision: 'reject', comment: 'Неприемлемо' });
    await eventually(
      async () =>
        (
          await h.db.query("SELECT 1 FROM tasks WHERE workflow_id = $1 AND kind = 'restart_contracting' AND closed_at IS NULL", [
            workflowId,
          ])
        ).rowCount
          ? true
          : undefined,
      20_000,
      'the restart task',
    );
    expect(await stageOf(id)).toBe('contracting');
    await contractOf(id, manager);
    const second = await eventually(
      async () => {
        const now = (await get(id)).contractNumber;
        return now && now !== first ? now : undefined;
      },
      20_000,
      'the second contract',
    );
    expect(second).not.toBe(first);
    expect((await h.request('GET', `/api/contracts/${second}`, { token: manager.token })).body.status).toBe('pending_signature');
    await stepOk(h, kamHead, 'POST', `/api/onboardings/${id}/cancel`, { reason: 'клиент передумал' });
    await untilStage(id, 'cancelled');
    // The contract not yet in force goes with it.
    await eventually(
      async () =>
        (await h.request('GET', `/api/contracts/${second}`, { token: manager.token })).body.status === 'cancelled' ? true : undefined,
      20_000,
      'the contract cancelled',
    );
    await keepHistory(h.temporal, workflowId, 'v3-onboarding-indexed-contract-restarted');
  });
});

describe('an overdue checklist item', () => {
  it('reminds its owner, then escalates to kam_head', async () => {
    const manager = await h.person('Менеджер Чеклист', ['manager']);
    const { id, workflowId } = await requestOnboarding('ООО «Медленный старт»');
    await qualified(id);
    await untilStage(id, 'contracting');
    await stepOk(h, kamHead, 'POST', `/api/onboardings/${id}/assignment`, { managerId: manager.id });
    await throughContract(id, manager);
    await stepOk(h, manager, 'POST', `/api/onboardings/${id}/checklist/service_variant`, { note: 'сделано' });
    const reminders = async () =>
      (
        await h.db.query<{ message: string }>("SELECT message FROM notifications WHERE workflow_id = $1 AND kind = 'reminder'", [
          workflowId,
        ])
      ).rows;
    await eventually(async () => ((await reminders()).length >= 3 ? true : undefined), 15_000, 'reminders of the three open items');
    expect((await reminders()).some((r) => r.message.includes('service variant'))).toBe(false);
    await eventually(
      async () =>
        (
          await h.db.query(
            "SELECT 1 FROM tasks WHERE workflow_id = $1 AND kind = 'escalation' AND assignee_role = 'kam_head' AND closed_at IS NULL",
            [workflowId],
          )
        ).rowCount === 3
          ? true
          : undefined,
      15_000,
      'three escalations',
    );
    await stepOk(h, ops, 'POST', `/api/onboardings/${id}/checklist/training`, { note: 'обучение проведено' });
    const open = await h.db.query<{ ref: string }>(
      "SELECT ref FROM tasks WHERE workflow_id = $1 AND kind = 'escalation' AND closed_at IS NULL ORDER BY ref",
      [workflowId],
    );
    expect(open.rows.map((r) => r.ref)).toEqual(['checklist:contacts:escalation', 'checklist:support_contacts:escalation']);
  });
});

describe('every manager over the workload norm', () => {
  it('leaves the choice to kam_head, with every candidate recorded', async () => {
    // A norm of 25: one gold client (20) with 12 M a year (6) and two contacts (2) is already over it.
    const tight = await startHarness({ workloadNorm: 25 });
    try {
      const [opsT, kamT, m1, m2] = await Promise.all([
        tight.person('Опер', ['ops']),
        tight.person('Руководитель', ['kam_head']),
        tight.person('Менеджер Один', ['manager']),
        tight.person('Менеджер Два', ['manager']),
      ]);
      const q = (await tight.request('GET', '/api/questionnaires', { token: opsT.token })).body.items[0].id;
      const created = await tight.request('POST', '/api/onboardings', {
        token: opsT.token,
        body: {
          client: clientBody(),
          lineOfBusiness: 'freight-logistics',
          questionnaireId: q,
          answers: { ...FIRST_ANSWERS, ...REST_OF_ANSWERS },
        },
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const { id, workflowId } = created.body;
      const stage = async () => (await tight.request('GET', `/api/onboardings/${id}`, { token: kamT.token })).body;
      await eventually(async () => ((await stage()).stage === 'qualification' ? true : undefined), 20_000, 'qualification');
      await stepOk(tight, kamT, 'POST', `/api/onboardings/${id}/qualification`, {
        segment: 'gold',
        supplierPosition: 'desired',
        expectedAnnualRevenue: 12_000_000,
        decision: 'pursue',
        reason: 'перспективный клиент',
      });
      const waiting = await eventually(
        async () => {
          const now = await stage();
          return now.stage === 'assignment' && now.assignment ? now : undefined;
        },
        20_000,
        'the assignment left to kam_head',
      );
      expect(waiting.managerId ?? null).toBeNull();
      expect(waiting.assignment.automatic).toBe(false);
      const candidates = waiting.assignment.candidates as { managerId: string; overNorm: boolean; loadAfter: number }[];
      expect(candidates.map((c) => c.managerId).sort()).toEqual([m1.id, m2.id].sort());
      expect(candidates.every((c) => c.overNorm && c.loadAfter > 25)).toBe(true);
      const tasks = await tight.db.query(
        "SELECT assignee_role FROM tasks WHERE workflow_id = $1 AND kind = 'assign_manager' AND closed_at IS NULL",
        [workflowId],
      );
      expect(tasks.rows).toEqual([{ assignee_role: 'kam_head' }]);

      await stepOk(tight, kamT, 'POST', `/api/onboardings/${id}/assignment`, { managerId: m2.id });
      const assigned = await eventually(
        async () => ((await stage()).stage === 'contracting' ? await stage() : undefined),
        20_000,
        'contracting',
      );
      expect(assigned.managerId).toBe(m2.id);
      await keepHistory(tight.temporal, workflowId, 'v2-onboarding-assigned-by-kam-head');
      await stepOk(tight, kamT, 'POST', `/api/onboardings/${id}/cancel`, { reason: 'тест' });
    } finally {
      await tight.close();
    }
  });
});
