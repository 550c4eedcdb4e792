// The worker is killed (SIGKILL) while contracts are in flight and started again: every contract
// still reaches the end with exactly one number, one registry row, one document and no step twice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { castAndClient, contractBody, stepReaches, type Cast } from '../support/fixtures';
import { startHarness, type Harness } from '../support/harness';
import { spawnWorker, workerEnvOf, type WorkerProcess } from '../support/worker-process';

const CONTRACTS = 6;
let h: Harness;
let cast: Cast;
let worker: WorkerProcess | undefined;

beforeAll(async () => {
  h = await startHarness({ worker: false });
  cast = await castAndClient(h);
});
afterAll(async () => {
  await worker?.kill('SIGTERM');
  await h?.close();
});

const workerEnv = () => workerEnvOf(h);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a worker killed mid-flight', () => {
  it('loses no step and duplicates nothing after a restart', async () => {
    worker = await spawnWorker(workerEnv());

    // Creation and signature (numbering, PDF) for all contracts at once; the worker dies under them.
    const flows = Array.from({ length: CONTRACTS }, async () => {
      // A retry with the same key after a 202 (still registering) returns the contract once it has its number.
      const headers = { 'Idempotency-Key': `crash-${Math.random()}` };
      const body = contractBody(cast.clientId, cast.manager.id);
      let created = await h.request('POST', '/api/contracts', { token: cast.ops.token, body, headers });
      while (created.status === 202) created = await h.request('POST', '/api/contracts', { token: cast.ops.token, body, headers });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const { number } = created.body;
      await stepReaches(h, cast.director, 'POST', `/api/contracts/${number}/signature`, {}, 'ready_to_send');
      return number as string;
    });
    await sleep(1_500);
    await worker.kill('SIGKILL');
    await sleep(500);
    worker = await spawnWorker(workerEnv());
    const numbers = await Promise.all(flows);

    // A second crash in the middle of the remaining steps.
    const rest = numbers.map(async (number) => {
      await stepReaches(h, cast.manager, 'POST', `/api/contracts/${number}/dispatch`, { channel: 'courier' }, 'sent');
      await stepReaches(h, cast.manager, 'POST', `/api/contracts/${number}/original`, {}, 'original_received');
      return stepReaches(h, cast.lawyer, 'POST', `/api/contracts/${number}/client-record`, {}, 'active');
    });
    await sleep(300);
    await worker.kill('SIGKILL');
    worker = await spawnWorker(workerEnv());
    expect(await Promise.all(rest)).toEqual(numbers.map(() => 'active'));

    expect(new Set(numbers).size).toBe(CONTRACTS);
    const registry = await h.db.query('SELECT number, workflow_id, archive_ref FROM contract_registry');
    expect(registry.rows).toHaveLength(CONTRACTS);
    expect(new Set(registry.rows.map((r) => r.archive_ref)).size).toBe(CONTRACTS);
    const documents = await h.db.query('SELECT contract_number, count(*)::int AS n FROM documents GROUP BY 1');
    expect(documents.rows.map((r) => r.n)).toEqual(numbers.map(() => 1));
    const timeline = await h.db.query('SELECT contract_number, step, count(*)::int AS n FROM timeline_events GROUP BY 1, 2');
    expect(timeline.rows.every((r) => r.n === 1)).toBe(true);
    expect(timeline.rows).toHaveLength(CONTRACTS * 5);
    const tasks = await h.db.query('SELECT contract_number, kind, count(*)::int AS n FROM tasks GROUP BY 1, 2');
    expect(tasks.rows.every((r) => r.n === 1)).toBe(true);
  });
});
