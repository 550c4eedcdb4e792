import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { castAndClient, CLIENT_NAME, contractBody, DEVIATION, stepOk, type Cast } from '../support/fixtures';
import { startHarness, type Harness } from '../support/harness';
import { keepHistory } from '../support/histories';
import { pdfText } from '../support/pdf-text';

let h: Harness;
let cast: Cast;

beforeAll(async () => {
  h = await startHarness();
  cast = await castAndClient(h);
});
afterAll(() => h?.close());

const today = () => new Date().toISOString().slice(0, 10);

async function openTasks(number: string) {
  const res = await h.request('GET', `/api/contracts/${number}`, { token: cast.manager.token });
  return (res.body.openTasks as { kind: string; assigneeRole: string; assigneeStaffId: string | null }[]).map((t) => t.kind);
}

describe('the standard contract, from creation to active', () => {
  it('is numbered, signed with a PDF, sent, chased, entered into the clients base and archived', async () => {
    const created = await h.request('POST', '/api/contracts', {
      token: cast.ops.token,
      body: contractBody(cast.clientId, cast.manager.id),
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const { number, workflowId } = created.body;
    expect(number).toMatch(/^CT-\d{4}-\d{5}$/);
    expect(created.body.status).toBe('pending_signature');
    expect(await openTasks(number)).toEqual(['signature']);

    // The director sees the task and a notification about it.
    const directorTasks = await h.request('GET', '/api/tasks', { token: cast.director.token });
    expect(directorTasks.body.items.map((t: { contractNumber: string }) => t.contractNumber)).toContain(number);
    const directorNotes = await h.request('GET', '/api/notifications', { token: cast.director.token });
    expect(directorNotes.body.items.some((n: { contractNumber: string }) => n.contractNumber === number)).toBe(true);

    expect(await stepOk(h, cast.director, 'POST', `/api/contracts/${number}/signature`)).toBe('ready_to_send');
    const pdf = await h.request('GET', `/api/contracts/${number}/document`, { token: cast.manager.token });
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toContain('application/pdf');
    const text = await pdfText(pdf.raw);
    expect(text).toContain(CLIENT_NAME);
    expect(text).toContain(number);
    expect(await openTasks(number)).toEqual(['dispatch']);

    expect(await stepOk(h, cast.manager, 'POST', `/api/contracts/${number}/dispatch`, { channel: 'courier', trackingRef: 'DHL-42' })).toBe(
      'sent',
    );
    let registry = (await h.request('GET', `/api/contracts/${number}`, { token: cast.manager.token })).body;
    expect(registry.sentDate).toBe(today());
    expect(registry.dispatchChannel).toBe('courier');
    expect(registry.documents).toHaveLength(1);

    expect(await stepOk(h, cast.manager, 'POST', `/api/contracts/${number}/signed-scan`, { note: 'скан пришёл по почте' })).toBe(
      'scan_received',
    );
    const provisional = await h.db.query('SELECT entry FROM clients_base WHERE contract_number = $1', [number]);
    expect(provisional.rows).toEqual([{ entry: 'provisional' }]);

    expect(await stepOk(h, cast.manager, 'POST', `/api/contracts/${number}/original`)).toBe('original_received');
    registry = (await h.request('GET', `/api/contracts/${number}`, { token: cast.manager.token })).body;
    expect(registry.returnedDate).toBe(today());
    expect(await openTasks(number)).toEqual(['client_record']);

    expect(await stepOk(h, cast.lawyer, 'POST', `/api/contracts/${number}/client-record`, { location: 'Санкт-Петербург' })).toBe('active');
    registry = (await h.request('GET', `/api/contracts/${number}`, { token: cast.manager.token })).body;
    expect(registry.status).toBe('active');
    expect(registry.archiveRef).toMatch(/^ARCH-\d{4}-\d{4}$/);
    expect(registry.openTasks).toEqual([]);

    const base = await h.db.query('SELECT * FROM clients_base WHERE contract_number = $1', [number]);
    expect(base.rows[0]).toMatchObject({ entry: 'final', company_name: CLIENT_NAME, manager_name: cast.manager.name });
    expect(base.rows[0].contacts).toHaveLength(2);

    const timeline = await h.request('GET', `/api/contracts/${number}/timeline`, { token: cast.kamHead.token });
    expect(timeline.body.events.map((e: { step: string }) => e.step)).toEqual([
      'registration',
      'signature',
      'dispatch',
      'signed_scan',
      'original_received',
      'client_record',
    ]);
    const signature = timeline.body.events[1];
    expect(signature).toMatchObject({
      from: 'pending_signature',
      to: 'ready_to_send',
      actorId: cast.director.id,
      actorName: cast.director.name,
    });
    expect(signature.waitedMs).toBeGreaterThanOrEqual(0);
    expect(timeline.body.waitingOn).toEqual([]);

    const rows = await h.db.query('SELECT count(*)::int AS n FROM contract_registry WHERE workflow_id = $1', [workflowId]);
    expect(rows.rows[0].n).toBe(1);
    await keepHistory(h.temporal, workflowId, 'standard-to-active');
  });
});

describe('a contract with non-standard terms', () => {
  it('goes to the lawyer, back for changes, and on to signature with the deviations in the PDF', async () => {
    const body = contractBody(cast.clientId, cast.manager.id, {
      deviations: [DEVIATION],
      additionalAgreement: 'Стороны согласовали дополнительный пункт погрузки в г. Колпино.',
      specialAppendix: 'Перевозка при температуре от +2 до +6 °C.',
    });
    const created = await h.request('POST', '/api/contracts', { token: cast.manager.token, body });
    expect(created.status).toBe(201);
    const { number, workflowId } = created.body;
    expect(created.body.status).toBe('pending_legal_approval');
    expect(await openTasks(number)).toEqual(['legal_approval']);

    expect(
      await stepOk(h, cast.lawyer, 'POST', `/api/contracts/${number}/approval`, {
        decision: 'request_changes',
        comment: 'Срок оплаты не более 45 дней',
      }),
    ).toBe('changes_requested');
    expect(await openTasks(number)).toEqual(['revise_terms']);

    const revised = { ...body, deviations: [{ ...DEVIATION, proposed: 'Оплата в течение 45 дней' }] };
    delete (revised as Record<string, unknown>).clientId;
    delete (revised as Record<string, unknown>).managerId;
    delete (revised as Record<string, unknown>).template;
    expect(await stepOk(h, cast.manager, 'PUT', `/api/contracts/${number}/terms`, revised)).toBe('pending_legal_approval');

    expect(await stepOk(h, cast.lawyer, 'POST', `/api/contracts/${number}/approval`, { decision: 'approve', comment: 'Согласовано' })).toBe(
      'pending_signature',
    );
    expect(await stepOk(h, cast.director, 'POST', `/api/contracts/${number}/signature`)).toBe('ready_to_send');

    const text = await pdfText((await h.request('GET', `/api/contracts/${number}/document`, { token: cast.lawyer.token })).raw);
    expect(text).toContain('Оплата в течение 45 дней');
    expect(text).toContain('Колпино');
    expect(text).toContain('+2 до +6');

    const steps = (await h.request('GET', `/api/contracts/${number}/timeline`, { token: cast.manager.token })).body.events.map(
      (e: { step: string }) => e.step,
    );
    expect(steps).toEqual(['registration', 'legal_changes_requested', 'terms_revised', 'legal_approval', 'signature']);
    const registry = (await h.request('GET', `/api/contracts/${number}`, { token: cast.manager.token })).body;
    expect(registry.deviations[0].proposed).toBe('Оплата в течение 45 дней');
    expect(registry.approvedBy).toBe(cast.lawyer.name);

    expect(await stepOk(h, cast.kamHead, 'POST', `/api/contracts/${number}/cancel`, { reason: 'Клиент отказался' })).toBe('cancelled');
    await keepHistory(h.temporal, workflowId, 'non-standard-changes-approval-cancel');
  });

  it('ends as rejected when the lawyer rejects it, and takes no further step', async () => {
    const created = await h.request('POST', '/api/contracts', {
      token: cast.manager.token,
      body: contractBody(cast.clientId, cast.manager.id, { deviations: [DEVIATION] }),
    });
    const { number, workflowId } = created.body;
    expect(
      await stepOk(h, cast.lawyer, 'POST', `/api/contracts/${number}/approval`, { decision: 'reject', comment: 'Неприемлемые условия' }),
    ).toBe('rejected');
    expect(await openTasks(number)).toEqual([]);
    const again = await h.request('POST', `/api/contracts/${number}/approval`, {
      token: cast.lawyer.token,
      body: { decision: 'approve', comment: 'ok' },
    });
    expect(again.status).toBe(409);
    const cancel = await h.request('POST', `/api/contracts/${number}/cancel`, { token: cast.manager.token, body: { reason: 'x' } });
    expect(cancel.status).toBe(409);
    const notes = await h.request('GET', '/api/notifications', { token: cast.manager.token });
    expect(notes.body.items.some((n: { message: string }) => n.message.includes('rejected'))).toBe(true);
    await keepHistory(h.temporal, workflowId, 'rejected');
  });

  it('cannot be approved or signed by the person who drafted it', async () => {
    const all = await h.person('Универсал', ['manager', 'lawyer', 'director']);
    const created = await h.request('POST', '/api/contracts', {
      token: all.token,
      body: contractBody(cast.clientId, cast.manager.id, { deviations: [DEVIATION] }),
    });
    const { number } = created.body;
    const approve = await h.request('POST', `/api/contracts/${number}/approval`, {
      token: all.token,
      body: { decision: 'approve', comment: 'сам себе' },
    });
    expect(approve.status).toBe(403);
    expect(await stepOk(h, cast.lawyer, 'POST', `/api/contracts/${number}/approval`, { decision: 'approve', comment: 'ok' })).toBe(
      'pending_signature',
    );
    const sign = await h.request('POST', `/api/contracts/${number}/signature`, { token: all.token });
    expect(sign.status).toBe(403);
    expect((await h.request('GET', `/api/contracts/${number}`, { token: all.token })).body.status).toBe('pending_signature');
  });
});

describe('the registry', () => {
  it('lists contracts filtered by status and manager, and as CSV', async () => {
    const sent = await h.request('GET', `/api/registry?status=active&managerId=${cast.manager.id}`, { token: cast.manager.token });
    expect(sent.status).toBe(200);
    expect(sent.body.items.length).toBeGreaterThanOrEqual(1);
    expect(sent.body.items.every((e: { status: string }) => e.status === 'active')).toBe(true);

    const none = await h.request('GET', `/api/registry?from=2000-01-01&to=2000-12-31`, { token: cast.manager.token });
    expect(none.body.items).toEqual([]);
    const sinceToday = await h.request('GET', `/api/registry?from=${today()}&to=${today()}`, { token: cast.manager.token });
    expect(sinceToday.body.items.length).toBeGreaterThanOrEqual(4);
    const badFilter = await h.request('GET', '/api/registry?status=lost&from=yesterday', { token: cast.manager.token });
    expect(badFilter.status).toBe(400);
    expect(badFilter.body.error.issues.map((i: { path: string }) => i.path)).toEqual(['status', 'from']);

    const csv = await h.request('GET', '/api/registry?format=csv', { token: cast.lawyer.token });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = String(csv.body).trim().split('\r\n');
    expect(lines[0]).toContain('number,status,clientCode,clientName');
    expect(lines.length).toBeGreaterThanOrEqual(4);
    expect(csv.body).toContain(CLIENT_NAME.replace(/"/g, '""'));
  });
});
