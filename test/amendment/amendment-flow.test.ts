// The contract amendment end to end, on a real Temporal and Postgres: the standard path to in
// force (and the contract taking its new terms), the lawyer's path with changes requested, a
// rejection, four eyes and ownership, a contract that is not in force, its PDF read back, every
// wait on a clock, and the contract's expiry cancelling what is still open.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { castAndClient, contractBody, DEVIATION, stepOk, type Cast } from '../support/fixtures';
import { eventually, startHarness, type Harness, type Person } from '../support/harness';
import { keepHistory } from '../support/histories';
import { pdfText } from '../support/pdf-text';
import { MAX_OPEN_AMENDMENTS } from '../../workflows/amendment/rules';

const DAY = 86_400_000;
const isoDay = (offset: number) => new Date(Date.now() + offset * DAY).toISOString().slice(0, 10);
/** The contract that expires during the test: its end date is today, its expiry this long after the harness starts. */
const EXPIRES_IN_MS = 45_000;

let h: Harness;
let cast: Cast;
let lawyerDirector: Person;
let otherManager: Person;

/** The product, and its people; a contract ending today expires EXPIRES_IN_MS after this. */
async function start(): Promise<void> {
  // Every wait of an amendment is on a clock: short here, so a test sees its reminder and escalation.
  process.env.AMENDMENT_STEP_REMINDER_AFTER = '3s';
  process.env.AMENDMENT_STEP_ESCALATION_AFTER = '6s';
  const sinceMidnight = Date.now() - Date.parse(isoDay(0));
  h = await startHarness({ contractSla: { expiryAfterEndDateMs: sinceMidnight + EXPIRES_IN_MS, renewalNoticeMs: 0 } });
  cast = await castAndClient(h);
  [lawyerDirector, otherManager] = await Promise.all([
    h.person('Лев Двойнов', ['lawyer', 'director']),
    h.person('Пётр Другой', ['manager']),
  ]);
}

beforeAll(start);
afterAll(() => h?.close());

/** A contract in force, ending `endDate` (a year from now by default). */
async function activeContract(endDate = isoDay(365)): Promise<{ number: string; workflowId: string }> {
  const body = contractBody(cast.clientId, cast.manager.id);
  body.terms = { ...body.terms, startDate: isoDay(-30), endDate };
  const created = await h.request('POST', '/api/contracts', { token: cast.ops.token, body });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const { number, workflowId } = created.body;
  await stepOk(h, cast.director, 'POST', `/api/contracts/${number}/signature`);
  await stepOk(h, cast.manager, 'POST', `/api/contracts/${number}/dispatch`, { channel: 'courier' });
  await stepOk(h, cast.manager, 'POST', `/api/contracts/${number}/original`);
  expect(await stepOk(h, cast.lawyer, 'POST', `/api/contracts/${number}/client-record`)).toBe('active');
  return { number, workflowId };
}

const amend = (number: string, body: unknown, person: Person = cast.manager, headers?: Record<string, string>) =>
  h.request('POST', `/api/contracts/${number}/amendments`, { token: person.token, body, headers });
const amendment = async (id: string) => (await h.request('GET', `/api/amendments/${id}`, { token: cast.manager.token })).body;
const contract = async (number: string) => (await h.request('GET', `/api/contracts/${number}`, { token: cast.manager.token })).body;

describe('an amendment on the standard terms', () => {
  it('is numbered under its contract, signed, sent, returned, archived, and the contract takes its terms', async () => {
    const { number, workflowId } = await activeContract();
    const created = await amend(number, { changes: { amount: 1_500_000, paymentTermsDays: 45 }, reason: 'рост объёма перевозок' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ number: `${number}/ДС-1`, status: 'pending_signature', contractNumber: number });
    expect(created.headers.get('location')).toBe(`/api/amendments/${created.body.id}`);
    const id: string = created.body.id;
    const base = `/api/amendments/${id}`;

    expect(await stepOk(h, cast.director, 'POST', `${base}/signature`)).toBe('ready_to_send');
    const signed = await amendment(id);
    expect(signed.documents).toHaveLength(1);
    const pdf = await h.request('GET', `${base}/document`, { token: cast.manager.token });
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    const text = (await pdfText(pdf.raw)).replace(/\s+/g, ' ');
    expect(text).toContain('ДОПОЛНИТЕЛЬНОЕ СОГЛАШЕНИЕ');
    expect(text).toContain(`${number}/ДС-1`);
    expect(text).toContain('1 500 000');
    expect(text).toContain('45');
    expect(text).toContain('7707083893'); // the client's INN
    expect(text).toContain('7704123450'); // ours

    expect(await stepOk(h, cast.manager, 'POST', `${base}/dispatch`, { channel: 'email' })).toBe('sent');
    expect(await stepOk(h, cast.manager, 'POST', `${base}/original`)).toBe('original_received');
    expect(await stepOk(h, cast.lawyer, 'POST', `${base}/archive`, { location: 'шкаф 3' })).toBe('in_force');
    expect((await amendment(id)).openTasks).toEqual([]);

    // The contract takes the new terms in its own step lock: the registry shows them.
    const amended = await eventually(
      async () => {
        const c = await contract(number);
        return c.paymentTermsDays === 45 ? c : undefined;
      },
      15_000,
      'the amended terms',
    );
    expect(Number(amended.amount)).toBe(1_500_000);
    expect(amended.status).toBe('active');
    const timeline = (await h.request('GET', `/api/contracts/${number}/timeline`, { token: cast.manager.token })).body.items;
    expect(timeline.map((e: { step: string }) => e.step)).toContain('terms_amended');

    // The contract's amendments, in their order; the next one is ДС-2.
    const second = await amend(number, { changes: { subject: 'Перевозка и хранение грузов' }, reason: 'новая услуга' });
    expect(second.body.number).toBe(`${number}/ДС-2`);
    const list = (await h.request('GET', `/api/contracts/${number}/amendments`, { token: cast.manager.token })).body.items;
    expect(list.map((a: { number: string }) => a.number)).toEqual([`${number}/ДС-1`, `${number}/ДС-2`]);
    await stepOk(h, cast.manager, 'POST', `/api/amendments/${second.body.id}/cancel`, { reason: 'клиент передумал' });

    // The contract names the processes it started; the list of every process has them too.
    const children = (await contract(number)).children as { type: string; number: string; stage: string; url: string }[];
    expect(children.map((c) => [c.type, c.number, c.stage, c.url])).toEqual([
      ['amendment', `${number}/ДС-1`, 'in_force', `/api/amendments/${id}`],
      ['amendment', `${number}/ДС-2`, 'cancelled', `/api/amendments/${second.body.id}`],
    ]);
    const listed = (await h.request('GET', '/api/processes?type=amendment&stage=in_force&limit=200', { token: cast.manager.token })).body
      .items;
    expect(listed.map((p: { id: string }) => p.id)).toContain(id);
    expect(listed.find((p: { id: string }) => p.id === id)).toMatchObject({ number: `${number}/ДС-1`, parentWorkflowId: workflowId });

    await keepHistory(h.temporal, `amendment-${id}`, 'amendment-standard-in-force');
    await keepHistory(h.temporal, workflowId, 'contract-terms-amended');
  });
});

describe('an amendment that departs from the standard terms', () => {
  it('goes to the lawyer, back to the manager for changes, and on after approval; four eyes hold', async () => {
    const { number } = await activeContract();
    const created = await amend(number, { changes: { endDate: isoDay(700) }, deviations: [DEVIATION], reason: 'продление на второй год' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.status).toBe('pending_legal_approval');
    const base = `/api/amendments/${created.body.id}`;

    const byDirector = await h.request('POST', `${base}/approval`, {
      token: cast.director.token,
      body: { decision: 'approve', comment: 'ok' },
    });
    expect(byDirector.status).toBe(403);
    expect(await stepOk(h, cast.lawyer, 'POST', `${base}/approval`, { decision: 'request_changes', comment: 'уточните срок оплаты' })).toBe(
      'changes_requested',
    );
    const notYours = await h.request('PUT', `${base}/terms`, {
      token: otherManager.token,
      body: { changes: { endDate: isoDay(720) }, deviations: [], reason: 'x' },
    });
    expect(notYours.status).toBe(403);
    expect(
      await stepOk(h, cast.manager, 'PUT', `${base}/terms`, {
        changes: { endDate: isoDay(730) },
        deviations: [DEVIATION],
        reason: 'продление',
      }),
    ).toBe('pending_legal_approval');
    expect((await amendment(created.body.id)).changes).toEqual({ endDate: isoDay(730) });

    // One person who is both lawyer and director may approve, but then not also sign.
    expect(await stepOk(h, lawyerDirector, 'POST', `${base}/approval`, { decision: 'approve', comment: 'согласовано' })).toBe(
      'pending_signature',
    );
    const ownSignature = await h.request('POST', `${base}/signature`, { token: lawyerDirector.token, body: {} });
    expect(ownSignature.status).toBe(403);
    expect(await stepOk(h, cast.director, 'POST', `${base}/signature`)).toBe('ready_to_send');
    await keepHistory(h.temporal, `amendment-${created.body.id}`, 'amendment-changes-requested-approved');
  });

  it('rejected by the lawyer, it ends there: every later step is 409', async () => {
    const { number } = await activeContract();
    const created = await amend(number, { changes: { amount: 900_000 }, deviations: [DEVIATION], reason: 'скидка' });
    const base = `/api/amendments/${created.body.id}`;
    expect(await stepOk(h, cast.lawyer, 'POST', `${base}/approval`, { decision: 'reject', comment: 'не согласуем' })).toBe('rejected');
    const late = await h.request('POST', `${base}/signature`, { token: cast.director.token, body: {} });
    expect(late.status).toBe(409);
    expect((await amendment(created.body.id)).openTasks).toEqual([]);
    expect(Number((await contract(number)).amount)).toBe(1_250_000);
    await keepHistory(h.temporal, `amendment-${created.body.id}`, 'amendment-rejected');
  });
});

describe('who may amend what', () => {
  it('refuses a contract that is not in force (409), another manager (403), no change (400) and an impossible date (422)', async () => {
    const body = contractBody(cast.clientId, cast.manager.id);
    const draft = await h.request('POST', '/api/contracts', { token: cast.ops.token, body });
    const notInForce = await amend(draft.body.number, { changes: { amount: 1 }, reason: 'x' });
    expect(notInForce.status).toBe(409);

    const { number } = await activeContract();
    expect((await amend(number, { changes: { amount: 2_000_000 }, reason: 'x' }, otherManager)).status).toBe(403);
    const nothing = await amend(number, { changes: {}, reason: 'x' });
    expect(nothing.status).toBe(400);
    expect(nothing.body.error.issues[0].path).toBe('changes');
    const before = await amend(number, { changes: { endDate: isoDay(-60) }, reason: 'x' });
    expect(before.status).toBe(422);
    expect(before.body.error.issues[0].path).toBe('changes.endDate');
    expect((await amend(number, { changes: { amount: 1_000 }, reason: 'x' }, cast.lawyer)).status).toBe(403);
    expect((await h.request('GET', '/api/amendments/not-a-uuid', { token: cast.manager.token })).status).toBe(404);
    expect((await amend('CT-2099-99999', { changes: { amount: 1 }, reason: 'x' })).status).toBe(404);
    // Nothing was written for any of them.
    const list = (await h.request('GET', `/api/contracts/${number}/amendments`, { token: cast.manager.token })).body.items;
    expect(list).toEqual([]);
  });

  it('twenty identical requests at once make one amendment; twenty signatures at once, one is taken', async () => {
    const { number } = await activeContract();
    const key = { 'Idempotency-Key': `amend-${Math.random().toString(36).slice(2)}` };
    const body = { changes: { paymentTermsDays: 60 }, reason: 'отсрочка' };
    const answers = await Promise.all(Array.from({ length: 20 }, () => amend(number, body, cast.manager, key)));
    expect(answers.map((a) => a.status).every((s) => s === 201)).toBe(true);
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    const list = (await h.request('GET', `/api/contracts/${number}/amendments`, { token: cast.manager.token })).body.items;
    expect(list).toHaveLength(1);

    const base = `/api/amendments/${answers[0]!.body.id}`;
    const signatures = await Promise.all(
      Array.from({ length: 20 }, () => h.request('POST', `${base}/signature`, { token: cast.director.token, body: {} })),
    );
    const codes = signatures.map((s) => s.status).sort();
    expect(codes.filter((c) => c === 200)).toHaveLength(1);
    expect(codes.filter((c) => c === 409)).toHaveLength(19);
    const docs = await h.db.query(`SELECT count(*)::int AS n FROM documents WHERE workflow_id = $1`, [answers[0]!.body.workflowId]);
    expect(docs.rows[0].n).toBe(1);
    // A dispatch racing a cancellation: the cancellation goes through either way; the dispatch only if it came first.
    const [dispatch, cancel] = await Promise.all([
      h.request('POST', `${base}/dispatch`, { token: cast.manager.token, body: { channel: 'post' } }),
      h.request('POST', `${base}/cancel`, { token: cast.manager.token, body: { reason: 'передумали' } }),
    ]);
    expect(cancel.status).toBe(200);
    expect([200, 409]).toContain(dispatch.status);
    const ended = await amendment(answers[0]!.body.id);
    expect(ended.status).toBe('cancelled');
    expect(ended.sentDate !== null).toBe(dispatch.status === 200);
  });
});

describe('many amendments of one contract', () => {
  it('keeps at most MAX_OPEN_AMENDMENTS open: one more is 422 and writes nothing; a retry of one already drafted still answers', async () => {
    const { number } = await activeContract();
    const drafted = [];
    for (let i = 0; i < MAX_OPEN_AMENDMENTS; i++) {
      const res = await amend(number, { changes: { amount: 2_000_000 + i }, reason: `шаг ${i}` }, cast.manager, {
        'Idempotency-Key': `open-${i}`,
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      drafted.push(res.body.id);
    }
    const oneMore = await amend(number, { changes: { amount: 3_000_000 }, reason: 'лишнее' });
    expect(oneMore.status).toBe(422);
    expect(oneMore.body.error.issues[0].path).toBe('contractNumber');
    const list = (await h.request('GET', `/api/contracts/${number}/amendments`, { token: cast.manager.token })).body.items;
    expect(list).toHaveLength(MAX_OPEN_AMENDMENTS);
    const again = await amend(number, { changes: { amount: 2_000_000 }, reason: 'шаг 0' }, cast.manager, { 'Idempotency-Key': 'open-0' });
    expect([again.status, again.body.id]).toEqual([201, drafted[0]]);
    // One cancelled makes room for the next.
    await stepOk(h, cast.manager, 'POST', `/api/amendments/${drafted[1]}/cancel`, { reason: 'не нужно' });
    expect((await amend(number, { changes: { amount: 3_000_000 }, reason: 'теперь можно' })).status).toBe(201);
  }, 120_000);
});

describe('hostile and enormous input', () => {
  it('refuses NUL bytes, lone surrogates, unknown terms and too many deviations (400 naming the field), and signs the largest valid one', async () => {
    const { number } = await activeContract();
    const bad: [unknown, string][] = [
      [{ changes: { amount: 1_400_000 }, reason: 'a\u0000b' }, 'reason'],
      [{ changes: { subject: 'x\ud800y' }, reason: 'x' }, 'changes.subject'],
      [{ changes: { amount: 1_400_000, currency: 'USD' }, reason: 'x' }, 'changes'],
      [{ changes: { amount: -5 }, reason: 'x' }, 'changes.amount'],
      [{ changes: { endDate: '2026-02-30' }, reason: 'x' }, 'changes.endDate'],
      [{ changes: { amount: 1_400_000 }, deviations: Array.from({ length: 21 }, () => DEVIATION), reason: 'x' }, 'deviations'],
      [{ changes: { amount: 1_400_000 }, reason: 'x'.repeat(2001) }, 'reason'],
    ];
    for (const [body, field] of bad) {
      // JSON.stringify writes the NUL and the lone surrogate as \u escapes: valid JSON that parses back to them.
      const res = await amend(number, body);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(res.body.error.issues.map((i: { path: string }) => i.path)).toContain(field);
    }
    expect((await h.request('GET', `/api/contracts/${number}/amendments`, { token: cast.manager.token })).body.items).toEqual([]);

    // The largest amendment the limits allow: twenty deviations of 2,000 characters each.
    const long = (seed: number) => `Редакция ${seed}: ` + 'условие оплаты по согласованию сторон '.repeat(60).slice(0, 1980);
    const largest = await amend(number, {
      changes: { amount: 1_999_999.99, endDate: isoDay(900), paymentTermsDays: 90, subject: 'С'.repeat(1000) },
      deviations: Array.from({ length: 20 }, (_, i) => ({ clause: `${i + 1}.1`, standard: long(i), proposed: long(i + 100) })),
      reason: 'р'.repeat(2000),
    });
    expect(largest.status, JSON.stringify(largest.body).slice(0, 300)).toBe(201);
    const base = `/api/amendments/${largest.body.id}`;
    await stepOk(h, cast.lawyer, 'POST', `${base}/approval`, { decision: 'approve', comment: 'ok' });
    expect(await stepOk(h, cast.director, 'POST', `${base}/signature`)).toBe('ready_to_send');
    const pdf = await h.request('GET', `${base}/document`, { token: cast.manager.token });
    const text = await pdfText(pdf.raw);
    expect(text.split('\f').length).toBeGreaterThan(5);
    expect(text.replace(/\s+/g, '')).toContain('Редакция119:');
  });
});

describe('the clocks and the end of the contract', () => {
  // Its own harness: the expiry is counted from a harness's start, and the tests before this one
  // take as long as the machine lets them (past EXPIRES_IN_MS under load, when the contract expired
  // before it could be amended).
  beforeAll(async () => {
    await h.close();
    await start();
  });

  it('reminds and escalates a wait, and the contract expiring cancels its open amendments', async () => {
    const expiring = await activeContract(isoDay(0));
    const created = await amend(expiring.number, { changes: { amount: 1_300_000 }, reason: 'индексация' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id;

    // Waiting for the director: a reminder, then an escalation task for the head of key accounts.
    await eventually(
      async () => {
        const tasks = (await amendment(id)).openTasks as { task: string }[];
        return tasks.some((t) => t.task === 'escalation') ? true : undefined;
      },
      20_000,
      'the escalation',
    );
    const steps = (await h.request('GET', `/api/amendments/${id}/timeline`, { token: cast.manager.token })).body.items.map(
      (e: { step: string }) => e.step,
    );
    expect(steps).toEqual(['registration', 'reminder', 'escalation']);

    // The contract expires: the amendment is cancelled with it, its tasks closed.
    await eventually(async () => ((await amendment(id)).status === 'cancelled' ? true : undefined), EXPIRES_IN_MS + 30_000, 'cancellation');
    const ended = await amendment(id);
    expect(ended.closeReason).toContain('expired');
    expect(ended.openTasks).toEqual([]);
    expect((await contract(expiring.number)).status).toBe('expired');
    const late = await amend(expiring.number, { changes: { amount: 1_400_000 }, reason: 'поздно' });
    expect(late.status).toBe(409);
    await keepHistory(h.temporal, `amendment-${id}`, 'amendment-cancelled-by-expiry');
    await keepHistory(h.temporal, expiring.workflowId, 'contract-expired-ends-amendment');
  }, 120_000);
});
