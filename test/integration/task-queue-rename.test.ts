// The task queue was renamed (`contracts` → `processes`). A contract started on the old queue before
// the rename must not be stranded: its workflow and activity tasks keep going to the queue it was
// started on, so the worker as configured after the rename (TEMPORAL_TASK_QUEUE the new name,
// TEMPORAL_LEGACY_TASK_QUEUES the old one) polls both, and the contract goes to `active` through the
// API there, every step once. Without the legacy queue it does not move at all.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../config/env';
import { saveDraft } from '../../db/contract/drafts';
import { findClient } from '../../db/clients';
import type { NewContractInput } from '../../workflows/contract/rules';
import { startProcessWorker, type RunningWorker } from '../../worker/create-worker';
import type { contractWorkflow } from '../../workflows/contract';
import { expectConsistent } from '../support/contract-checks';
import { testTaskQueue } from '../support/env';
import { castAndClient, contractBody, stepOk, type Cast } from '../support/fixtures';
import { eventually, QUIET_CONTRACT_SLA, startHarness, type Harness } from '../support/harness';

let h: Harness;
let cast: Cast;
let worker: RunningWorker | undefined;
/** Stands for `contracts`: unique to this file, as the harness's own queue (the new name) is. */
const oldQueue = testTaskQueue('contracts');
const workflowBundle = { code: readFileSync(inject('workflowBundlePath'), 'utf8') };

beforeAll(async () => {
  // The API as it is after the rename: new contracts start on h.taskQueue. No worker yet.
  h = await startHarness({ worker: false });
  cast = await castAndClient(h);
});
afterAll(async () => {
  await worker?.stop();
  await h?.close();
});

/** The worker's configuration from the environment, as worker/main.ts reads it. */
const workerConfig = (legacy: string) =>
  loadConfig({
    DATABASE_URL: h.databaseUrl,
    TEMPORAL_ADDRESS: h.temporalAddress,
    TEMPORAL_TASK_QUEUE: h.taskQueue,
    TEMPORAL_LEGACY_TASK_QUEUES: legacy,
  });

/** What the API did before the rename (api/contract-service.ts): the draft in Postgres, then the workflow on `contracts`. */
async function startContractOnOldQueue(): Promise<string> {
  const workflowId = `contract-${randomUUID()}`;
  const { clientId, managerId, template, ...draft } = contractBody(cast.clientId, cast.manager.id);
  const draftId = `${workflowId}:initial`;
  await saveDraft(h.db, { id: draftId, workflowId, draft, createdBy: cast.ops.id });
  const input: NewContractInput = {
    clientId,
    managerId,
    template: template as NewContractInput['template'],
    createdBy: { staffId: cast.ops.id, name: cast.ops.name, roles: ['ops'] },
    sla: QUIET_CONTRACT_SLA,
    draftId,
    endDate: draft.terms.endDate,
    needsLegalApproval: false,
    clientCode: (await findClient(h.db, clientId))!.code,
  };
  await h.temporal.workflow.start<typeof contractWorkflow>('contractWorkflow', {
    workflowId,
    taskQueue: oldQueue,
    workflowIdConflictPolicy: 'USE_EXISTING',
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
    args: [input],
  });
  return workflowId;
}

const historyOf = async (workflowId: string) => (await h.temporal.workflow.getHandle(workflowId).fetchHistory()).events ?? [];

/** The registry's number for a workflow, once it has registered. */
async function numberOf(workflowId: string): Promise<string | undefined> {
  const { rows } = await h.db.query<{ number: string }>('SELECT number FROM contract_registry WHERE workflow_id = $1', [workflowId]);
  return rows[0]?.number;
}

const STICKY = 2; // temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_STICKY

/** The queue a task was scheduled on, its sticky queue counted as the normal queue it stands in for. */
const queueOf = (tq: { name?: string | null; kind?: number | null; normalName?: string | null } | null | undefined) =>
  tq?.kind === STICKY ? tq.normalName : tq?.name;

async function toActive(number: string): Promise<void> {
  expect(await stepOk(h, cast.director, 'POST', `/api/contracts/${number}/signature`)).toBe('ready_to_send');
  expect(await stepOk(h, cast.manager, 'POST', `/api/contracts/${number}/dispatch`, { channel: 'courier' })).toBe('sent');
  expect(await stepOk(h, cast.manager, 'POST', `/api/contracts/${number}/original`)).toBe('original_received');
  expect(await stepOk(h, cast.lawyer, 'POST', `/api/contracts/${number}/client-record`, { location: 'Санкт-Петербург' })).toBe('active');
}

describe('renaming the task queue', () => {
  it('strands nothing: a contract started on the old queue finishes there, once, beside new ones', async () => {
    const oldWorkflowId = await startContractOnOldQueue();

    // The worker with the new name only: new contracts go through, the old one does not move.
    worker = await startProcessWorker(workerConfig(''), h.db, { workflowBundle });
    expect(worker.worker.taskQueues).toEqual([h.taskQueue]);
    const created = await h.request('POST', '/api/contracts', {
      token: cast.ops.token,
      body: contractBody(cast.clientId, cast.manager.id),
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const newNumber: string = created.body.number;
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect((await historyOf(oldWorkflowId)).map((e) => e.eventType)).toEqual([
      1, // WorkflowExecutionStarted
      5, // WorkflowTaskScheduled: waiting on the old queue, with no one polling it
    ]);
    expect(await numberOf(oldWorkflowId)).toBeUndefined();
    await worker.stop();

    // The worker as configured after the rename: the new queue and the old one.
    worker = await startProcessWorker(workerConfig(` ${oldQueue} `), h.db, { workflowBundle });
    expect(worker.worker.taskQueues).toEqual([h.taskQueue, oldQueue]);
    const oldNumber = await eventually(() => numberOf(oldWorkflowId), 30_000, 'the old-queue contract to register');
    // The number is taken in the registering activity; the registration step that moves it on follows.
    await eventually(
      async () =>
        (await h.request('GET', `/api/contracts/${oldNumber}`, { token: cast.manager.token })).body.status === 'pending_signature'
          ? true
          : undefined,
      30_000,
      'the old-queue contract to wait for its signature',
    );

    await Promise.all([toActive(oldNumber), toActive(newNumber)]);

    // Where each ran: the old contract on the old queue (its sticky queue stands for it), the new one on the new.
    const oldDescription = await h.temporal.workflow.getHandle(oldWorkflowId).describe();
    expect(oldDescription).toMatchObject({ taskQueue: oldQueue, status: { name: 'RUNNING' } });
    expect((await h.temporal.workflow.getHandle(created.body.workflowId).describe()).taskQueue).toBe(h.taskQueue);
    const events = await historyOf(oldWorkflowId);
    const workflowTaskQueues = events
      .filter((e) => e.workflowTaskScheduledEventAttributes)
      .map((e) => queueOf(e.workflowTaskScheduledEventAttributes!.taskQueue));
    const activities = events.filter((e) => e.activityTaskScheduledEventAttributes).map((e) => e.activityTaskScheduledEventAttributes!);
    expect(workflowTaskQueues.length).toBeGreaterThan(5);
    expect(new Set(workflowTaskQueues)).toEqual(new Set([oldQueue]));
    expect(new Set(activities.map((a) => a.taskQueue?.name))).toEqual(new Set([oldQueue]));
    expect(activities.filter((a) => a.activityType?.name === 'registerContract')).toHaveLength(1);
    expect(activities.filter((a) => a.activityType?.name === 'renderContractDocument')).toHaveLength(1);
    expect(activities.filter((a) => a.activityType?.name === 'enterClientsBase')).toHaveLength(1);
    expect(events.filter((e) => e.activityTaskCompletedEventAttributes)).toHaveLength(activities.length);
    expect(events.filter((e) => e.workflowExecutionUpdateCompletedEventAttributes)).toHaveLength(4);

    // Nothing twice: one registry row, one document, one clients-base entry, each step and task once.
    for (const [number, workflowId] of [
      [oldNumber, oldWorkflowId],
      [newNumber, created.body.workflowId as string],
    ]) {
      const { status, events: timeline } = await expectConsistent(h, cast.kamHead, number);
      expect(status).toBe('active');
      expect(timeline.map((e) => e.step)).toEqual(['registration', 'signature', 'dispatch', 'original_received', 'client_record']);
      const counts = await h.db.query<{ registry: number; documents: number; base: number; tasks: string[]; open: number }>(
        `SELECT (SELECT count(*)::int FROM contract_registry WHERE workflow_id = $1) AS registry,
                (SELECT count(*)::int FROM documents WHERE workflow_id = $1) AS documents,
                (SELECT count(*)::int FROM clients_base WHERE contract_number = $2) AS base,
                (SELECT array_agg(kind ORDER BY opened_at, kind) FROM tasks WHERE workflow_id = $1) AS tasks,
                (SELECT count(*)::int FROM tasks WHERE workflow_id = $1 AND closed_at IS NULL) AS open`,
        [workflowId, number],
      );
      expect(counts.rows[0], `${number} (${workflowId})`).toEqual({
        registry: 1,
        documents: 1,
        base: 1,
        tasks: ['signature', 'dispatch', 'client_record'],
        open: 0,
      });
    }
    const numbers = await h.db.query('SELECT number FROM contract_registry ORDER BY number');
    expect(numbers.rows.map((r) => r.number)).toEqual([oldNumber, newNumber].sort());

    // The Workers stop together: one shut down takes the other with it, and the run settles.
    const [main, legacy] = worker.worker.workers;
    legacy!.shutdown();
    await worker.running;
    expect([main!.getState(), legacy!.getState()]).toEqual(['STOPPED', 'STOPPED']);
    worker = undefined;
  });
});
