// Each activity run twice with the same input (as a retry or a replay would) writes once.
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities';
import type { RecordStepInput } from '../../activities/types';
import type { AccountStep } from '../../activities/account/types';
import { castAndClient, contractBody, type Cast } from '../support/fixtures';
import { COMPANY, startHarness, type Harness } from '../support/harness';

let h: Harness;
let cast: Cast;
let activities: ReturnType<typeof createActivities>;
// The malformed-input case fails on purpose; its error is asserted, not logged.
const env = new MockActivityEnvironment({}, { logger: new DefaultLogger('ERROR') });

beforeAll(async () => {
  h = await startHarness({ worker: false });
  cast = await castAndClient(h);
  activities = createActivities({ db: h.db, company: COMPANY });
});
afterAll(() => h?.close());

const twice = async <T>(run: () => Promise<T>): Promise<[T, T]> => [await env.run(run), await env.run(run)];
const count = async (sql: string, params: unknown[]) => (await h.db.query(sql, params)).rows[0].n as number;
const actor = () => ({ staffId: cast.director.id, name: cast.director.name, roles: ['director' as const] });

async function registered(workflowId: string): Promise<string> {
  const { terms, deviations } = contractBody(cast.clientId, cast.manager.id);
  const input = {
    workflowId,
    clientId: cast.clientId,
    managerId: cast.manager.id,
    createdBy: { staffId: cast.ops.id, name: cast.ops.name, roles: ['ops' as const] },
    template: 'ru' as const,
    draft: { terms, deviations },
    at: new Date().toISOString(),
  };
  const [first, second] = await twice(() => activities.registerContract(input));
  expect(second.number).toBe(first.number);
  return first.number;
}

describe('activities retried with the same input', () => {
  it('registerContract takes one number and one registry row per workflow', async () => {
    const number = await registered('wf-register');
    expect(await count('SELECT count(*)::int AS n FROM contract_registry WHERE workflow_id = $1', ['wf-register'])).toBe(1);
    const other = await registered('wf-register-2');
    expect(other).not.toBe(number);
  });

  it('recordStep writes one timeline event, task and notification', async () => {
    const number = await registered('wf-step');
    const input: RecordStepInput = {
      workflowId: 'wf-step',
      number,
      seq: 1,
      step: 'registration',
      from: null,
      to: 'pending_signature',
      actor: actor(),
      at: new Date().toISOString(),
      waitedMs: 0,
      openTasks: [{ kind: 'signature', title: `Sign ${number}`, assignee: { role: 'director' } }],
      notifications: [{ kind: 'status', message: 'hello', recipient: { role: 'manager', staffId: cast.manager.id } }],
    };
    await twice(() => activities.recordStep(input));
    expect(await count('SELECT count(*)::int AS n FROM timeline_events WHERE workflow_id = $1', ['wf-step'])).toBe(1);
    expect(await count('SELECT count(*)::int AS n FROM tasks WHERE workflow_id = $1', ['wf-step'])).toBe(1);
    expect(await count('SELECT count(*)::int AS n FROM notifications WHERE contract_number = $1', [number])).toBe(2);
    expect((await h.db.query('SELECT status FROM contract_registry WHERE number = $1', [number])).rows[0].status).toBe('pending_signature');
    // A step written without naming its process (as before processes did) still belongs to one.
    const row = (await h.db.query('SELECT process_type, client_id FROM timeline_events WHERE workflow_id = $1', ['wf-step'])).rows[0];
    expect(row).toEqual({ process_type: 'contract', client_id: cast.clientId });
  });

  it('recordStep keeps several tasks of one kind open, each closed by its own ref', async () => {
    const number = await registered('wf-refs');
    const process = { type: 'contract' as const, clientId: cast.clientId, contractNumber: number };
    const base = { workflowId: 'wf-refs', process, number, actor: actor(), at: new Date().toISOString(), waitedMs: 0 };
    const kam = { role: 'kam_head' as const };
    await twice(() =>
      activities.recordStep({
        ...base,
        seq: 1,
        step: 'registration',
        from: null,
        to: 'pending_signature',
        openTasks: [
          { kind: 'escalation', ref: 'escalation:first', title: 'Первая', assignee: kam },
          { kind: 'escalation', ref: 'escalation:second', title: 'Вторая', assignee: kam },
        ],
      }),
    );
    const open = () =>
      h.db.query<{ ref: string }>('SELECT ref FROM tasks WHERE workflow_id = $1 AND closed_at IS NULL ORDER BY ref', ['wf-refs']);
    expect((await open()).rows.map((r) => r.ref)).toEqual(['escalation:first', 'escalation:second']);
    await twice(() =>
      activities.recordStep({
        ...base,
        seq: 2,
        step: 'reminder',
        from: 'pending_signature',
        to: 'pending_signature',
        closeTaskRefs: ['escalation:first'],
      }),
    );
    expect((await open()).rows.map((r) => r.ref)).toEqual(['escalation:second']);
  });

  it('recordStep of an account: one relationship, complaint, stage period and health row per step, however often it runs', async () => {
    const workflowId = `account-${cast.clientId}`;
    const process = { type: 'account' as const, clientId: cast.clientId };
    const health = (score: number) => ({ score, reasons: score === 100 ? [] : [{ reason: 'stage: dissatisfied', points: score - 100 }] });
    const complaintId = '6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b';
    const t0 = Date.now();
    const steps: (RecordStepInput & AccountStep)[] = [
      {
        workflowId,
        process,
        seq: 1,
        step: 'opened',
        from: null,
        to: 'healthy',
        at: new Date(t0).toISOString(),
        waitedMs: 0,
        account: { health: health(100), opened: { openedBy: 'complaint' } },
      },
      {
        workflowId,
        process,
        seq: 2,
        step: 'complaint',
        from: 'healthy',
        to: 'dissatisfied',
        actor: actor(),
        at: new Date(t0 + 10).toISOString(),
        waitedMs: 10,
        account: {
          health: health(85),
          complaint: {
            id: complaintId,
            summary: 'late',
            category: 'delivery',
            severity: 'low',
            reportedBy: 'client',
            dueAt: new Date(t0 + 86_400_000).toISOString(),
          },
        },
        openTasks: [{ kind: 'evaluate_service', ref: 'stage:dissatisfied:manager', title: 'Evaluate', assignee: { role: 'manager' } }],
      },
      {
        workflowId,
        process,
        seq: 3,
        step: 'escalation_resolved',
        from: 'dissatisfied',
        to: 'healthy',
        actor: actor(),
        at: new Date(t0 + 20).toISOString(),
        waitedMs: 10,
        account: { health: health(100), watch: { until: new Date(t0 + 3_600_000).toISOString(), stage: 'dissatisfied' } },
        closeTaskRefs: ['stage:dissatisfied:manager'],
      },
    ];
    // Each step twice in a row, then a late attempt of the middle one (an attempt that timed out
    // and finished after the later step): it must not move the relationship back.
    for (const step of steps) await twice(() => activities.recordStep(step));
    await env.run(() => activities.recordStep(steps[1]!));
    expect(await count('SELECT count(*)::int AS n FROM accounts WHERE client_id = $1', [cast.clientId])).toBe(1);
    expect(await count('SELECT count(*)::int AS n FROM complaints WHERE client_id = $1', [cast.clientId])).toBe(1);
    expect(await count('SELECT count(*)::int AS n FROM account_health WHERE client_id = $1', [cast.clientId])).toBe(3);
    const periods = (
      await h.db.query('SELECT stage, left_at IS NULL AS open FROM account_stage_periods WHERE client_id = $1 ORDER BY entered_at', [
        cast.clientId,
      ])
    ).rows;
    expect(periods).toEqual([
      { stage: 'healthy', open: false },
      { stage: 'dissatisfied', open: false },
      { stage: 'healthy', open: true },
    ]);
    const account = (await h.db.query('SELECT stage, health, watch_stage FROM accounts WHERE client_id = $1', [cast.clientId])).rows[0];
    expect(account).toEqual({ stage: 'healthy', health: 100, watch_stage: 'dissatisfied' });
    expect(await count('SELECT count(*)::int AS n FROM tasks WHERE workflow_id = $1 AND closed_at IS NULL', [workflowId])).toBe(0);
  });

  it('renderContractDocument makes one document, and enterClientsBase one archive reference', async () => {
    const number = await registered('wf-doc');
    const { terms } = contractBody(cast.clientId, cast.manager.id);
    const input = {
      workflowId: 'wf-doc',
      number,
      clientId: cast.clientId,
      template: 'ru' as const,
      terms,
      approvedDeviations: [],
      signedBy: actor(),
      date: new Date().toISOString().slice(0, 10),
    };
    const [a, b] = await twice(() => activities.renderContractDocument(input));
    expect(b.documentId).toBe(a.documentId);
    expect(await count('SELECT count(*)::int AS n FROM documents WHERE contract_number = $1', [number])).toBe(1);

    const entry = { workflowId: 'wf-doc', number, entry: 'final' as const, actor: actor(), at: new Date().toISOString() };
    const [x, y] = await twice(() => activities.enterClientsBase(entry));
    expect(y.archiveRef).toBe(x.archiveRef);
    expect(await count('SELECT count(*)::int AS n FROM clients_base WHERE contract_number = $1', [number])).toBe(1);
  });

  it('rejects a malformed input instead of writing it', async () => {
    await expect(env.run(() => activities.recordStep({ workflowId: '', number: 'x' } as RecordStepInput))).rejects.toThrow();
  });
});
