// The account relationship on real Temporal and Postgres, its clocks shrunk to seconds: recurring
// complaints make a client dissatisfied; an unresolved stage escalates by itself; each stage's
// owners get their tasks; a recovery and its watch period; a loss that closes every open task,
// and what the analytics make of it; twenty first complaints at once start one relationship.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { castAndClient, newClient as newClientOf, contractBody, type Cast } from '../support/fixtures';
import { eventually, startHarness, type Harness, type Person } from '../support/harness';
import { keepHistory } from '../support/histories';

let h: Harness;
let cast: Cast;

const HOUR = 3_600_000;

beforeAll(async () => {
  h = await startHarness({
    accountSla: {
      complaintDueMs: { low: HOUR, medium: HOUR, high: 3_000 },
      complaintsToDissatisfied: 3,
      complaintWindowMs: HOUR,
      commitmentReminderBeforeMs: 2_000,
      reviewEveryMs: { key: HOUR, gold: HOUR, regular: HOUR, low: HOUR },
      lowSatisfaction: 5,
      stageDeadlineMs: { dissatisfied: 4_000, adversarial: 4_000, ultimatum: HOUR, arbitration: HOUR },
      watchPeriodMs: HOUR,
    },
  });
  cast = await castAndClient(h);
});
afterAll(() => h?.close());

const newClient = (name: string) => newClientOf(h, cast.ops, name);

const clientOf = async (clientId: string) => (await h.request('GET', `/api/clients/${clientId}`, { token: cast.ops.token })).body;
const untilStage = (clientId: string, stage: string, timeoutMs = 20_000) =>
  eventually(async () => ((await clientOf(clientId)).stage === stage ? true : undefined), timeoutMs, `client ${clientId} at ${stage}`);

async function complain(clientId: string, person: Person, body: Record<string, unknown> = {}, headers?: Record<string, string>) {
  return h.request('POST', `/api/clients/${clientId}/complaints`, {
    token: person.token,
    headers,
    body: {
      summary: 'Машина опоздала на погрузку на 4 часа',
      category: 'delivery',
      severity: 'medium',
      reportedBy: 'Петров П. П., логист клиента',
      ...body,
    },
  });
}

async function openTasks(
  clientId: string,
): Promise<{ kind: string; ref: string; assignee_role: string; assignee_staff_id: string | null }[]> {
  const { rows } = await h.db.query(
    `SELECT kind, ref, assignee_role, assignee_staff_id FROM tasks WHERE client_id = $1 AND process_type = 'account' AND closed_at IS NULL ORDER BY opened_at, id`,
    [clientId],
  );
  return rows;
}

async function notificationsTo(person: Person): Promise<{ kind: string; message: string }[]> {
  const res = await h.request('GET', '/api/notifications?limit=200', { token: person.token });
  expect(res.status).toBe(200);
  return res.body.items;
}

const accountSteps = async (clientId: string): Promise<string[]> =>
  (await h.request('GET', `/api/clients/${clientId}/timeline?limit=200`, { token: cast.ops.token })).body.items
    .filter((e: { process: string }) => e.process === 'account')
    .map((e: { step: string; to: string }) => `${e.step}:${e.to}`);

describe('the churn stages', () => {
  it('recurring complaints make a client dissatisfied; left unresolved it turns adversarial, then goes to the director', async () => {
    const clientId = await newClient('ООО «Повторные жалобы»');
    // The client's manager is known from its contract before the relationship opens.
    const contract = await h.request('POST', '/api/contracts', {
      token: cast.manager.token,
      body: contractBody(clientId, cast.manager.id),
    });
    expect(contract.status, JSON.stringify(contract.body)).toBe(201);

    const first = await complain(clientId, cast.ops);
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body).toMatchObject({ clientId, stage: 'healthy', workflowId: `account-${clientId}` });
    expect(first.body.health.score).toBeLessThan(100);
    expect(first.body.account).toMatchObject({ openedBy: 'complaint', managerId: cast.manager.id });
    const second = await complain(clientId, cast.manager, { category: 'documents' });
    expect(second.body.stage).toBe('healthy');
    const third = await complain(clientId, cast.kamHead, { category: 'billing', severity: 'low' });
    expect(third.status).toBe(201);
    expect(third.body.stage).toBe('dissatisfied');
    expect(third.body.account).toMatchObject({ openComplaints: 3, overdueComplaints: 0, openCommitments: 0, overdueCommitments: 0 });
    expect(third.body.health.reasons.map((r: { reason: string }) => r.reason)).toEqual(
      expect.arrayContaining([
        'stage: dissatisfied',
        '2 open medium complaints',
        '1 open low complaint',
        '3 complaints within the recurrence window',
      ]),
    );

    // The manager is to evaluate the whole service, and is told so.
    expect(await openTasks(clientId)).toEqual(
      expect.arrayContaining([
        { kind: 'evaluate_service', ref: 'stage:dissatisfied:manager', assignee_role: 'manager', assignee_staff_id: cast.manager.id },
      ]),
    );
    expect((await notificationsTo(cast.manager)).map((n) => n.message)).toEqual(
      expect.arrayContaining([expect.stringMatching(/evaluate the whole service/)]),
    );
    // The manager's own list says what each task is about and when it is due.
    const mine = (await h.request('GET', '/api/tasks?limit=200', { token: cast.manager.token })).body.items.filter(
      (t: { clientId: string }) => t.clientId === clientId,
    );
    const evaluation = mine.find((t: { kind: string }) => t.kind === 'evaluate_service');
    expect(evaluation).toMatchObject({ process: 'account', contractNumber: null });
    expect(Date.parse(evaluation.dueAt) - Date.parse(evaluation.openedAt)).toBe(4_000);
    const complaintTask = mine.find((t: { kind: string }) => t.kind === 'complaint');
    expect(Date.parse(complaintTask.dueAt) - Date.parse(complaintTask.openedAt)).toBe(HOUR);

    // Past its deadline (4 s) dissatisfied becomes adversarial by itself: kam_head drives the plan.
    await untilStage(clientId, 'adversarial');
    const adversarial = await openTasks(clientId);
    expect(adversarial.map((t) => t.ref)).toContain('stage:adversarial:kam_head');
    expect(adversarial.map((t) => t.ref)).not.toContain('stage:dissatisfied:manager');
    // Its actions past their deadline too: the director is given the escalation.
    const escalation = await eventually(
      async () => (await openTasks(clientId)).find((t) => t.ref === 'stage:adversarial:escalation'),
      20_000,
      'the escalation',
    );
    expect(escalation).toMatchObject({ kind: 'escalation', assignee_role: 'director' });
    expect((await notificationsTo(cast.director)).map((n) => n.message)).toEqual(
      expect.arrayContaining([expect.stringMatching(/adversarial stage's actions are overdue/)]),
    );
    expect(await accountSteps(clientId)).toEqual([
      'opened:healthy',
      'complaint:healthy',
      'complaint:healthy',
      'complaint:dissatisfied',
      'escalated_by_deadline:adversarial',
      'stage_overdue:adversarial',
    ]);
    // Another manager cannot resolve this manager's client's complaint; the manager can.
    const stranger = await h.person('Чужой Менеджер', ['manager']);
    const resolve = (person: Person) =>
      h.request('POST', `/api/complaints/${first.body.id}/resolve`, {
        token: person.token,
        body: { resolution: 'Водитель заменён, график пересмотрен', rootCause: 'process' },
      });
    expect((await resolve(stranger)).status).toBe(403);
    expect((await resolve(cast.ops)).status).toBe(403);
    const resolved = await resolve(cast.manager);
    expect(resolved.status, JSON.stringify(resolved.body)).toBe(200);
    expect((await resolve(cast.manager)).status).toBe(409);
    // kam_head hands the client to another manager: the open complaint tasks go with it.
    const successor = await h.person('Новый Менеджер', ['manager']);
    const handOver = (person: Person, managerId: string) =>
      h.request('POST', `/api/clients/${clientId}/manager`, { token: person.token, body: { managerId } });
    expect((await handOver(cast.manager, successor.id)).status).toBe(403);
    expect((await handOver(cast.kamHead, cast.ops.id)).status).toBe(400);
    const handed = await handOver(cast.kamHead, successor.id);
    expect(handed.status, JSON.stringify(handed.body)).toBe(200);
    expect(handed.body.account.managerId).toBe(successor.id);
    expect((await handOver(cast.kamHead, successor.id)).status).toBe(409);
    const complaintTasks = (await openTasks(clientId)).filter((t) => t.kind === 'complaint');
    expect(complaintTasks.length).toBe(2);
    expect(complaintTasks.every((t) => t.assignee_staff_id === successor.id)).toBe(true);
    const resolveSecond = (person: Person) =>
      h.request('POST', `/api/complaints/${second.body.id}/resolve`, {
        token: person.token,
        body: { resolution: 'Документы отправлены', rootCause: 'person' },
      });
    expect((await resolveSecond(cast.manager)).status).toBe(403);
    expect((await resolveSecond(successor)).status).toBe(200);
    const complaints = (await h.request('GET', `/api/clients/${clientId}/complaints?status=resolved`, { token: cast.ops.token })).body
      .items;
    expect(complaints).toHaveLength(2);
    expect(complaints.find((c: { id: string }) => c.id === first.body.id)).toMatchObject({
      status: 'resolved',
      rootCause: 'process',
      resolvedBy: cast.manager.id,
    });
  });

  it('gives each reported stage to its owners, resolves to healthy with a watch, and a new complaint sends it straight back', async () => {
    const clientId = await newClient('ООО «Ультиматум»');
    const report = (person: Person, stage: string) =>
      h.request('POST', `/api/clients/${clientId}/escalation`, {
        token: person.token,
        body: { stage, evidence: 'Письмо генерального директора клиента от 12.11' },
      });
    // Reporting opens the relationship of a client that had none.
    const ultimatum = await report(cast.manager, 'ultimatum');
    expect(ultimatum.status, JSON.stringify(ultimatum.body)).toBe(200);
    expect(ultimatum.body.stage).toBe('ultimatum');
    expect((await openTasks(clientId)).map((t) => [t.kind, t.assignee_role])).toEqual(
      expect.arrayContaining([
        ['root_cause_plan', 'director'],
        ['root_cause_plan', 'kam_head'],
      ]),
    );
    for (const owner of [cast.director, cast.kamHead]) {
      expect((await notificationsTo(owner)).map((n) => n.message)).toEqual(
        expect.arrayContaining([expect.stringMatching(/root-cause analysis of the process/)]),
      );
    }
    expect((await report(cast.manager, 'adversarial')).status).toBe(409);
    expect((await report(cast.ops, 'arbitration')).status).toBe(403);
    const arbitration = await report(cast.lawyer, 'arbitration');
    expect(arbitration.body.stage).toBe('arbitration');
    const tasks = await openTasks(clientId);
    expect(tasks.map((t) => [t.kind, t.assignee_role])).toEqual([['arbitration_response', 'lawyer']]);
    expect((await notificationsTo(cast.lawyer)).map((n) => n.message)).toEqual(
      expect.arrayContaining([expect.stringMatching(/prepare the response/)]),
    );

    const resolveBody = { outcome: 'recovered', actions: 'Мировое соглашение, новый регламент подачи машин' };
    expect(
      (await h.request('POST', `/api/clients/${clientId}/escalation/resolve`, { token: cast.manager.token, body: resolveBody })).status,
    ).toBe(403);
    expect(
      (
        await h.request('POST', `/api/clients/${clientId}/escalation/resolve`, {
          token: cast.kamHead.token,
          body: { ...resolveBody, outcome: 'lost' },
        })
      ).status,
    ).toBe(400);
    const recovered = await h.request('POST', `/api/clients/${clientId}/escalation/resolve`, {
      token: cast.kamHead.token,
      body: resolveBody,
    });
    expect(recovered.status, JSON.stringify(recovered.body)).toBe(200);
    expect(recovered.body.stage).toBe('healthy');
    expect(recovered.body.account).toMatchObject({ watchStage: 'arbitration' });
    expect(await openTasks(clientId)).toEqual([]);
    expect(
      (await h.request('POST', `/api/clients/${clientId}/escalation/resolve`, { token: cast.kamHead.token, body: resolveBody })).status,
    ).toBe(409);

    // Within the watch, one low complaint is enough to go back where it was.
    const back = await complain(clientId, cast.ops, { severity: 'low' });
    expect(back.status).toBe(201);
    expect(back.body.stage).toBe('arbitration');
    expect(back.body.account.watchUntil).toBeNull();
    // The client's timeline names who took each step and how long the relationship waited for it.
    const timeline = (await h.request('GET', `/api/clients/${clientId}/timeline`, { token: cast.ops.token })).body.items;
    const resolvedEvent = timeline.find((e: { step: string }) => e.step === 'escalation_resolved');
    expect(resolvedEvent).toMatchObject({ process: 'account', actorName: cast.kamHead.name, from: 'arbitration', to: 'healthy' });
    expect(resolvedEvent.waitedMs).toBeGreaterThanOrEqual(0);
    expect((await openTasks(clientId)).map((t) => t.kind)).toEqual(expect.arrayContaining(['complaint', 'arbitration_response']));
  });

  it('a loss closes every open task of the client, ends the relationship, and the analytics count it', async () => {
    const clientId = await newClient('ООО «Ушедший клиент»');
    const contract = await h.request('POST', '/api/contracts', {
      token: cast.manager.token,
      body: contractBody(clientId, cast.manager.id),
    });
    expect(contract.status).toBe(201);
    await complain(clientId, cast.ops, { severity: 'high' });
    const commitment = await h.request('POST', `/api/clients/${clientId}/commitments`, {
      token: cast.manager.token,
      body: { what: 'Выделить две машины в резерв на декабрь', dueDate: '2099-12-01', ownerId: cast.manager.id },
    });
    expect(commitment.status, JSON.stringify(commitment.body)).toBe(201);
    expect(
      (
        await h.request('POST', `/api/clients/${clientId}/escalation`, {
          token: cast.kamHead.token,
          body: { stage: 'adversarial', evidence: 'Жалобы в соцсетях' },
        })
      ).status,
    ).toBe(200);
    const before = (await h.db.query('SELECT count(*)::int AS n FROM tasks WHERE client_id = $1 AND closed_at IS NULL', [clientId])).rows[0]
      .n;
    expect(before).toBeGreaterThanOrEqual(3);

    const lossBody = { reason: 'service', competitor: 'ООО «ТрансЛидер»', note: 'Срывы подачи машин в течение квартала' };
    expect((await h.request('POST', `/api/clients/${clientId}/loss`, { token: cast.manager.token, body: lossBody })).status).toBe(403);
    expect(
      (await h.request('POST', `/api/clients/${clientId}/loss`, { token: cast.director.token, body: { ...lossBody, reason: 'weather' } }))
        .status,
    ).toBe(400);
    const lost = await h.request('POST', `/api/clients/${clientId}/loss`, { token: cast.director.token, body: lossBody });
    expect(lost.status, JSON.stringify(lost.body)).toBe(200);
    expect(lost.body.account).toMatchObject({
      stage: 'lost',
      lostAtStage: 'adversarial',
      lossReason: 'service',
      lossCompetitor: 'ООО «ТрансЛидер»',
    });
    expect(
      (await h.db.query('SELECT count(*)::int AS n FROM tasks WHERE client_id = $1 AND closed_at IS NULL', [clientId])).rows[0].n,
    ).toBe(0);
    expect((await clientOf(clientId)).loyaltyStage).toBe('lost');
    expect((await h.request('GET', `/api/clients/${clientId}/commitments`, { token: cast.ops.token })).body.items[0].status).toBe(
      'cancelled',
    );
    // An ended relationship takes no more steps, and is not started again.
    expect((await complain(clientId, cast.ops)).status).toBe(409);
    expect((await h.request('POST', `/api/clients/${clientId}/loss`, { token: cast.director.token, body: lossBody })).status).toBe(409);
    const result = await h.temporal.workflow.getHandle(`account-${clientId}`).result();
    expect(result.stage).toBe('lost');

    const today = new Date().toISOString().slice(0, 10);
    const losses = (await h.request('GET', `/api/analytics/losses?from=${today}&to=${today}`, { token: cast.kamHead.token })).body;
    expect(losses.byReason).toEqual(expect.arrayContaining([{ key: 'service', count: 1 }]));
    expect(losses.byCompetitor).toEqual(expect.arrayContaining([{ key: 'ООО «ТрансЛидер»', count: 1 }]));
    expect(losses.byStage).toEqual(expect.arrayContaining([{ key: 'adversarial', count: 1 }]));
    expect(losses.losses.map((l: { clientId: string }) => l.clientId)).toContain(clientId);
    expect((await h.request('GET', '/api/analytics/losses?from=2000-01-01&to=2000-12-31', { token: cast.kamHead.token })).body.total).toBe(
      0,
    );
    expect((await h.request('GET', `/api/analytics/losses?from=${today}&to=2000-01-01`, { token: cast.kamHead.token })).status).toBe(400);

    const churn = (await h.request('GET', '/api/analytics/churn', { token: cast.kamHead.token })).body;
    expect(churn.byStage.find((s: { key: string }) => s.key === 'lost').count).toBeGreaterThanOrEqual(1);
    const adversarialTime = churn.timeInStage.find((s: { stage: string }) => s.stage === 'adversarial');
    expect(adversarialTime.periods).toBeGreaterThanOrEqual(1);
    expect(adversarialTime.avgMs).toBeGreaterThan(0);
    // Temporal's own list filters relationships like GET /api/processes.
    await eventually(
      async () => {
        for await (const w of h.temporal.workflow.list({
          query: `ProcessType = 'account' AND ProcessStage = 'lost' AND ManagerId = '${cast.manager.id}'`,
        })) {
          if (w.workflowId === `account-${clientId}`) return true;
        }
        return undefined;
      },
      15_000,
      'the relationship in Temporal visibility',
    );
    await keepHistory(h.temporal, `account-${clientId}`, 'account-lost-at-adversarial');
  });

  it('shows health on the client and the process list, and lists the clients that cooled with the reasons', async () => {
    const clientId = await newClient('ООО «Остывающий»');
    const res = await complain(clientId, cast.ops, { severity: 'high' });
    expect(res.status).toBe(201);
    const client = await clientOf(clientId);
    expect(client.health.score).toBeLessThan(100);
    const processes = (await h.request('GET', `/api/processes?type=account&clientId=${clientId}`, { token: cast.ops.token })).body.items;
    expect(processes).toHaveLength(1);
    expect(processes[0]).toMatchObject({ type: 'account', id: clientId, stage: client.stage, health: { score: client.health.score } });
    expect(processes[0].waitingOn.map((w: { task: string }) => w.task)).toContain('complaint');
    const cooling = (await h.request('GET', '/api/analytics/cooling?days=7', { token: cast.kamHead.token })).body;
    const mine = cooling.clients.find((c: { clientId: string }) => c.clientId === clientId);
    expect(mine).toMatchObject({ healthBefore: 100, healthNow: client.health.score });
    expect(mine.reasonsNow.map((r: { reason: string }) => r.reason)).toContain('1 open high complaint');
    expect((await h.request('GET', '/api/analytics/cooling?days=0', { token: cast.kamHead.token })).status).toBe(400);
    // The high complaint is past its deadline in 3 s: escalated to kam_head, the client dissatisfied.
    await untilStage(clientId, 'dissatisfied');
    expect((await openTasks(clientId)).find((t) => t.kind === 'escalation')).toMatchObject({ assignee_role: 'kam_head' });
    const overdue = (await h.request('GET', `/api/clients/${clientId}/complaints`, { token: cast.ops.token })).body.items[0];
    expect(overdue.overdueAt).not.toBeNull();
  });
});

describe('a contract handed over', () => {
  it("moves the relationship, and its open tasks, when the contract's manager had the client; not otherwise", async () => {
    const clientId = await newClient('ООО «Передача дел»');
    const contract = await h.request('POST', '/api/contracts', {
      token: cast.manager.token,
      body: contractBody(clientId, cast.manager.id),
    });
    expect(contract.status).toBe(201);
    expect((await complain(clientId, cast.ops)).body.account.managerId).toBe(cast.manager.id);
    const successor = await h.person('Преемник', ['manager']);
    const reassigned = await h.request('POST', `/api/contracts/${contract.body.number}/reassign`, {
      token: cast.kamHead.token,
      body: { managerId: successor.id },
    });
    expect(reassigned.status, JSON.stringify(reassigned.body)).toBe(200);
    await eventually(
      async () => ((await clientOf(clientId)).account.managerId === successor.id ? true : undefined),
      15_000,
      'the relationship to follow',
    );
    expect((await openTasks(clientId)).find((t) => t.kind === 'complaint')).toMatchObject({ assignee_staff_id: successor.id });

    // A second contract of another manager handed over does not move the relationship.
    const other = await h.person('Другой Менеджер Договора', ['manager']);
    const second = await h.request('POST', '/api/contracts', { token: other.token, body: contractBody(clientId, other.id) });
    expect(second.status).toBe(201);
    expect(
      (
        await h.request('POST', `/api/contracts/${second.body.number}/reassign`, {
          token: cast.kamHead.token,
          body: { managerId: cast.manager.id },
        })
      ).status,
    ).toBe(200);
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await clientOf(clientId)).account.managerId).toBe(successor.id);
    const { rows } = await h.db.query('SELECT workflow_id FROM contract_registry WHERE number = $1', [contract.body.number]);
    await keepHistory(h.temporal, rows[0].workflow_id, 'v4-contract-reassigned-tells-account');
  });
});

describe('stage actions done in time', () => {
  it('stop a stage from escalating (dissatisfaction itself must be resolved); each owner reports their own, once', async () => {
    const clientId = await newClient('ООО «Вовремя»');
    const contract = await h.request('POST', '/api/contracts', {
      token: cast.manager.token,
      body: contractBody(clientId, cast.manager.id),
    });
    expect(contract.status).toBe(201);
    const act = (person: Person) =>
      h.request('POST', `/api/clients/${clientId}/escalation/actions`, {
        token: person.token,
        body: { note: 'Оценка сервиса проведена: сроки подачи машин, документы' },
      });
    expect((await act(cast.manager)).status).toBe(409);
    for (const category of ['delivery', 'documents', 'billing'])
      expect((await complain(clientId, cast.ops, { category })).status).toBe(201);
    expect((await clientOf(clientId)).stage).toBe('dissatisfied');
    expect((await act(cast.ops)).status).toBe(403);
    expect((await act(cast.lawyer)).status).toBe(403);
    const stranger = await h.person('Другой Менеджер', ['manager']);
    expect((await act(stranger)).status).toBe(403);
    const done = await act(cast.manager);
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect((await act(cast.manager)).status).toBe(409);
    expect((await openTasks(clientId)).map((t) => t.kind)).not.toContain('evaluate_service');
    // The evaluation done, dissatisfaction left unresolved still turns adversarial at its deadline (4 s)…
    await untilStage(clientId, 'adversarial');
    // …where kam_head's plan, reported in time, keeps it from going to the director.
    const plan = await act(cast.kamHead);
    expect(plan.status, JSON.stringify(plan.body)).toBe(200);
    await new Promise((r) => setTimeout(r, 5_000));
    expect((await clientOf(clientId)).stage).toBe('adversarial');
    expect((await accountSteps(clientId)).filter((s) => /stage_overdue/.test(s))).toEqual([]);

    // Two owners: each reports their own part.
    expect(
      (
        await h.request('POST', `/api/clients/${clientId}/escalation`, {
          token: cast.kamHead.token,
          body: { stage: 'ultimatum', evidence: 'Письмо' },
        })
      ).status,
    ).toBe(200);
    expect((await act(cast.director)).status).toBe(200);
    expect((await openTasks(clientId)).filter((t) => t.kind === 'root_cause_plan').map((t) => t.assignee_role)).toEqual(['kam_head']);
    expect((await act(cast.director)).status).toBe(409);
    expect((await act(cast.kamHead)).status).toBe(200);
    expect((await openTasks(clientId)).filter((t) => t.kind === 'root_cause_plan')).toEqual([]);
    const last = (
      await h.db.query(`SELECT details FROM timeline_events WHERE workflow_id = $1 AND step = 'stage_action' ORDER BY at DESC LIMIT 1`, [
        `account-${clientId}`,
      ])
    ).rows[0];
    expect(last.details).toMatchObject({ role: 'kam_head', allDone: true });
    await keepHistory(h.temporal, `account-${clientId}`, 'account-stage-actions');
  });
});

describe('conflicting steps at once', () => {
  it('a loss racing a recovery, reports and complaints: the loss is the last step and nothing follows it', async () => {
    const clientId = await newClient('ООО «Гонка шагов»');
    expect(
      (
        await h.request('POST', `/api/clients/${clientId}/escalation`, {
          token: cast.kamHead.token,
          body: { stage: 'adversarial', evidence: 'Письма' },
        })
      ).status,
    ).toBe(200);
    const post = (path: string, person: Person, body: unknown) =>
      h.request('POST', `/api/clients/${clientId}/${path}`, { token: person.token, body });
    const answers = await Promise.all([
      post('loss', cast.director, { reason: 'price', note: 'Ушли к конкуренту' }),
      post('escalation/resolve', cast.kamHead, { outcome: 'recovered', actions: 'План улучшений' }),
      post('escalation', cast.lawyer, { stage: 'arbitration', evidence: 'Иск' }),
      post('escalation', cast.director, { stage: 'ultimatum', evidence: 'Письмо' }),
      ...Array.from({ length: 6 }, () => complain(clientId, cast.ops, { severity: 'low' })),
      post('loss', cast.kamHead, { reason: 'service', note: 'Второй раз' }),
    ]);
    for (const a of answers) expect([200, 201, 409], JSON.stringify(a.body)).toContain(a.status);
    expect([answers[0]!.status, answers.at(-1)!.status].sort()).toEqual([200, 409]);
    const steps = await accountSteps(clientId);
    expect(steps.filter((s) => s.startsWith('loss:'))).toHaveLength(1);
    expect(steps.at(-1)).toBe(steps.find((s) => s.startsWith('loss:')));
    // What the workflow holds is what Postgres holds: lost, with nothing open.
    expect((await clientOf(clientId)).stage).toBe('lost');
    expect(
      (await h.db.query('SELECT count(*)::int AS n FROM tasks WHERE client_id = $1 AND closed_at IS NULL', [clientId])).rows[0].n,
    ).toBe(0);
    const complaints = (await h.db.query(`SELECT count(*)::int AS n FROM complaints WHERE client_id = $1 AND status = 'open'`, [clientId]))
      .rows[0].n;
    expect(complaints).toBe(0);
    // Every stage move recorded is a period of its own, and the periods do not overlap.
    const periods = (
      await h.db.query(`SELECT stage, entered_at, left_at FROM account_stage_periods WHERE client_id = $1 ORDER BY entered_at`, [clientId])
    ).rows;
    expect(periods.every((p) => p.left_at !== null)).toBe(true);
    for (let i = 1; i < periods.length; i++)
      expect(periods[i].entered_at.getTime()).toBeGreaterThanOrEqual(periods[i - 1].left_at.getTime());
  });
});

describe('commitments', () => {
  it('reminds the owner before the due date, tells owner and manager when overdue, and is fulfilled once', async () => {
    const clientId = await newClient('ООО «Обещания»');
    const owner = await h.person('Ольга Ответственная', ['ops']);
    const dueDate = new Date(Date.now() + 3_500).toISOString();
    const created = await h.request('POST', `/api/clients/${clientId}/commitments`, {
      token: cast.kamHead.token,
      body: { what: 'Прислать акт сверки за октябрь', dueDate, ownerId: owner.id },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.account.openedBy).toBe('commitment');
    expect(
      (
        await h.request('POST', `/api/clients/${clientId}/commitments`, {
          token: cast.ops.token,
          body: { what: 'x', dueDate, ownerId: owner.id },
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await h.request('POST', `/api/clients/${clientId}/commitments`, {
          token: cast.kamHead.token,
          body: { what: 'x', dueDate: '31.12.2026', ownerId: owner.id },
        })
      ).status,
    ).toBe(400);
    const unknownOwner = await h.request('POST', `/api/clients/${clientId}/commitments`, {
      token: cast.kamHead.token,
      body: { what: 'x', dueDate, ownerId: clientId },
    });
    expect(unknownOwner.status).toBe(400);
    expect(unknownOwner.body.error.issues[0].path).toBe('ownerId');

    expect((await openTasks(clientId)).find((t) => t.kind === 'commitment')).toMatchObject({
      assignee_role: 'ops',
      assignee_staff_id: owner.id,
    });
    await eventually(
      async () => ((await notificationsTo(owner)).some((n) => n.kind === 'reminder' && /акт сверки/.test(n.message)) ? true : undefined),
      15_000,
      'the reminder',
    );
    await eventually(
      async () =>
        (await notificationsTo(owner)).some((n) => n.kind === 'escalation' && /Overdue promise/.test(n.message)) ? true : undefined,
      15_000,
      'the overdue notice',
    );
    await untilStage(clientId, 'dissatisfied');
    expect(
      (await h.request('GET', `/api/clients/${clientId}`, { token: cast.ops.token })).body.health.reasons.map(
        (r: { reason: string }) => r.reason,
      ),
    ).toContain('1 overdue commitment');

    const id = created.body.id;
    expect((await h.request('POST', `/api/commitments/${id}/fulfil`, { token: cast.lawyer.token, body: {} })).status).toBe(403);
    const fulfilled = await h.request('POST', `/api/commitments/${id}/fulfil`, { token: owner.token, body: { note: 'Отправлен по ЭДО' } });
    expect(fulfilled.status, JSON.stringify(fulfilled.body)).toBe(200);
    expect((await h.request('POST', `/api/commitments/${id}/fulfil`, { token: owner.token, body: {} })).status).toBe(409);
    expect((await h.request('POST', `/api/commitments/${clientId}/fulfil`, { token: owner.token, body: {} })).status).toBe(404);
    const listed = (await h.request('GET', `/api/clients/${clientId}/commitments`, { token: cast.ops.token })).body.items[0];
    expect(listed).toMatchObject({ id, status: 'fulfilled', fulfilledBy: owner.id, ownerName: 'Ольга Ответственная' });
    expect((await openTasks(clientId)).map((t) => t.kind)).not.toContain('commitment');
  });
});

describe('starting the relationship', () => {
  it('twenty first complaints at once start one relationship and record twenty complaints', async () => {
    const clientId = await newClient('ООО «Двадцать жалоб»');
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => complain(clientId, cast.ops, { summary: `Жалоба №${i + 1}`, severity: 'low' })),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(201));
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(20);
    const { rows } = await h.db.query(`SELECT count(*)::int AS n FROM complaints WHERE client_id = $1`, [clientId]);
    expect(rows[0].n).toBe(20);
    expect((await accountSteps(clientId)).filter((s) => s.startsWith('opened'))).toHaveLength(1);
    const runs: string[] = [];
    for await (const w of h.temporal.workflow.list({ query: `WorkflowId = 'account-${clientId}'` })) runs.push(w.runId);
    expect(runs).toHaveLength(1);
    // Recurring: the third complaint already made it dissatisfied.
    expect((await clientOf(clientId)).stage).toBe('dissatisfied');
  });

  it('twenty resolutions of one complaint at once, and twenty reports of one stage: one each is taken', async () => {
    const clientId = await newClient('ООО «Двадцать решений»');
    const complaint = await complain(clientId, cast.ops);
    const resolutions = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        h.request('POST', `/api/complaints/${complaint.body.id}/resolve`, {
          token: cast.kamHead.token,
          body: { resolution: `Решение ${i}`, rootCause: 'process' },
        }),
      ),
    );
    expect(resolutions.map((r) => r.status).sort()).toEqual([200, ...Array(19).fill(409)]);
    const reports = await Promise.all(
      Array.from({ length: 20 }, () =>
        h.request('POST', `/api/clients/${clientId}/escalation`, {
          token: cast.director.token,
          body: { stage: 'ultimatum', evidence: 'Письмо' },
        }),
      ),
    );
    expect(reports.map((r) => r.status).sort()).toEqual([200, ...Array(19).fill(409)]);
    const steps = await accountSteps(clientId);
    expect(steps.filter((s) => s.startsWith('complaint_resolved'))).toHaveLength(1);
    expect(steps.filter((s) => s.startsWith('escalation_reported'))).toHaveLength(1);
    expect((await openTasks(clientId)).filter((t) => t.kind === 'root_cause_plan')).toHaveLength(2);
  });

  it('the same complaint sent twenty times with one Idempotency-Key is recorded once', async () => {
    const clientId = await newClient('ООО «Настойчивый»');
    const headers = { 'Idempotency-Key': 'complaint-once-42' };
    const answers = await Promise.all(Array.from({ length: 20 }, () => complain(clientId, cast.manager, {}, headers)));
    expect(
      answers.every((a) => a.status === 201 || a.status === 409),
      JSON.stringify(answers.map((a) => [a.status, a.body])),
    ).toBe(true);
    expect(new Set(answers.filter((a) => a.status === 201).map((a) => a.body.id)).size).toBe(1);
    const { rows } = await h.db.query(`SELECT count(*)::int AS n FROM complaints WHERE client_id = $1`, [clientId]);
    expect(rows[0].n).toBe(1);
    const again = await complain(clientId, cast.manager, {}, headers);
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(answers.find((a) => a.status === 201)!.body.id);
  });

  it('refuses hostile and clumsy input with a 4xx and writes nothing', async () => {
    const clientId = await newClient('ООО «Неряшливый ввод»');
    const bad = [
      { summary: 'a\u0000b' },
      { summary: 'broken \ud800 surrogate' },
      { summary: 'x'.repeat(4001) },
      { severity: 'critical' },
      { category: 42 },
      { reportedBy: '' },
    ];
    for (const body of bad) {
      const res = await complain(clientId, cast.ops, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.issues.length).toBeGreaterThan(0);
    }
    expect((await complain('7f0c1a52-2b1b-4c1e-9e8e-0c6b8b8b8b8b', cast.ops)).status).toBe(404);
    expect((await h.request('POST', `/api/clients/${clientId}/complaints`, { token: cast.ops.token, body: 'not json' })).status).toBe(400);
    expect((await complain('not-a-uuid', cast.ops)).status).toBe(404);
    expect((await h.request('POST', `/api/complaints/not-a-uuid/resolve`, { token: cast.manager.token, body: {} })).status).toBe(404);
    const review = (satisfaction: unknown) =>
      h.request('POST', `/api/clients/${clientId}/reviews`, {
        token: cast.manager.token,
        body: { satisfaction, businessChanges: 'нет', note: 'нет' },
      });
    expect((await review(11)).status).toBe(400);
    expect((await review(2.5)).status).toBe(400);
    expect(
      (
        await h.request('POST', `/api/clients/${clientId}/escalation/resolve`, {
          token: cast.kamHead.token,
          body: { outcome: 'recovered', actions: 'x' },
        })
      ).status,
    ).toBe(409);
    expect((await h.db.query('SELECT count(*)::int AS n FROM accounts WHERE client_id = $1', [clientId])).rows[0].n).toBe(0);
    expect((await h.db.query('SELECT count(*)::int AS n FROM complaints WHERE client_id = $1', [clientId])).rows[0].n).toBe(0);
    // The largest valid complaint is taken whole, Cyrillic and emoji included.
    const longest = `${'Жалоба 🚚 '.repeat(400)}`.slice(0, 4000);
    const big = await complain(clientId, cast.ops, { summary: longest, reportedBy: 'Я'.repeat(200) });
    expect(big.status, JSON.stringify(big.body).slice(0, 300)).toBe(201);
    expect((await h.request('GET', `/api/complaints/${big.body.id}`, { token: cast.ops.token })).body.summary).toBe(longest.trim());
    // A low review is a problem of its own: the client is dissatisfied.
    const low = await review(3);
    expect(low.status, JSON.stringify(low.body)).toBe(201);
    expect(low.body.stage).toBe('dissatisfied');
  });
});
