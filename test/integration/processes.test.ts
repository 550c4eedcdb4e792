// GET /api/processes: contracts and onboardings in one list, newest first, filtered by type, stage,
// manager, client and overdue, each with what it waits on now; keyset pages walk every row once.
// Contracts are real (started through the API); onboardings are written as their workflow's steps
// would leave them (their row, their line in `processes`, their task), so the list is checked on
// known stages, owners and tasks.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { castAndClient, clientBody, contractBody, DEVIATION, type Cast } from '../support/fixtures';
import { startHarness, type Harness, type Person } from '../support/harness';

let h: Harness;
let cast: Cast;
let manager2: Person;
let client2: string;
let questionnaireId: string;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** What each process is, by name. */
const p: Record<string, { type: 'contract' | 'onboarding'; id: string; workflowId: string }> = {};

async function contract(name: string, body: Record<string, unknown>) {
  const res = await h.request('POST', '/api/contracts', { token: cast.ops.token, body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  p[name] = { type: 'contract', id: res.body.number, workflowId: res.body.workflowId };
}

async function onboarding(
  name: string,
  o: {
    clientId: string;
    stage: string;
    managerId?: string;
    startedAgoMs: number;
    task?: { kind: string; openedAgoMs: number; role: string; staffId?: string };
  },
) {
  const id = randomUUID();
  const workflowId = `onboarding-${id}`;
  await h.db.query(
    `INSERT INTO onboardings (id, workflow_id, client_id, line_of_business, questionnaire_id, stage, manager_id, created_by, created_at)
     VALUES ($1, $2, $3, 'Грузоперевозки', $4, $5, $6, $7, now() - $8::bigint * interval '1 millisecond')`,
    [id, workflowId, o.clientId, questionnaireId, o.stage, o.managerId ?? null, cast.ops.id, o.startedAgoMs],
  );
  // … and its line in the list of every process, as the step recorder writes it with each step.
  await h.db.query(
    `INSERT INTO processes (workflow_id, type, id, client_id, stage, manager_id, started_at)
     SELECT workflow_id, 'onboarding', id::text, client_id, stage, manager_id, created_at FROM onboardings WHERE id = $1`,
    [id],
  );
  if (o.task) {
    await h.db.query(
      `INSERT INTO tasks (key, workflow_id, kind, ref, title, assignee_role, assignee_staff_id, opened_at, process_type, client_id)
       VALUES ($1, $2, $3, $3, $4, $5, $6, now() - $7::bigint * interval '1 millisecond', 'onboarding', $8)`,
      [
        `${workflowId}:task:${o.task.kind}`,
        workflowId,
        o.task.kind,
        `Задача: ${o.task.kind}`,
        o.task.role,
        o.task.staffId ?? null,
        o.task.openedAgoMs,
        o.clientId,
      ],
    );
  }
  p[name] = { type: 'onboarding', id, workflowId };
}

beforeAll(async () => {
  h = await startHarness();
  cast = await castAndClient(h);
  manager2 = await h.person('Пётр Второй', ['manager']);
  const second = await h.request('POST', '/api/clients', {
    token: cast.ops.token,
    body: { ...clientBody(), requisites: { ...clientBody().requisites, legalName: 'ООО «Второй клиент»' } },
  });
  client2 = second.body.id;
  const list = await h.request('GET', '/api/questionnaires', { token: cast.ops.token });
  questionnaireId = list.body.items[0].id;

  await onboarding('intakeOverdue', {
    clientId: cast.clientId,
    stage: 'intake',
    startedAgoMs: 5 * DAY,
    task: { kind: 'intake', openedAgoMs: 3 * DAY, role: 'ops' },
  });
  await onboarding('qualifying', {
    clientId: client2,
    stage: 'qualification',
    managerId: manager2.id,
    startedAgoMs: 4 * DAY,
    task: { kind: 'qualification', openedAgoMs: HOUR, role: 'manager', staffId: manager2.id },
  });
  await onboarding('escalated', {
    clientId: cast.clientId,
    stage: 'implementation',
    managerId: cast.manager.id,
    startedAgoMs: 3 * DAY,
    task: { kind: 'escalation', openedAgoMs: HOUR, role: 'kam_head' },
  });
  await onboarding('done', { clientId: client2, stage: 'completed', managerId: cast.manager.id, startedAgoMs: 2 * DAY });

  await contract('signing', contractBody(cast.clientId, cast.manager.id));
  await contract('legal', contractBody(client2, manager2.id, { deviations: [DEVIATION] }));
  await contract('cancelled', contractBody(client2, cast.manager.id));
  const cancel = await h.request('POST', `/api/contracts/${p.cancelled!.id}/cancel`, {
    token: cast.manager.token,
    body: { reason: 'Клиент передумал' },
  });
  expect(cancel.status, JSON.stringify(cancel.body)).toBe(200);
  // The signature has waited three days: past the step reminder delay (2 days).
  await h.db.query(`UPDATE tasks SET opened_at = now() - interval '3 days' WHERE workflow_id = $1 AND closed_at IS NULL`, [
    p.signing!.workflowId,
  ]);
});
afterAll(() => h?.close());

type Item = {
  type: string;
  id: string;
  workflowId: string;
  clientId: string;
  clientName: string;
  stage: string;
  managerId: string | null;
  managerName: string | null;
  startedAt: string;
  ageMs: number;
  waitingOn: { task: string; title: string; assigneeRole: string; assigneeStaffId: string | null; since: string; dueAt: string | null }[];
  waitingSince: string | null;
};

async function list(query = '', token = cast.lawyer.token): Promise<Item[]> {
  const res = await h.request('GET', `/api/processes?limit=200${query}`, { token });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(res.body.nextCursor).toBeNull();
  return res.body.items;
}

const names = (items: Item[]) => items.map((item) => Object.entries(p).find(([, v]) => v.id === item.id)?.[0] ?? `?${item.id}`).sort();

describe('GET /api/processes', () => {
  it('lists every process of every type, newest first, to anyone signed in', async () => {
    const items = await list();
    expect(names(items)).toEqual(['cancelled', 'done', 'escalated', 'intakeOverdue', 'legal', 'qualifying', 'signing']);
    const started = items.map((i) => i.startedAt);
    expect([...started].sort().reverse()).toEqual(started);
    // The four onboardings started days ago; the contracts just now.
    expect(items.slice(0, 3).every((i) => i.type === 'contract')).toBe(true);
    expect(items.slice(3).map((i) => i.id)).toEqual([p.done!.id, p.escalated!.id, p.qualifying!.id, p.intakeOverdue!.id]);
    expect((await h.request('GET', '/api/processes')).status).toBe(401);
  });

  it('shows stage, owner, age and what each waits on since when', async () => {
    const items = await list();
    const byName = Object.fromEntries(items.map((i) => [names([i])[0], i]));
    expect(byName.signing).toMatchObject({
      type: 'contract',
      id: p.signing!.id,
      workflowId: p.signing!.workflowId,
      clientId: cast.clientId,
      clientName: 'ООО «Северный ветер»',
      stage: 'pending_signature',
      managerId: cast.manager.id,
      managerName: cast.manager.name,
    });
    expect(byName.signing!.waitingOn).toEqual([
      {
        task: 'signature',
        title: expect.any(String),
        assigneeRole: 'director',
        assigneeStaffId: null,
        since: byName.signing!.waitingSince,
        dueAt: null,
      },
    ]);
    expect(Date.now() - Date.parse(byName.signing!.waitingSince!)).toBeGreaterThan(3 * DAY - HOUR);
    expect(byName.cancelled).toMatchObject({ stage: 'cancelled', waitingOn: [], waitingSince: null });

    expect(byName.qualifying).toMatchObject({
      type: 'onboarding',
      id: p.qualifying!.id,
      workflowId: p.qualifying!.workflowId,
      clientId: client2,
      clientName: 'ООО «Второй клиент»',
      stage: 'qualification',
      managerId: manager2.id,
      managerName: manager2.name,
      waitingOn: [
        {
          task: 'qualification',
          title: 'Задача: qualification',
          assigneeRole: 'manager',
          assigneeStaffId: manager2.id,
          since: expect.any(String),
          dueAt: null,
        },
      ],
    });
    expect(byName.qualifying!.ageMs).toBeGreaterThan(4 * DAY - 60_000);
    expect(byName.qualifying!.ageMs).toBeLessThan(4 * DAY + 60_000);
    expect(byName.intakeOverdue).toMatchObject({ stage: 'intake', managerId: null, managerName: null });
    expect(byName.done).toMatchObject({ stage: 'completed', waitingOn: [], waitingSince: null });
  });

  it('filters by type, stage, manager and client, alone and together', async () => {
    expect(names(await list('&type=contract'))).toEqual(['cancelled', 'legal', 'signing']);
    expect(names(await list('&type=onboarding'))).toEqual(['done', 'escalated', 'intakeOverdue', 'qualifying']);
    expect(names(await list('&stage=pending_signature'))).toEqual(['signing']);
    expect(names(await list('&stage=pending_legal_approval'))).toEqual(['legal']);
    expect(names(await list('&stage=qualification'))).toEqual(['qualifying']);
    expect(names(await list('&type=contract&stage=qualification'))).toEqual([]);
    expect(names(await list(`&managerId=${manager2.id}`))).toEqual(['legal', 'qualifying']);
    expect(names(await list(`&managerId=${cast.manager.id}`))).toEqual(['cancelled', 'done', 'escalated', 'signing']);
    expect(names(await list(`&clientId=${client2}`))).toEqual(['cancelled', 'done', 'legal', 'qualifying']);
    expect(names(await list(`&clientId=${client2}&type=onboarding&managerId=${manager2.id}`))).toEqual(['qualifying']);
  });

  it('keeps with overdue=true those with a task open past the reminder delay, or an open escalation', async () => {
    expect(names(await list('&overdue=true'))).toEqual(['escalated', 'intakeOverdue', 'signing']);
    expect(names(await list('&overdue=true&type=contract'))).toEqual(['signing']);
    expect(names(await list('&overdue=false'))).toHaveLength(7);
  });

  it('walks every process exactly once in pages of any size', async () => {
    const all = (await list()).map((i) => i.id);
    for (const limit of [1, 2, 3, 7]) {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res: { status: number; body: { items: Item[]; nextCursor: string | null } } = await h.request(
          'GET',
          `/api/processes?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`,
          { token: cast.director.token },
        );
        expect(res.status).toBe(200);
        expect(res.body.items.length).toBeLessThanOrEqual(limit);
        seen.push(...res.body.items.map((i) => i.id));
        cursor = res.body.nextCursor;
        pages++;
      } while (cursor && pages < 20);
      expect(seen, `limit ${limit}`).toEqual(all);
    }
    // Filtered pages too.
    const first = await h.request('GET', `/api/processes?limit=1&clientId=${client2}`, { token: cast.director.token });
    const second = await h.request('GET', `/api/processes?limit=10&clientId=${client2}&cursor=${first.body.nextCursor}`, {
      token: cast.director.token,
    });
    expect([...first.body.items, ...second.body.items].map((i: Item) => i.id)).toEqual(
      (await list(`&clientId=${client2}`)).map((i) => i.id),
    );
  });

  it('refuses a bad query with 400 naming the parameter', async () => {
    const cases: [string, string][] = [
      ['type=complaint', 'type'],
      ['stage=nowhere', 'stage'],
      ['managerId=someone', 'managerId'],
      ['clientId=1', 'clientId'],
      ['overdue=yes', 'overdue'],
      ['limit=0', 'limit'],
      ['limit=201', 'limit'],
      ['cursor=not-a-cursor!', 'cursor'],
      [`cursor=${Buffer.from(JSON.stringify(['yesterday', 'x'])).toString('base64url')}`, 'cursor'],
      [`cursor=${Buffer.from(JSON.stringify(['2026-01-01T00:00:00.000000Z', "x' OR 1=1"])).toString('base64url')}`, 'cursor'],
    ];
    for (const [query, path] of cases) {
      const res = await h.request('GET', `/api/processes?${query}`, { token: cast.manager.token });
      expect(res.status, query).toBe(400);
      expect(
        res.body.error.issues.map((i: { path: string }) => i.path),
        query,
      ).toContain(path);
    }
  });
});
