// What an onboarding's workflow carries is bounded whatever people type: ids, clocks and small
// facts (answers, drafts and documents live in Postgres; the checklist has four items; a contract
// restart replaces the one it follows). The largest state there can be is built here field by
// field and measured, and a real onboarding, created by someone with the longest name there can be
// and continued as new every few steps through a failed contract, a second one and the whole
// checklist, never carries more.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES } from '../../domain/people';
import type { ContinuedOnboardingInput, OnboardingState } from '../../workflows/onboarding/state';
import { onboardingStateQuery, type OnboardingSnapshot } from '../../workflows/onboarding/messages';
import { clientBody, DEVIATION, stepOk } from '../support/fixtures';
import { eventually, startHarness, type Harness, type Person } from '../support/harness';
import { keepHistory } from '../support/histories';

/** The most bytes a JSON value can take per UTF-16 unit of a name: a control character, \u0001. */
const WORST_NAME = '\u0001'.repeat(200);
const UUID = 'ffffffff-ffff-4fff-bfff-ffffffffffff';
/** Longer than any number JSON writes for a duration, a count or an amount. */
const N = -1.2345678901234567e300;
const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value), 'utf8');

/** The largest state of every field at once (more than any real onboarding holds together). */
function largestState(): OnboardingState {
  const contractWorkflowId = `onboarding-${UUID}:contract:${Number.MAX_SAFE_INTEGER}`;
  const number = 'CT-2199-999999999';
  const items = ['service_variant', 'contacts', 'training', 'support_contacts'];
  return {
    stage: 'implementation',
    managerId: UUID,
    answersComplete: true,
    contractAttempt: Number.MAX_SAFE_INTEGER,
    contract: { workflowId: contractWorkflowId, number, status: 'original_received' },
    checklistDone: items,
    implementationSince: N,
    checklistReminded: items,
    checklistEscalated: items,
    segment: 'regular',
    expectedAnnualRevenue: N,
    autoAssignTried: true,
    contractNumberSeen: number,
    contractStatusSeen: 'original_received',
    waitSince: N,
    waitReminded: true,
    waitEscalated: true,
    seq: N,
    lastStepAt: N,
    run: N,
    contractCancel: { workflowId: contractWorkflowId, outcome: 'left_running', number, status: 'original_received' },
  };
}

function largestInput(): ContinuedOnboardingInput {
  const sla = (keys: string[]) => Object.fromEntries(keys.map((k) => [k, N]));
  return {
    onboardingId: UUID,
    clientId: UUID,
    clientCode: `CL-${'9'.repeat(19)}`,
    createdBy: { staffId: UUID, name: WORST_NAME, roles: [...ROLES] },
    answersComplete: false,
    sla: {
      ...sla(['stepReminderAfterMs', 'stepEscalationAfterMs', 'checklistDueMs', 'checklistEscalationMs', 'historyLimit']),
      contractDoneAt: 'scan_received',
    } as never,
    contractSla: sla([
      'followUpAfterMs',
      'reminderAfterMs',
      'escalationAfterMs',
      'renewalNoticeMs',
      'expiryAfterEndDateMs',
      'stepReminderAfterMs',
      'stepEscalationAfterMs',
      'historyLimit',
    ]) as never,
    accountSla: {
      complaintDueMs: { low: N, medium: N, high: N },
      complaintsToDissatisfied: N,
      complaintWindowMs: N,
      commitmentReminderBeforeMs: N,
      reviewEveryMs: { key: N, gold: N, regular: N, low: N },
      lowSatisfaction: N,
      stageDeadlineMs: { dissatisfied: N, adversarial: N, ultimatum: N, arbitration: N },
      watchPeriodMs: N,
      historyLimit: N,
      maxOpenComplaints: N,
      maxOpenCommitments: N,
    },
    continued: largestState(),
  };
}

function largestSnapshot(): OnboardingSnapshot {
  const s = largestState();
  return {
    workflowId: `onboarding-${UUID}`,
    onboardingId: UUID,
    stage: 'implementation',
    clientId: UUID,
    managerId: UUID,
    contractWorkflowId: s.contract!.workflowId,
    contractNumber: s.contract!.number,
    contractStatus: 'original_received',
    checklistDone: ['service_variant', 'contacts', 'training', 'support_contacts'],
  };
}

/** The bound the README states: 4,104 bytes measured, 1,200 of them the creator's name. */
const BOUND = 5 * 1024;

let h: Harness;
let ops: Person;
let kamHead: Person;
let lawyer: Person;
let director: Person;
let manager: Person;

beforeAll(async () => {
  // Continued as new every few steps.
  h = await startHarness({ onboardingSla: { historyLimit: 40 }, workloadNorm: 1_000_000 });
  [ops, kamHead, lawyer, director, manager] = await Promise.all([
    h.person(WORST_NAME, ['ops', 'manager', 'kam_head', 'lawyer', 'director', 'admin']),
    h.person('Ким Руководитель', ['kam_head']),
    h.person('Юлия Юристова', ['lawyer']),
    h.person('Иванов Иван Иванович', ['director']),
    h.person('Мария Менеджерова', ['manager']),
  ]);
});
afterAll(() => h?.close());

describe("the onboarding's state", () => {
  it('is at most a few kilobytes whatever is typed: the largest continue-as-new input, query and result', () => {
    const sizes = { continueAsNewInput: bytes(largestInput()), query: bytes(largestSnapshot()), result: bytes(largestSnapshot()) };
    console.log(`the largest onboarding state there can be, in bytes: ${JSON.stringify(sizes)}`);
    expect(sizes.continueAsNewInput).toBeLessThanOrEqual(BOUND);
    expect(sizes.query).toBeLessThanOrEqual(BOUND);
  });

  it('carried by a real onboarding through several runs never exceeds it', async () => {
    const list = await h.request('GET', '/api/questionnaires', { token: kamHead.token });
    const questionnaireId = list.body.items.find((q: { key: string }) => q.key === 'freight-logistics').id;
    const created = await h.request('POST', '/api/onboardings', {
      token: ops.token,
      body: { client: clientBody(), lineOfBusiness: 'freight-logistics', questionnaireId, answers: { cargo: 'Ж'.repeat(4000) } },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const { id, workflowId } = created.body;
    const get = async () => (await h.request('GET', `/api/onboardings/${id}`, { token: kamHead.token })).body;
    const until = <T>(probe: (o: any) => T | undefined, what: string) => eventually(async () => probe(await get()), 30_000, what);
    for (const [k, v] of Object.entries({
      loadingWarehouses: 'Ж'.repeat(4000),
      vehicleTypes: 'Ж'.repeat(4000),
      cargoValuePerTruck: 1,
      temperatureRegime: 'none',
      packing: 'bulk',
      paymentTermsDays: 30,
      orderLeadTimeHours: 24,
    })) {
      await stepOk(h, ops, 'PUT', `/api/onboardings/${id}/answers`, { answers: { [k]: v, latenessPenalties: 'Ж'.repeat(4000) } });
    }
    await stepOk(h, kamHead, 'POST', `/api/onboardings/${id}/qualification`, {
      segment: 'key',
      supplierPosition: 'partner',
      expectedAnnualRevenue: 999_999_999_999.99,
      decision: 'pursue',
      reason: 'Ж'.repeat(4000),
    });
    await until((o) => (o.stage === 'contracting' ? true : undefined), 'contracting');
    await stepOk(h, kamHead, 'POST', `/api/onboardings/${id}/assignment`, { managerId: manager.id });
    const today = new Date().toISOString().slice(0, 10);
    const nextYear = new Date(Date.now() + 365 * 86_400_000).toISOString().slice(0, 10);
    const contract = (extra: Record<string, unknown> = {}) => ({
      template: 'ru',
      terms: { subject: 'Ж'.repeat(1000), amount: 1_000_000, currency: 'RUB', startDate: today, endDate: nextYear, paymentTermsDays: 30 },
      deviations: [],
      ...extra,
    });
    await stepOk(h, manager, 'POST', `/api/onboardings/${id}/contract`, contract({ deviations: [DEVIATION] }));
    const first = await until((o) => o.contractNumber ?? undefined, 'the first contract');
    await stepOk(h, lawyer, 'POST', `/api/contracts/${first}/approval`, { decision: 'reject', comment: 'Ж'.repeat(4000) });
    await eventually(
      async () =>
        (
          await h.db.query("SELECT 1 FROM tasks WHERE workflow_id = $1 AND kind = 'restart_contracting' AND closed_at IS NULL", [
            workflowId,
          ])
        ).rowCount
          ? true
          : undefined,
      30_000,
      'the restart task',
    );
    await stepOk(h, manager, 'POST', `/api/onboardings/${id}/contract`, contract());
    const second = await until(
      (o) => (o.contractNumber && o.contractNumber !== first ? o.contractNumber : undefined),
      'the second contract',
    );
    await stepOk(h, director, 'POST', `/api/contracts/${second}/signature`);
    await stepOk(h, manager, 'POST', `/api/contracts/${second}/dispatch`, { channel: 'courier' });
    await stepOk(h, manager, 'POST', `/api/contracts/${second}/original`);
    await stepOk(h, lawyer, 'POST', `/api/contracts/${second}/client-record`);
    await until((o) => (o.stage === 'implementation' ? true : undefined), 'implementation');
    const query = await h.temporal.workflow.getHandle(workflowId).query(onboardingStateQuery);
    for (const item of ['service_variant', 'contacts'])
      await stepOk(h, manager, 'POST', `/api/onboardings/${id}/checklist/${item}`, { note: 'Ж'.repeat(4000) });
    for (const item of ['training', 'support_contacts'])
      await stepOk(h, ops, 'POST', `/api/onboardings/${id}/checklist/${item}`, { note: 'Ж'.repeat(4000) });
    await until((o) => (o.stage === 'completed' ? true : undefined), 'completed');
    const result = await h.temporal.workflow.getHandle(workflowId).result();

    const inputs: number[] = [];
    for await (const run of h.temporal.workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
      const history = await h.temporal.workflow.getHandle(workflowId, run.runId).fetchHistory();
      for (const event of history.events ?? []) {
        const payloads =
          event.workflowExecutionContinuedAsNewEventAttributes?.input?.payloads ??
          event.workflowExecutionStartedEventAttributes?.input?.payloads;
        if (payloads) inputs.push(payloads.reduce((n, p) => n + (p.data?.length ?? 0), 0));
      }
    }
    console.log(
      `a real onboarding: ${inputs.length} runs' inputs ${JSON.stringify(inputs)} bytes; query ${bytes(query)}, result ${bytes(result)}`,
    );
    expect(inputs.length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...inputs)).toBeLessThanOrEqual(bytes(largestInput()));
    expect(bytes(query)).toBeLessThanOrEqual(bytes(largestSnapshot()));
    expect(bytes(result)).toBeLessThanOrEqual(bytes(largestSnapshot()));
    await keepHistory(h.temporal, workflowId, 'v5-onboarding-continued-as-new-completed');
  });
});
