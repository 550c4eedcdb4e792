// The chase for the signed original with delays shrunk to seconds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { castAndClient, contractBody, stepOk, type Cast } from '../support/fixtures';
import { eventually, startHarness, type Harness } from '../support/harness';
import { keepHistory } from '../support/histories';

let h: Harness;
let cast: Cast;

beforeAll(async () => {
  h = await startHarness({ contractSla: { followUpAfterMs: 2_000, reminderAfterMs: 6_000, escalationAfterMs: 9_000 } });
  cast = await castAndClient(h);
});
afterAll(() => h?.close());

interface Task {
  kind: string;
  contractNumber: string;
  assigneeRole: string;
}

const tasksOf = async (token: string, number: string) =>
  ((await h.request('GET', '/api/tasks', { token })).body.items as Task[]).filter((t) => t.contractNumber === number);
const notesOf = async (token: string, number: string) =>
  ((await h.request('GET', '/api/notifications', { token })).body.items as { kind: string; contractNumber: string }[]).filter(
    (n) => n.contractNumber === number,
  );

describe('a sent contract whose original does not come back', () => {
  it('gets a follow-up call, a repeated call when the client was not reached, a reminder and an escalation', async () => {
    const created = await h.request('POST', '/api/contracts', {
      token: cast.ops.token,
      body: contractBody(cast.clientId, cast.manager.id),
    });
    const { number, workflowId } = created.body;
    await stepOk(h, cast.director, 'POST', `/api/contracts/${number}/signature`);
    await stepOk(h, cast.manager, 'POST', `/api/contracts/${number}/dispatch`, { channel: 'post' });
    const sentAt = Date.now();

    await eventually(
      async () => ((await tasksOf(cast.manager.token, number)).some((t) => t.kind === 'follow_up') ? true : undefined),
      10_000,
      'follow-up task',
    );
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(1_500);
    await stepOk(h, cast.manager, 'POST', `/api/contracts/${number}/follow-up`, { reached: false, note: 'не дозвонилась' });
    expect((await tasksOf(cast.manager.token, number)).some((t) => t.kind === 'follow_up')).toBe(false);
    // Not reached: another call is due after the same delay.
    await eventually(
      async () => ((await tasksOf(cast.manager.token, number)).some((t) => t.kind === 'follow_up') ? true : undefined),
      10_000,
      'second follow-up',
    );
    await stepOk(h, cast.manager, 'POST', `/api/contracts/${number}/follow-up`, {
      reached: true,
      expectedSigningDate: '2026-12-01',
      note: 'подпишут к началу декабря',
    });

    await eventually(
      async () => ((await notesOf(cast.manager.token, number)).some((n) => n.kind === 'reminder') ? true : undefined),
      15_000,
      'reminder',
    );
    await eventually(
      async () => ((await tasksOf(cast.kamHead.token, number)).some((t) => t.kind === 'escalation') ? true : undefined),
      15_000,
      'escalation',
    );
    expect((await notesOf(cast.kamHead.token, number)).some((n) => n.kind === 'task')).toBe(true);
    expect((await notesOf(cast.manager.token, number)).some((n) => n.kind === 'escalation')).toBe(true);

    const timeline = await h.request('GET', `/api/contracts/${number}/timeline`, { token: cast.kamHead.token });
    expect(timeline.body.waitingOn.map((w: { task: string }) => w.task)).toEqual(['escalation']);
    expect(timeline.body.events.map((e: { step: string }) => e.step)).toEqual([
      'registration',
      'signature',
      'dispatch',
      'follow_up_due',
      'follow_up',
      'follow_up_due',
      'follow_up',
      'reminder',
      'escalation',
    ]);

    // Exactly one reminder and one escalation, however long it waits.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect((await notesOf(cast.manager.token, number)).filter((n) => n.kind === 'reminder')).toHaveLength(1);

    expect(await stepOk(h, cast.manager, 'POST', `/api/contracts/${number}/original`)).toBe('original_received');
    expect(await tasksOf(cast.kamHead.token, number)).toEqual([]);
    await keepHistory(h.temporal, workflowId, 'sla-chase');
  });

  it('keeps chasing the original after a signed scan', async () => {
    const created = await h.request('POST', '/api/contracts', {
      token: cast.ops.token,
      body: contractBody(cast.clientId, cast.manager.id),
    });
    const { number } = created.body;
    await stepOk(h, cast.director, 'POST', `/api/contracts/${number}/signature`);
    await stepOk(h, cast.manager, 'POST', `/api/contracts/${number}/dispatch`, { channel: 'email' });
    expect(await stepOk(h, cast.manager, 'POST', `/api/contracts/${number}/signed-scan`)).toBe('scan_received');
    await eventually(
      async () => ((await notesOf(cast.manager.token, number)).some((n) => n.kind === 'reminder') ? true : undefined),
      15_000,
      'reminder',
    );
    // The scan answered the call's question: no follow-up call after it.
    expect((await tasksOf(cast.manager.token, number)).some((t) => t.kind === 'follow_up')).toBe(false);
    await stepOk(h, cast.manager, 'POST', `/api/contracts/${number}/cancel`, { reason: 'тест' });
  });
});
