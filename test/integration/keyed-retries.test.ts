// A step retried with its Idempotency-Key is the same step: every step of every process, sent
// twice with one key, answers the second time exactly what it answered the first (status and
// body), also once the process has moved on or ended. After a 503 or a 202 whose step was in
// fact done, the retry learns that it was done (200), never a 409 for its own step.
import { randomUUID } from 'node:crypto';
import type { UpdateDefinition } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { updateIdOf } from '../../api/process-steps';
import type { Actor, Role } from '../../domain/people';
import { accountWorkflowId, fulfilCommitmentUpdate, lossUpdate, resolveComplaintUpdate } from '../../workflows/account/messages';
import { cancelUpdate } from '../../workflows/contract/messages';
import { castAndClient, clientBody, contractBody, DEVIATION, newClient, type Cast, freightQuestionnaireId } from '../support/fixtures';
import { eventually, startHarness, type ApiResponse, type Harness, type Person } from '../support/harness';

let h: Harness;
let cast: Cast;
let questionnaireId: string;

beforeAll(async () => {
  // A short call deadline, so a step sent while no worker runs answers 503 quickly.
  h = await startHarness({ contractSla: { followUpAfterMs: 1_000 }, callTimeoutMs: 4_000 });
  cast = await castAndClient(h);
  questionnaireId = await freightQuestionnaireId(h, cast.ops);
});
afterAll(() => h?.close());

const newKey = () => `retry-${randomUUID()}`;
const actorOf = (p: Person, roles: Role[]): Actor => ({ staffId: p.id, name: p.name, roles });
const today = (days = 0) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

/** Sends a step with a fresh key, then again with the same key: the same answer, replayed. */
async function twice(person: Person, method: string, path: string, body: unknown, status: number): Promise<ApiResponse> {
  const headers = { 'Idempotency-Key': newKey() };
  const first = await h.request(method, path, { token: person.token, body, headers });
  expect(first.status, `${method} ${path}: ${JSON.stringify(first.body)}`).toBe(status);
  const again = await h.request(method, path, { token: person.token, body, headers });
  expect(again.status, `${method} ${path} again: ${JSON.stringify(again.body)}`).toBe(first.status);
  expect(again.body).toEqual(first.body);
  expect(again.headers.get('idempotent-replayed')).toBe('true');
  if (first.headers.get('location')) expect(again.headers.get('location')).toBe(first.headers.get('location'));
  return first;
}

async function timelineSteps(path: string, reader: Person = cast.kamHead): Promise<string[]> {
  const res = await h.request('GET', `${path}?limit=200`, { token: reader.token });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return (res.body.items as { step: string }[]).map((e) => e.step);
}

const count = (steps: string[], step: string) => steps.filter((s) => s === step).length;

describe('every step retried with its Idempotency-Key answers as the first time', () => {
  it('the contract: each step twice, one event each, and the same key with another body refused', async () => {
    const { manager, lawyer, director, kamHead, clientId } = cast;
    const created = await h.request('POST', '/api/contracts', {
      token: manager.token,
      body: contractBody(clientId, manager.id, { deviations: [DEVIATION] }),
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const number = created.body.number as string;
    const at = (step: string) => `/api/contracts/${number}/${step}`;

    await twice(lawyer, 'POST', at('approval'), { decision: 'request_changes', comment: 'Срок оплаты 45 дней' }, 200);
    const revised = contractBody(clientId, manager.id, { deviations: [{ ...DEVIATION, proposed: 'Оплата в течение 45 дней' }] });
    await twice(manager, 'PUT', at('terms'), { terms: revised.terms, deviations: revised.deviations }, 200);
    await twice(lawyer, 'POST', at('approval'), { decision: 'approve', comment: 'Согласовано' }, 200);
    await twice(director, 'POST', at('signature'), {}, 200);
    await twice(manager, 'POST', at('dispatch'), { channel: 'courier', trackingRef: 'CDEK-1' }, 200);
    await eventually(
      async () => {
        const tasks = await h.request('GET', '/api/tasks?limit=200', { token: manager.token });
        return (tasks.body.items as { kind: string; contractNumber: string }[]).some(
          (t) => t.kind === 'follow_up' && t.contractNumber === number,
        )
          ? true
          : undefined;
      },
      20_000,
      'the follow-up task',
    );
    await twice(manager, 'POST', at('follow-up'), { reached: true, expectedSigningDate: today(3), note: 'Подпишут в пятницу' }, 200);
    await twice(manager, 'POST', at('signed-scan'), { note: 'скан пришёл' }, 200);
    await twice(manager, 'POST', at('original'), { note: 'оригинал' }, 200);
    await twice(lawyer, 'POST', at('client-record'), { location: 'Санкт-Петербург' }, 200);
    await twice(manager, 'POST', at('renewal'), { endDate: today(730) }, 200);
    const other = await h.person('Другой Менеджер', ['manager']);
    await twice(kamHead, 'POST', at('reassign'), { managerId: other.id }, 200);

    // A step the process refused is a final answer too: the same 409 again.
    await twice(director, 'POST', at('signature'), {}, 409);

    const cancelKey = { 'Idempotency-Key': newKey() };
    const cancelled = await h.request('POST', at('cancel'), { token: kamHead.token, body: { reason: 'Клиент ушёл' }, headers: cancelKey });
    expect(cancelled.status).toBe(200);
    const otherBody = await h.request('POST', at('cancel'), {
      token: kamHead.token,
      body: { reason: 'Другая причина' },
      headers: cancelKey,
    });
    expect(otherBody.status).toBe(422);
    expect(otherBody.body.error.code).toBe('idempotency_key_reused');
    const same = await h.request('POST', at('cancel'), { token: kamHead.token, body: { reason: 'Клиент ушёл' }, headers: cancelKey });
    expect(same.status).toBe(200);
    expect(same.body).toEqual(cancelled.body);

    const steps = await timelineSteps(`/api/contracts/${number}/timeline`);
    for (const step of [
      'legal_changes_requested',
      'terms_revised',
      'legal_approval',
      'signature',
      'dispatch',
      'follow_up',
      'signed_scan',
      'original_received',
      'client_record',
      'renewal',
      'reassignment',
      'cancellation',
    ]) {
      expect(count(steps, step), `${step} in ${steps.join(', ')}`).toBe(1);
    }
  });

  it('the onboarding: its start and each step twice, through its child contract to completion', async () => {
    const { ops, kamHead, lawyer, director } = cast;
    const manager = await h.person('Менеджер Онбординга', ['manager']);
    const client = clientBody();
    client.requisites.legalName = 'ООО «Повторный запрос»';
    const started = await twice(
      ops,
      'POST',
      '/api/onboardings',
      {
        client,
        lineOfBusiness: 'freight-logistics',
        questionnaireId,
        answers: { loadingWarehouses: 'Подольск', cargo: 'Бытовая химия' },
      },
      201,
    );
    const id = started.body.id as string;
    const at = (step: string) => `/api/onboardings/${id}/${step}`;
    const stage = async () => (await h.request('GET', `/api/onboardings/${id}`, { token: kamHead.token })).body;
    await eventually(async () => ((await stage()).stage === 'intake' ? true : undefined), 20_000, 'intake');

    await twice(
      ops,
      'PUT',
      at('answers'),
      {
        answers: {
          cargoValuePerTruck: 2_500_000,
          vehicleTypes: 'Еврофура',
          temperatureRegime: 'none',
          packing: 'pallets',
          paymentTermsDays: 30,
          orderLeadTimeHours: 24,
        },
      },
      200,
    );
    await eventually(async () => ((await stage()).stage === 'qualification' ? true : undefined), 20_000, 'qualification');
    await twice(
      kamHead,
      'POST',
      at('qualification'),
      {
        segment: 'gold',
        supplierPosition: 'partner',
        expectedAnnualRevenue: 12_000_000,
        decision: 'pursue',
        reason: 'Регулярные перевозки',
      },
      200,
    );
    await eventually(async () => ((await stage()).stage === 'contracting' ? true : undefined), 20_000, 'contracting');
    await twice(kamHead, 'POST', at('assignment'), { managerId: manager.id }, 200);
    const terms = contractBody('', '').terms;
    await twice(manager, 'POST', at('contract'), { template: 'ru', terms, deviations: [] }, 200);
    const number = await eventually(async () => (await stage()).contractNumber ?? undefined, 20_000, 'the child contract');
    await twice(director, 'POST', `/api/contracts/${number}/signature`, {}, 200);
    await twice(manager, 'POST', `/api/contracts/${number}/dispatch`, { channel: 'post' }, 200);
    await twice(manager, 'POST', `/api/contracts/${number}/original`, {}, 200);
    await twice(lawyer, 'POST', `/api/contracts/${number}/client-record`, {}, 200);
    await eventually(async () => ((await stage()).stage === 'implementation' ? true : undefined), 20_000, 'implementation');
    for (const item of ['service_variant', 'contacts']) await twice(manager, 'POST', at(`checklist/${item}`), { note: 'сделано' }, 200);
    for (const item of ['training', 'support_contacts']) await twice(ops, 'POST', at(`checklist/${item}`), { note: 'сделано' }, 200);
    await eventually(async () => ((await stage()).stage === 'completed' ? true : undefined), 20_000, 'completed');
    const steps = await timelineSteps(`/api/onboardings/${id}/timeline`);
    expect(count(steps, 'checklist_item')).toBe(4);
    expect(count(steps, 'qualification')).toBe(1);

    // A second onboarding, cancelled twice with one key.
    const second = clientBody();
    second.requisites.legalName = 'ООО «Отменённый запрос»';
    const other = await h.request('POST', '/api/onboardings', {
      token: ops.token,
      body: { client: second, lineOfBusiness: 'freight-logistics', questionnaireId, answers: {} },
    });
    expect(other.status, JSON.stringify(other.body)).toBe(201);
    await twice(kamHead, 'POST', `/api/onboardings/${other.body.id}/cancel`, { reason: 'Клиент передумал' }, 200);
  });

  it('the relationship: each step twice, one row and one event each', async () => {
    const { manager, kamHead, director, ops } = cast;
    const clientId = await newClient(h, ops, 'ООО «Повторная жалоба»');
    const at = (step: string) => `/api/clients/${clientId}/${step}`;
    const complaint = await twice(
      ops,
      'POST',
      at('complaints'),
      { summary: 'Опоздание машины', category: 'delivery', severity: 'high', reportedBy: 'Логист' },
      201,
    );
    await twice(manager, 'POST', `/api/complaints/${complaint.body.id}/resolve`, { resolution: 'Новый график', rootCause: 'process' }, 200);
    const commitment = await twice(
      manager,
      'POST',
      at('commitments'),
      { what: 'Выделить резервную машину', dueDate: today(10), ownerId: manager.id },
      201,
    );
    await twice(manager, 'POST', `/api/commitments/${commitment.body.id}/fulfil`, { note: 'Выделена' }, 200);
    await twice(manager, 'POST', at('reviews'), { satisfaction: 9, businessChanges: 'Новый склад', note: 'Доволен' }, 201);
    await twice(kamHead, 'POST', at('escalation'), { stage: 'ultimatum', evidence: 'Письмо директора клиента' }, 200);
    await twice(director, 'POST', at('escalation/actions'), { note: 'Разбор процесса проведён' }, 200);
    await twice(director, 'POST', at('escalation/resolve'), { outcome: 'recovered', actions: 'Регламент согласован' }, 200);
    const other = await h.person('Новый Менеджер', ['manager']);
    await twice(kamHead, 'POST', at('manager'), { managerId: other.id }, 200);
    await twice(kamHead, 'POST', at('loss'), { reason: 'price', competitor: 'ООО «Конкурент»', note: 'Ушли к конкуренту' }, 200);

    const rows = await h.db.query<{ step: string; n: string }>(
      `SELECT step, count(*) AS n FROM timeline_events WHERE workflow_id = $1 GROUP BY step`,
      [accountWorkflowId(clientId)],
    );
    const events = Object.fromEntries(rows.rows.map((r) => [r.step, Number(r.n)]));
    for (const step of [
      'complaint',
      'complaint_resolved',
      'commitment',
      'commitment_fulfilled',
      'review',
      'escalation_reported',
      'escalation_resolved',
      'loss',
    ]) {
      expect(events[step], `${step}: ${JSON.stringify(events)}`).toBe(1);
    }
  });
});

describe('a retry after an answer that never came learns that its step was done', () => {
  /**
   * Takes a step straight through Temporal under the update id the API gives `key`, as if the
   * API's own call had been cut by its deadline after Temporal took the step.
   */
  async function takenWithoutAnswer<Arg>(
    workflowId: string,
    update: UpdateDefinition<unknown, [Arg]>,
    key: string,
    arg: Arg,
  ): Promise<void> {
    await h.temporal.workflow.getHandle(workflowId).executeUpdate(update, { args: [arg], updateId: updateIdOf(update, key) });
  }

  it('resolving a complaint, fulfilling a promise and the loss (which ends the workflow) answer 200, not 409', async () => {
    const { manager, kamHead, ops } = cast;
    const clientId = await newClient(h, ops, 'ООО «Потерянный ответ»');
    const workflowId = accountWorkflowId(clientId);
    const complaint = await h.request('POST', `/api/clients/${clientId}/complaints`, {
      token: ops.token,
      body: { summary: 'Повреждён груз', category: 'quality', severity: 'medium', reportedBy: 'Кладовщик' },
    });
    expect(complaint.status, JSON.stringify(complaint.body)).toBe(201);
    const commitment = await h.request('POST', `/api/clients/${clientId}/commitments`, {
      token: manager.token,
      body: { what: 'Компенсировать ущерб', dueDate: today(5), ownerId: manager.id },
    });
    expect(commitment.status, JSON.stringify(commitment.body)).toBe(201);

    const resolveKey = newKey();
    const resolution = { resolution: 'Ущерб возмещён', rootCause: 'process' as const };
    await takenWithoutAnswer(workflowId, resolveComplaintUpdate, resolveKey, {
      actor: actorOf(manager, ['manager']),
      complaintId: complaint.body.id,
      ...resolution,
    });
    const resolved = await h.request('POST', `/api/complaints/${complaint.body.id}/resolve`, {
      token: manager.token,
      body: resolution,
      headers: { 'Idempotency-Key': resolveKey },
    });
    expect(resolved.status, JSON.stringify(resolved.body)).toBe(200);
    expect((await h.request('GET', `/api/complaints/${complaint.body.id}`, { token: manager.token })).body.status).toBe('resolved');

    const fulfilKey = newKey();
    await takenWithoutAnswer(workflowId, fulfilCommitmentUpdate, fulfilKey, {
      actor: actorOf(manager, ['manager']),
      commitmentId: commitment.body.id,
      note: 'Возмещено',
    });
    const fulfilled = await h.request('POST', `/api/commitments/${commitment.body.id}/fulfil`, {
      token: manager.token,
      body: { note: 'Возмещено' },
      headers: { 'Idempotency-Key': fulfilKey },
    });
    expect(fulfilled.status, JSON.stringify(fulfilled.body)).toBe(200);

    const lossKey = newKey();
    const loss = { reason: 'price' as const, competitor: 'ООО «Дешевле»', note: 'Цена' };
    await takenWithoutAnswer(workflowId, lossUpdate, lossKey, { actor: actorOf(kamHead, ['kam_head']), ...loss });
    const lost = await h.request('POST', `/api/clients/${clientId}/loss`, {
      token: kamHead.token,
      body: loss,
      headers: { 'Idempotency-Key': lossKey },
    });
    expect(lost.status, JSON.stringify(lost.body)).toBe(200);
    expect(lost.body.stage).toBe('lost');
    const again = await h.request('POST', `/api/clients/${clientId}/loss`, {
      token: kamHead.token,
      body: loss,
      headers: { 'Idempotency-Key': lossKey },
    });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(lost.body);
    // Without the key it is another loss of a lost client: 409.
    expect((await h.request('POST', `/api/clients/${clientId}/loss`, { token: kamHead.token, body: loss })).status).toBe(409);
  });

  it("a contract's cancellation (which ends its workflow) answers 200", async () => {
    const { manager, kamHead, clientId } = cast;
    const created = await h.request('POST', '/api/contracts', { token: manager.token, body: contractBody(clientId, manager.id) });
    expect(created.status).toBe(201);
    const number = created.body.number as string;
    const key = newKey();
    await takenWithoutAnswer(created.body.workflowId, cancelUpdate, key, { actor: actorOf(kamHead, ['kam_head']), reason: 'Передумали' });
    await eventually(
      async () =>
        (await h.request('GET', `/api/contracts/${number}`, { token: kamHead.token })).body.status === 'cancelled' ? true : undefined,
      20_000,
      'cancelled',
    );
    const res = await h.request('POST', `/api/contracts/${number}/cancel`, {
      token: kamHead.token,
      body: { reason: 'Передумали' },
      headers: { 'Idempotency-Key': key },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.status).toBe('cancelled');
  });

  it('a step sent while no worker runs answers 503; retried with its key once the worker is back, it is taken once', async () => {
    const { manager, ops } = cast;
    const clientId = await newClient(h, ops, 'ООО «Пять-ноль-три»');
    const complaint = await h.request('POST', `/api/clients/${clientId}/complaints`, {
      token: ops.token,
      body: { summary: 'Не пришла машина', category: 'delivery', severity: 'low', reportedBy: 'Диспетчер' },
    });
    expect(complaint.status).toBe(201);
    const headers = { 'Idempotency-Key': newKey() };
    const resolution = { resolution: 'Машина подана', rootCause: 'person' };
    await h.stopWorker();
    let first: ApiResponse;
    try {
      const started = Date.now();
      first = await h.request('POST', `/api/complaints/${complaint.body.id}/resolve`, { token: manager.token, body: resolution, headers });
      expect(Date.now() - started).toBeLessThan(6_000);
    } finally {
      await h.startWorker();
    }
    expect([503, 202]).toContain(first.status);
    // The update Temporal admitted may be taken once the worker is back; either way the retry answers 200.
    const retried = await eventually(
      async () => {
        const res = await h.request('POST', `/api/complaints/${complaint.body.id}/resolve`, {
          token: manager.token,
          body: resolution,
          headers,
        });
        return res.status === 200 ? res : undefined;
      },
      30_000,
      'the retried resolution',
    );
    const replay = await h.request('POST', `/api/complaints/${complaint.body.id}/resolve`, {
      token: manager.token,
      body: resolution,
      headers,
    });
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual(retried.body);
    const events = await h.db.query(`SELECT 1 FROM timeline_events WHERE workflow_id = $1 AND step = 'complaint_resolved'`, [
      accountWorkflowId(clientId),
    ]);
    expect(events.rowCount).toBe(1);
  });
});
