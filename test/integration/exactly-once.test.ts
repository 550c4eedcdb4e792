// One workflow id, one contract, ever: Idempotency-Keys bound for good, steps whose writing fails
// for good undone and rejected, numbers never burnt, long lives continued as new without losing a
// timer or duplicating a row, and Temporal's own cancellation reflected in the registry.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeEndedContracts } from '../../worker/ended-contracts';
import { stateQuery } from '../../workflows/contract/messages';
import { expectConsistent } from '../support/contract-checks';
import { castAndClient, contractBody, stepOk, type Cast } from '../support/fixtures';
import { eventually, startHarness, type Harness } from '../support/harness';
import { keepHistory } from '../support/histories';

const DAY = 86_400_000;
let h: Harness;
let cast: Cast;

beforeAll(async () => {
  // A small history limit, so continue-as-new happens within a test.
  h = await startHarness({ contractSla: { followUpAfterMs: 1_000, reminderAfterMs: 14_000, escalationAfterMs: 18_000, historyLimit: 80 } });
  cast = await castAndClient(h);
});
afterAll(() => h?.close());

const count = async (sql: string, params: unknown[] = []) => (await h.db.query(sql, params)).rows[0].n as number;
const sequenceOf = (number: string) => Number(number.split('-')[2]);

async function create(body: unknown, headers: Record<string, string> = {}) {
  return h.request('POST', '/api/contracts', { token: cast.ops.token, body, headers });
}

describe('Idempotency-Key', () => {
  it('twenty identical requests at once make one contract', async () => {
    const body = contractBody(cast.clientId, cast.manager.id);
    const headers = { 'Idempotency-Key': 'burst-1' };
    const answers = await Promise.all(Array.from({ length: 20 }, () => create(body, headers)));
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 201));
    expect(new Set(answers.map((a) => a.body.number)).size).toBe(1);
    expect(await count('SELECT count(*)::int AS n FROM contract_registry WHERE workflow_id = $1', [answers[0]!.body.workflowId])).toBe(1);
  });

  it('the same key with another body is refused with 422 and writes nothing', async () => {
    const headers = { 'Idempotency-Key': 'order-42' };
    const first = await create(contractBody(cast.clientId, cast.manager.id), headers);
    expect(first.status).toBe(201);
    const before = await count('SELECT count(*)::int AS n FROM contract_registry');
    const other = await create(contractBody(cast.clientId, cast.manager.id, { template: 'en' }), headers);
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe('idempotency_key_reused');
    expect(await count('SELECT count(*)::int AS n FROM contract_registry')).toBe(before);
    const bad = await create(contractBody(cast.clientId, cast.manager.id), { 'Idempotency-Key': 'x'.repeat(201) });
    expect(bad.status).toBe(400);
  });

  it('a key reused after the contract ended returns that contract as it is; it never runs again', async () => {
    const body = contractBody(cast.clientId, cast.manager.id);
    const headers = { 'Idempotency-Key': 'closed-later' };
    const first = await create(body, headers);
    const { number, workflowId } = first.body;
    await stepOk(h, cast.manager, 'POST', `/api/contracts/${number}/cancel`, { reason: 'клиент отказался' });
    const { runId } = await h.temporal.workflow.getHandle(workflowId).describe();

    const again = await Promise.all(Array.from({ length: 5 }, () => create(body, headers)));
    for (const a of again) {
      expect(a.status).toBe(201);
      expect(a.body).toMatchObject({ number, workflowId, status: 'cancelled' });
    }
    const sign = await h.request('POST', `/api/contracts/${number}/signature`, { token: cast.director.token, body: {} });
    expect(sign.status).toBe(409);
    const described = await h.temporal.workflow.getHandle(workflowId).describe();
    expect(described.runId).toBe(runId);
    expect(described.status.name).toBe('COMPLETED');
  });
});

describe('a step whose writing fails for good', () => {
  it('is rejected at once, leaves the contract as it was, and cancel still works', async () => {
    const created = await create(contractBody(cast.clientId, cast.manager.id));
    const { number } = created.body;
    await stepOk(h, cast.director, 'POST', `/api/contracts/${number}/signature`);
    await stepOk(h, cast.manager, 'POST', `/api/contracts/${number}/dispatch`, { channel: 'post' });
    // Something the database refuses that no schema can foresee: a rule added by a DBA.
    await h.db.query(`ALTER TABLE timeline_events ADD CONSTRAINT no_poison CHECK (details->>'note' IS DISTINCT FROM 'poison')`);
    try {
      const started = Date.now();
      const poisoned = await h.request('POST', `/api/contracts/${number}/original`, {
        token: cast.manager.token,
        body: { note: 'poison' },
      });
      expect(poisoned.status, JSON.stringify(poisoned.body)).toBe(422);
      expect(poisoned.body.error.code).toBe('step_failed');
      expect(Date.now() - started).toBeLessThan(8_000);
      const { status, events } = await expectConsistent(h, cast.manager, number);
      expect(status).toBe('sent');
      expect(events.map((e) => e.step)).not.toContain('original_received');

      // The lock was let go: the next steps go through.
      expect(await stepOk(h, cast.manager, 'POST', `/api/contracts/${number}/original`, { note: 'оригинал получен' })).toBe(
        'original_received',
      );
      expect(await stepOk(h, cast.manager, 'POST', `/api/contracts/${number}/cancel`, { reason: 'тест' })).toBe('cancelled');
      await expectConsistent(h, cast.manager, number);
      await keepHistory(h.temporal, created.body.workflowId, 'v2-step-failed-undone');
    } finally {
      await h.db.query('ALTER TABLE timeline_events DROP CONSTRAINT no_poison');
    }
  });

  it('a registration that cannot be written burns no contract number', async () => {
    const before = (await create(contractBody(cast.clientId, cast.manager.id))).body.number as string;
    await h.db.query(`ALTER TABLE contract_registry ADD CONSTRAINT no_poison CHECK (subject <> 'poison')`);
    try {
      const body = contractBody(cast.clientId, cast.manager.id);
      body.terms.subject = 'poison';
      const refused = await create(body);
      expect(refused.status, JSON.stringify(refused.body)).toBe(422);
    } finally {
      await h.db.query('ALTER TABLE contract_registry DROP CONSTRAINT no_poison');
    }
    const after = (await create(contractBody(cast.clientId, cast.manager.id))).body.number as string;
    expect(sequenceOf(after)).toBe(sequenceOf(before) + 1);
  });
});

describe('a long-lived contract', () => {
  it('renewed many times continues as new, keeps one row per step and goes on working', async () => {
    const created = await create(contractBody(cast.clientId, cast.manager.id));
    const { number, workflowId } = created.body;
    await stepOk(h, cast.director, 'POST', `/api/contracts/${number}/signature`);
    await stepOk(h, cast.manager, 'POST', `/api/contracts/${number}/dispatch`, { channel: 'courier' });
    await stepOk(h, cast.manager, 'POST', `/api/contracts/${number}/original`);
    await stepOk(h, cast.lawyer, 'POST', `/api/contracts/${number}/client-record`);
    let endDate = created.body.endDate as string;
    for (let year = 1; year <= 25; year++) {
      endDate = new Date(Date.parse(endDate) + 365 * DAY).toISOString().slice(0, 10);
      expect(await stepOk(h, cast.manager, 'POST', `/api/contracts/${number}/renewal`, { endDate })).toBe('active');
    }
    const state = await h.temporal.workflow.getHandle(workflowId).query(stateQuery);
    expect(state.run).toBeGreaterThanOrEqual(3);
    expect(state.endDate).toBe(endDate);
    const { events } = await expectConsistent(h, cast.manager, number);
    expect(events.filter((e) => e.step === 'renewal')).toHaveLength(25);
    expect(await count('SELECT count(*)::int AS n FROM timeline_events WHERE workflow_id = $1', [workflowId])).toBe(events.length);
    expect((await h.request('GET', `/api/contracts/${number}`, { token: cast.manager.token })).body.endDate).toBe(endDate);
    expect(await stepOk(h, cast.manager, 'POST', `/api/contracts/${number}/cancel`, { reason: 'тест' })).toBe('cancelled');
    await keepHistory(h.temporal, workflowId, 'v2-renewed-continued-as-new');
  });

  it('chased for a long time continues as new and still gets its reminder and escalation once', async () => {
    const created = await create(contractBody(cast.clientId, cast.manager.id));
    const { number, workflowId } = created.body;
    await stepOk(h, cast.director, 'POST', `/api/contracts/${number}/signature`);
    await stepOk(h, cast.manager, 'POST', `/api/contracts/${number}/dispatch`, { channel: 'post' });
    const handle = h.temporal.workflow.getHandle(workflowId);
    // The client is never reached: a call task every second, answered, until the history is long.
    while ((await handle.query(stateQuery)).run < 2) {
      await eventually(async () => ((await handle.query(stateQuery)).followUpOpen ? true : undefined), 10_000, 'follow-up');
      await stepOk(h, cast.manager, 'POST', `/api/contracts/${number}/follow-up`, { reached: false, note: 'не дозвонились' });
    }
    const kamTasks = async () =>
      (
        (await h.request('GET', '/api/tasks?limit=200', { token: cast.kamHead.token })).body.items as {
          kind: string;
          contractNumber: string;
        }[]
      ).filter((t) => t.contractNumber === number && t.kind === 'escalation');
    await eventually(async () => ((await kamTasks()).length > 0 ? true : undefined), 25_000, 'escalation after continue-as-new');
    const reminders = await count("SELECT count(*)::int AS n FROM notifications WHERE contract_number = $1 AND kind = 'reminder'", [
      number,
    ]);
    expect(reminders).toBe(1);
    expect(await kamTasks()).toHaveLength(1);
    const { events } = await expectConsistent(h, cast.manager, number);
    expect(events.filter((e) => e.step === 'escalation')).toHaveLength(1);
    expect(await stepOk(h, cast.manager, 'POST', `/api/contracts/${number}/cancel`, { reason: 'тест' })).toBe('cancelled');
    await keepHistory(h.temporal, workflowId, 'v2-chase-continued-as-new');
  });
});

describe('Temporal cancelling a contract itself', () => {
  it('is written to the registry: cancelled, tasks closed, the manager told', async () => {
    const created = await create(contractBody(cast.clientId, cast.manager.id));
    const { number, workflowId } = created.body;
    await h.temporal.workflow.getHandle(workflowId).cancel();
    await eventually(
      async () =>
        (await h.request('GET', `/api/contracts/${number}`, { token: cast.manager.token })).body.status === 'cancelled' ? true : undefined,
      15_000,
      'cancellation in the registry',
    );
    const { events } = await expectConsistent(h, cast.manager, number).catch(async () => {
      // The workflow is closed as cancelled; its last state is checked through the registry alone.
      return { events: [] };
    });
    const registry = (await h.request('GET', `/api/contracts/${number}`, { token: cast.manager.token })).body;
    expect(registry.closeReason).toBe('cancelled in Temporal');
    expect(registry.openTasks).toEqual([]);
    expect(events.length === 0 || events.at(-1)!.step === 'cancellation').toBe(true);
    await keepHistory(h.temporal, workflowId, 'v2-cancelled-in-temporal');
  });
});

describe('Temporal terminating a contract', () => {
  it('is closed in the registry by the sweep, once, however often the sweep runs', async () => {
    const created = await create(contractBody(cast.clientId, cast.manager.id));
    const { number, workflowId } = created.body;
    await stepOk(h, cast.director, 'POST', `/api/contracts/${number}/signature`);
    await h.temporal.workflow.getHandle(workflowId).terminate('operator stopped it');
    // Visibility catches up with the termination within moments.
    const closed = await eventually(
      async () => {
        const numbers = await closeEndedContracts(h.temporal, h.db);
        return numbers.includes(number) ? numbers : undefined;
      },
      15_000,
      'the sweep to see the termination',
    );
    expect(closed).toContain(number);
    expect(await Promise.all([closeEndedContracts(h.temporal, h.db), closeEndedContracts(h.temporal, h.db)])).toEqual([[], []]);
    const registry = (await h.request('GET', `/api/contracts/${number}`, { token: cast.manager.token })).body;
    expect(registry).toMatchObject({ status: 'cancelled', closeReason: 'terminated in Temporal', openTasks: [] });
    const timeline = (await h.request('GET', `/api/contracts/${number}/timeline`, { token: cast.manager.token })).body;
    expect(timeline.items.map((e: { step: string }) => e.step)).toEqual(['registration', 'signature', 'cancellation']);
    expect(timeline.items.at(-1)).toMatchObject({ from: 'ready_to_send', to: 'cancelled' });
    const notes = await count(
      "SELECT count(*)::int AS n FROM notifications WHERE contract_number = $1 AND message LIKE '%terminated in Temporal%'",
      [number],
    );
    expect(notes).toBe(1);
  });
});
