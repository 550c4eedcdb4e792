// The worker (the production entry point, as a child process) is killed with SIGKILL while
// onboardings and their child contracts are in flight, twice. Careful clients retry a 503 with the
// same Idempotency-Key and follow a 202; afterwards every onboarding is completed with one contract,
// and no step, task or contract was made twice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientBody, stepReaches } from '../support/fixtures';
import { startHarness, type Harness, type Person } from '../support/harness';
import { spawnWorker, workerEnvOf, type WorkerProcess } from '../support/worker-process';

const ONBOARDINGS = 3;
let h: Harness;
let worker: WorkerProcess | undefined;
let ops: Person;
let kamHead: Person;
let manager: Person;
let director: Person;
let lawyer: Person;
let questionnaireId: string;

const ANSWERS = {
  loadingWarehouses: 'Склад в Подольске',
  cargo: 'Бытовая химия',
  cargoValuePerTruck: 2_500_000,
  vehicleTypes: 'Еврофура',
  temperatureRegime: 'none',
  packing: 'pallets',
  paymentTermsDays: 30,
  orderLeadTimeHours: 24,
};

beforeAll(async () => {
  h = await startHarness({ worker: false });
  [ops, kamHead, manager, director, lawyer] = await Promise.all([
    h.person('Опер', ['ops']),
    h.person('Руководитель', ['kam_head']),
    h.person('Менеджер', ['manager']),
    h.person('Директор', ['director']),
    h.person('Юрист', ['lawyer']),
  ]);
  questionnaireId = (await h.request('GET', '/api/questionnaires', { token: ops.token })).body.items[0].id;
});
afterAll(async () => {
  await worker?.kill('SIGTERM');
  await h?.close();
});

const workerEnv = () => workerEnvOf(h);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An onboarding step as a careful client takes it: 503 retried with its key, 202 followed until `stage`. */
async function onboardingStep(person: Person, path: string, body: unknown, stage: (now: Record<string, any>) => boolean): Promise<void> {
  const headers = { 'Idempotency-Key': `k-${Math.random().toString(36).slice(2)}` };
  const id = path.split('/')[3]!;
  const deadline = Date.now() + 120_000;
  for (;;) {
    const res = await h.request('POST', path, { token: person.token, body, headers });
    if (res.status === 200 || res.status === 202) break;
    expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBe(503);
    if (Date.now() > deadline) throw new Error(`${path} still unanswered`);
    await sleep(500);
  }
  while (!stage((await h.request('GET', `/api/onboardings/${id}`, { token: person.token })).body)) {
    if (Date.now() > deadline)
      throw new Error(
        `${path} did not take effect: ${JSON.stringify((await h.request('GET', `/api/onboardings/${id}`, { token: person.token })).body)}`,
      );
    await sleep(250);
  }
}

async function onboardingToCompletion(i: number): Promise<{ id: string; workflowId: string }> {
  const client = clientBody();
  client.requisites.legalName = `ООО «Падение ${i}»`;
  const created = await h.request('POST', '/api/onboardings', {
    token: ops.token,
    body: { client, lineOfBusiness: 'freight-logistics', questionnaireId, answers: ANSWERS },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const { id, workflowId } = created.body;
  const at = (stage: string) => (now: Record<string, any>) => now.stage === stage;
  await onboardingStep(
    kamHead,
    `/api/onboardings/${id}/qualification`,
    {
      segment: 'regular',
      supplierPosition: 'partner',
      expectedAnnualRevenue: 1_000_000,
      decision: 'pursue',
      reason: 'подходит',
    },
    at('contracting'),
  );
  const today = new Date().toISOString().slice(0, 10);
  const nextYear = new Date(Date.now() + 365 * 86_400_000).toISOString().slice(0, 10);
  await onboardingStep(
    manager,
    `/api/onboardings/${id}/contract`,
    {
      template: 'ru',
      terms: { subject: 'Перевозка', amount: 100_000, currency: 'RUB', startDate: today, endDate: nextYear, paymentTermsDays: 30 },
      deviations: [],
    },
    (now) => Boolean(now.contractNumber),
  );
  const number = (await h.request('GET', `/api/onboardings/${id}`, { token: manager.token })).body.contractNumber as string;
  await stepReaches(h, director, 'POST', `/api/contracts/${number}/signature`, {}, 'ready_to_send');
  await stepReaches(h, manager, 'POST', `/api/contracts/${number}/dispatch`, { channel: 'courier' }, 'sent');
  await stepReaches(h, manager, 'POST', `/api/contracts/${number}/original`, {}, 'original_received');
  await stepReaches(h, lawyer, 'POST', `/api/contracts/${number}/client-record`, {}, 'active');
  for (const item of ['service_variant', 'contacts', 'training', 'support_contacts']) {
    await onboardingStep(kamHead, `/api/onboardings/${id}/checklist/${item}`, { note: 'сделано' }, (now) => Boolean(now.checklist?.[item]));
  }
  return { id, workflowId };
}

describe('a worker killed while onboardings are in flight', () => {
  it('finishes every onboarding and its contract exactly once', { timeout: 300_000 }, async () => {
    worker = await spawnWorker(workerEnv());
    const flows = Array.from({ length: ONBOARDINGS }, (_, i) => onboardingToCompletion(i));
    await sleep(1_500);
    await worker.kill('SIGKILL');
    worker = await spawnWorker(workerEnv());
    await sleep(4_000);
    await worker.kill('SIGKILL');
    worker = await spawnWorker(workerEnv());
    const done = await Promise.all(flows);

    for (const { id, workflowId } of done) {
      const onboarding = (await h.request('GET', `/api/onboardings/${id}`, { token: kamHead.token })).body;
      expect(onboarding.stage).toBe('completed');
      const steps = await h.db.query<{ step: string; n: number }>(
        `SELECT step, count(*)::int AS n FROM timeline_events WHERE workflow_id = $1 GROUP BY step`,
        [workflowId],
      );
      const counts = Object.fromEntries(steps.rows.map((r) => [r.step, r.n]));
      expect(counts).toMatchObject({
        request: 1,
        qualification: 1,
        assignment: 1,
        contract_started: 1,
        contract_done: 1,
        checklist_item: 4,
      });
      const contracts = await h.db.query('SELECT number, status FROM contract_registry WHERE workflow_id LIKE $1', [
        `${workflowId}:contract:%`,
      ]);
      expect(contracts.rows).toEqual([{ number: onboarding.contractNumber, status: 'active' }]);
      const tasks = await h.db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM tasks WHERE workflow_id = $1 GROUP BY ref HAVING count(*) > 1',
        [workflowId],
      );
      expect(tasks.rows).toEqual([]);
    }
  });
});
