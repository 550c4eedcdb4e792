// A child contract's failure is news to its onboarding whenever it comes. Here the lawyer rejects
// the contract while the onboarding is still recording the contract's registration (its step held
// back by a row lock in Postgres, as a slow worker or database would hold it): the rejection reaches
// the onboarding while its loop is in the step lock, not waiting on the contract, and once in the
// same run, once carried over a continue-as-new. Either way kam_head gets the restart task. Before
// the loop heard such a failure, both onboardings waited at contracting for good, with no task and
// the contract rejected in their state: the race onboarding-state-size.test.ts runs (its lawyer
// rejects as soon as the registration is written) and, under load, lost.
import type { PoolClient } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onboardingStateQuery } from '../../workflows/onboarding/messages';
import { childProgressSignal } from '../../workflows/engine/parent-child';
import { clientBody, DEVIATION, EVERY_REQUIRED_ANSWER, freightQuestionnaireId, stepOk } from '../support/fixtures';
import { eventually, startHarness, type Harness, type Person } from '../support/harness';
import { keepHistory } from '../support/histories';

/** Far above what an onboarding writes up to its contract, so it continues as new only when the test fills its history. */
const HISTORY_LIMIT = 150;

let h: Harness;
let ops: Person;
let kamHead: Person;
let lawyer: Person;
let manager: Person;
let questionnaireId: string;

beforeAll(async () => {
  h = await startHarness({ onboardingSla: { historyLimit: HISTORY_LIMIT }, workloadNorm: 1_000_000 });
  [ops, kamHead, lawyer, manager] = await Promise.all([
    h.person('Олег Операционный', ['ops']),
    h.person('Ким Руководитель', ['kam_head']),
    h.person('Юлия Юристова', ['lawyer']),
    h.person('Мария Менеджерова', ['manager']),
  ]);
  questionnaireId = await freightQuestionnaireId(h, ops);
});
afterAll(() => h?.close());

const restartTask = async (workflowId: string) =>
  (await h.db.query("SELECT 1 FROM tasks WHERE workflow_id = $1 AND kind = 'restart_contracting' AND closed_at IS NULL", [workflowId]))
    .rowCount
    ? true
    : undefined;

/** The onboarding's contract: on the standard form unless `deviations` are given. */
function contractBody(deviations: unknown[] = []) {
  const today = new Date().toISOString().slice(0, 10);
  const nextYear = new Date(Date.now() + 365 * 86_400_000).toISOString().slice(0, 10);
  return {
    template: 'ru',
    terms: { subject: 'Перевозка грузов', amount: 1_000_000, currency: 'RUB', startDate: today, endDate: nextYear, paymentTermsDays: 30 },
    deviations,
  };
}

/** An onboarding at contracting with `manager`, its contract not yet asked for. */
async function atContracting(legalName: string): Promise<{ id: string; workflowId: string }> {
  const client = clientBody();
  client.requisites.legalName = legalName;
  const created = await h.request('POST', '/api/onboardings', {
    token: ops.token,
    body: { client, lineOfBusiness: 'freight-logistics', questionnaireId, answers: EVERY_REQUIRED_ANSWER },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const { id, workflowId } = created.body;
  await stepOk(h, kamHead, 'POST', `/api/onboardings/${id}/qualification`, {
    segment: 'regular',
    supplierPosition: 'partner',
    expectedAnnualRevenue: 1_000_000,
    decision: 'pursue',
    reason: 'подходит',
  });
  await eventually(
    async () =>
      (await h.request('GET', `/api/onboardings/${id}`, { token: kamHead.token })).body.stage === 'contracting' ? true : undefined,
    20_000,
    'contracting',
  );
  await stepOk(h, kamHead, 'POST', `/api/onboardings/${id}/assignment`, { managerId: manager.id });
  return { id, workflowId };
}

/**
 * Starts the onboarding's contract (with a deviation: it waits for the lawyer) and has the lawyer
 * reject it while the onboarding records the contract's registration; `meanwhile` runs with the
 * rejection in the onboarding's state and that step still held. Answers the run the rejection reached.
 */
async function rejectedWhileRegistrationIsRecorded(
  id: string,
  workflowId: string,
  meanwhile: () => Promise<void> = async () => undefined,
): Promise<string> {
  const contractWorkflowId = `${workflowId}:contract:1`;
  const handle = h.temporal.workflow.getHandle(workflowId);
  let registration: PoolClient | undefined;
  let onboardingRow: PoolClient | undefined;
  try {
    // The contract waits to be registered (its registration takes this lock, named by its workflow id)
    // until the onboarding has recorded its start.
    registration = await h.db.connect();
    await registration.query('SELECT pg_advisory_lock(hashtext($1))', [contractWorkflowId]);
    await stepOk(h, manager, 'POST', `/api/onboardings/${id}/contract`, contractBody([DEVIATION]));
    // The onboarding's next step waits on its row.
    onboardingRow = await h.db.connect();
    await onboardingRow.query('BEGIN');
    await onboardingRow.query('SELECT 1 FROM onboardings WHERE workflow_id = $1 FOR UPDATE', [workflowId]);
    await registration.query('SELECT pg_advisory_unlock(hashtext($1))', [contractWorkflowId]);
    const number = await eventually(
      async () =>
        (
          await h.db.query<{ number: string }>(
            "SELECT number FROM contract_registry WHERE workflow_id = $1 AND status = 'pending_legal_approval'",
            [contractWorkflowId],
          )
        ).rows[0]?.number,
      20_000,
      'the contract at legal approval',
    );
    // The onboarding heard it and is recording its registration (held by the row lock).
    await eventually(
      async () => ((await handle.describe()).raw.pendingActivities?.length ? true : undefined),
      20_000,
      'the onboarding recording the registration',
    );
    await stepOk(h, lawyer, 'POST', `/api/contracts/${number}/approval`, { decision: 'reject', comment: 'Неприемлемо' });
    await eventually(
      async () => ((await handle.query(onboardingStateQuery)).contractStatus === 'rejected' ? true : undefined),
      20_000,
      'the rejection in the onboarding',
    );
    const { runId } = await handle.describe();
    await meanwhile();
    return runId;
  } finally {
    await onboardingRow?.query('COMMIT');
    onboardingRow?.release();
    await registration?.query('SELECT pg_advisory_unlock_all()');
    registration?.release();
  }
}

describe("a contract's rejection heard while the onboarding records its registration", () => {
  it('in the same run: kam_head gets the restart task, and a new contract starts', async () => {
    const { id, workflowId } = await atContracting('ООО «Поздняя новость»');
    const reachedRun = await rejectedWhileRegistrationIsRecorded(id, workflowId);
    await eventually(() => restartTask(workflowId), 20_000, 'the restart task');
    expect((await h.temporal.workflow.getHandle(workflowId).describe()).runId).toBe(reachedRun);
    const onboarding = (await h.request('GET', `/api/onboardings/${id}`, { token: kamHead.token })).body;
    expect(onboarding.stage).toBe('contracting');
    const steps = await h.db.query<{ step: string }>('SELECT step FROM timeline_events WHERE workflow_id = $1 ORDER BY id', [workflowId]);
    expect(steps.rows.map((r) => r.step).slice(-3)).toEqual(['contract_started', 'contract_registered', 'contract_failed']);
    // Contracting starts again.
    await stepOk(h, manager, 'POST', `/api/onboardings/${id}/contract`, contractBody());
    expect((await h.temporal.workflow.getHandle(workflowId).query(onboardingStateQuery)).contractWorkflowId).toBe(
      `${workflowId}:contract:2`,
    );
    await stepOk(h, kamHead, 'POST', `/api/onboardings/${id}/cancel`, { reason: 'клиент передумал' });
    await h.temporal.workflow.getHandle(workflowId).result();
    await keepHistory(h.temporal, workflowId, 'v6-onboarding-contract-failure-heard-late');
  });

  it('carried over a continue-as-new: the next run acts on it', async () => {
    const { id, workflowId } = await atContracting('ООО «Новость через перезапуск»');
    const handle = h.temporal.workflow.getHandle(workflowId);
    const reachedRun = await rejectedWhileRegistrationIsRecorded(id, workflowId, async () => {
      // Reports of a contract that is not its own are ignored, and fill its history past the limit:
      // the onboarding continues as new as soon as the held step is recorded.
      while ((await handle.describe()).historyLength < HISTORY_LIMIT) {
        await handle.signal(childProgressSignal, { workflowId: `${workflowId}:contract:0`, status: 'cancelled', final: true });
      }
    });
    await eventually(() => restartTask(workflowId), 20_000, 'the restart task');
    // The rejection reached the run that continued as new, and its input carried it unheard.
    const next = await handle.describe();
    expect(next.runId).not.toBe(reachedRun);
    const history = await h.temporal.workflow.getHandle(workflowId, reachedRun).fetchHistory();
    const continued = history.events!.find((e) => e.workflowExecutionContinuedAsNewEventAttributes);
    expect(continued, 'the run the rejection reached continued as new').toBeDefined();
    const steps = await h.db.query<{ step: string }>('SELECT step FROM timeline_events WHERE workflow_id = $1 ORDER BY id', [workflowId]);
    expect(steps.rows.map((r) => r.step).slice(-3)).toEqual(['contract_started', 'contract_registered', 'contract_failed']);
    expect((await h.request('GET', `/api/onboardings/${id}`, { token: kamHead.token })).body.stage).toBe('contracting');
  });
});
