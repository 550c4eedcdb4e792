// Who may act on a contract (its manager, a head of key accounts, whoever it is reassigned to; the
// four-eyes rule across roles), and every wait's clock: a reminder, then an escalation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectConsistent } from '../support/contract-checks';
import { castAndClient, contractBody, DEVIATION, stepOk, type Cast } from '../support/fixtures';
import { ADMIN_TOKEN, eventually, startHarness, type Harness, type Person } from '../support/harness';
import { keepHistory } from '../support/histories';

let h: Harness;
let cast: Cast;
let otherManager: Person;

beforeAll(async () => {
  h = await startHarness({ contractSla: { stepReminderAfterMs: 2_000, stepEscalationAfterMs: 4_000 } });
  cast = await castAndClient(h);
  otherManager = await h.person('Пётр Другой', ['manager']);
});
afterAll(() => h?.close());

async function signed(): Promise<string> {
  const created = await h.request('POST', '/api/contracts', { token: cast.ops.token, body: contractBody(cast.clientId, cast.manager.id) });
  expect(created.status).toBe(201);
  await stepOk(h, cast.director, 'POST', `/api/contracts/${created.body.number}/signature`);
  return created.body.number;
}

const tasksOf = async (person: Person, number: string) =>
  (
    (await h.request('GET', '/api/tasks?limit=200', { token: person.token })).body.items as {
      kind: string;
      contractNumber: string;
      assigneeStaffId: string | null;
    }[]
  ).filter((t) => t.contractNumber === number);
const notesOf = async (person: Person, number: string) =>
  (
    (await h.request('GET', '/api/notifications?limit=200', { token: person.token })).body.items as {
      kind: string;
      contractNumber: string;
      message: string;
    }[]
  ).filter((n) => n.contractNumber === number);

describe("the manager's steps", () => {
  it('are refused to another manager, and allowed to a head of key accounts', async () => {
    const number = await signed();
    const foreign = await h.request('POST', `/api/contracts/${number}/dispatch`, {
      token: otherManager.token,
      body: { channel: 'courier' },
    });
    expect(foreign.status).toBe(403);
    const cancel = await h.request('POST', `/api/contracts/${number}/cancel`, { token: otherManager.token, body: { reason: 'не мой' } });
    expect(cancel.status).toBe(403);
    expect(await stepOk(h, cast.kamHead, 'POST', `/api/contracts/${number}/dispatch`, { channel: 'courier' })).toBe('sent');
    await expectConsistent(h, cast.manager, number);
  });

  it('follow the contract when a head of key accounts reassigns it, open tasks included', async () => {
    const number = await signed();
    expect((await tasksOf(cast.manager, number)).map((t) => t.kind)).toEqual(['dispatch']);

    const byManager = await h.request('POST', `/api/contracts/${number}/reassign`, {
      token: cast.manager.token,
      body: { managerId: otherManager.id },
    });
    expect(byManager.status).toBe(403);
    const toLawyer = await h.request('POST', `/api/contracts/${number}/reassign`, {
      token: cast.kamHead.token,
      body: { managerId: cast.lawyer.id },
    });
    expect(toLawyer.status).toBe(400);
    const leaver = await h.person('Уволенный Менеджер', ['manager']);
    const disabled = await h.request('PATCH', `/api/staff/${leaver.id}`, { token: ADMIN_TOKEN, body: { disabled: true } });
    expect(disabled.status).toBe(200);
    const toDisabled = await h.request('POST', `/api/contracts/${number}/reassign`, {
      token: cast.kamHead.token,
      body: { managerId: leaver.id },
    });
    expect(toDisabled.status).toBe(400);
    const toSame = await h.request('POST', `/api/contracts/${number}/reassign`, {
      token: cast.kamHead.token,
      body: { managerId: cast.manager.id },
    });
    expect(toSame.status).toBe(422);

    const moved = await h.request('POST', `/api/contracts/${number}/reassign`, {
      token: cast.kamHead.token,
      body: { managerId: otherManager.id },
    });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(moved.body.managerId).toBe(otherManager.id);
    expect(await tasksOf(cast.manager, number)).toEqual([]);
    expect((await tasksOf(otherManager, number)).map((t) => t.kind)).toEqual(['dispatch']);
    expect((await notesOf(otherManager, number)).some((n) => n.message.includes('now yours'))).toBe(true);

    const former = await h.request('POST', `/api/contracts/${number}/dispatch`, { token: cast.manager.token, body: { channel: 'post' } });
    expect(former.status).toBe(403);
    expect(await stepOk(h, otherManager, 'POST', `/api/contracts/${number}/dispatch`, { channel: 'post' })).toBe('sent');
    const { events } = await expectConsistent(h, cast.kamHead, number);
    expect(events.map((e) => e.step)).toContain('reassignment');
    await stepOk(h, otherManager, 'POST', `/api/contracts/${number}/cancel`, { reason: 'тест' });
    await keepHistory(h.temporal, moved.body.workflowId, 'v3-contract-indexed-reassigned');
  });
});

describe('four eyes across roles', () => {
  it('one person holding lawyer and director roles cannot approve and then sign the same contract', async () => {
    const both = await h.person('Двойная Роль', ['lawyer', 'director']);
    const created = await h.request('POST', '/api/contracts', {
      token: cast.manager.token,
      body: contractBody(cast.clientId, cast.manager.id, { deviations: [DEVIATION] }),
    });
    const { number } = created.body;
    expect(await stepOk(h, both, 'POST', `/api/contracts/${number}/approval`, { decision: 'approve', comment: 'согласовано' })).toBe(
      'pending_signature',
    );
    const sign = await h.request('POST', `/api/contracts/${number}/signature`, { token: both.token, body: {} });
    expect(sign.status).toBe(403);
    expect(sign.body.error.message).toContain('approved');
    expect(await stepOk(h, cast.director, 'POST', `/api/contracts/${number}/signature`)).toBe('ready_to_send');
  });
});

describe('every wait has an owner and a clock', () => {
  it('a signature left waiting reminds the director, then escalates to the head of key accounts; signing closes it', async () => {
    const created = await h.request('POST', '/api/contracts', {
      token: cast.ops.token,
      body: contractBody(cast.clientId, cast.manager.id),
    });
    const { number } = created.body;
    await eventually(
      async () => ((await notesOf(cast.director, number)).some((n) => n.kind === 'reminder') ? true : undefined),
      10_000,
      'reminder',
    );
    await eventually(
      async () => ((await tasksOf(cast.kamHead, number)).some((t) => t.kind === 'escalation') ? true : undefined),
      10_000,
      'escalation',
    );
    expect((await notesOf(cast.director, number)).filter((n) => n.kind === 'reminder')).toHaveLength(1);

    expect(await stepOk(h, cast.director, 'POST', `/api/contracts/${number}/signature`)).toBe('ready_to_send');
    expect(await tasksOf(cast.kamHead, number)).toEqual([]);
    // The next wait (dispatch) has its own clock: the manager is reminded in turn.
    await eventually(
      async () => ((await notesOf(cast.manager, number)).some((n) => n.kind === 'reminder') ? true : undefined),
      10_000,
      'dispatch reminder',
    );
    await stepOk(h, cast.manager, 'POST', `/api/contracts/${number}/cancel`, { reason: 'тест' });
    const { events } = await expectConsistent(h, cast.kamHead, number);
    expect(events.map((e) => e.step)).toEqual(['registration', 'reminder', 'escalation', 'signature', 'reminder', 'cancellation']);
    await keepHistory(h.temporal, created.body.workflowId, 'v2-waits-reminded-escalated');
  });

  it('legal approval left waiting reminds the lawyers', async () => {
    const created = await h.request('POST', '/api/contracts', {
      token: cast.manager.token,
      body: contractBody(cast.clientId, cast.manager.id, { deviations: [DEVIATION] }),
    });
    const { number } = created.body;
    await eventually(
      async () => ((await notesOf(cast.lawyer, number)).some((n) => n.kind === 'reminder') ? true : undefined),
      10_000,
      'lawyer reminder',
    );
    await stepOk(h, cast.manager, 'POST', `/api/contracts/${number}/cancel`, { reason: 'тест' });
  });
});
