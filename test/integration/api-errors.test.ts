import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { castAndClient, clientBody, contractBody, stepOk, type Cast } from '../support/fixtures';
import { ADMIN_TOKEN, startHarness, type Harness } from '../support/harness';
import { createApp } from '../../api/app';
import { createPool } from '../../db/pool';

let h: Harness;
let cast: Cast;

beforeAll(async () => {
  h = await startHarness();
  cast = await castAndClient(h);
});
afterAll(() => h?.close());

const count = async (table: string) => (await h.db.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n as number;

describe('who may call', () => {
  it('answers 401 without a token or with an unknown one', async () => {
    expect((await h.request('GET', '/api/registry')).status).toBe(401);
    expect((await h.request('GET', '/api/registry', { token: 'not-a-token' })).status).toBe(401);
    expect((await h.request('POST', '/api/staff', { body: { name: 'x', email: 'x@x.test', roles: ['ops'] } })).status).toBe(401);
  });

  it('answers health without a token, 200 when Temporal and Postgres answer', async () => {
    const res = await h.request('GET', '/api/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ postgres: true, temporal: true });
  });

  it('answers health 503 when Postgres does not answer', async () => {
    const deadDb = createPool('postgres://nobody@127.0.0.1:1/none');
    const app = createApp({
      db: deadDb,
      temporal: h.temporal,
      config: { adminToken: ADMIN_TOKEN, contract: {} as never, temporal: {} as never },
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as { port: number }).port}/api/health`);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ postgres: false, temporal: true });
    } finally {
      server.close();
      await deadDb.end();
    }
  });

  it('answers 403 for a role that may not take the step', async () => {
    expect(
      (await h.request('POST', '/api/staff', { token: cast.manager.token, body: { name: 'x', email: 'x@x.test', roles: ['ops'] } })).status,
    ).toBe(403);
    expect((await h.request('POST', '/api/clients', { token: cast.lawyer.token, body: clientBody() })).status).toBe(403);
    const created = await h.request('POST', '/api/contracts', {
      token: cast.ops.token,
      body: contractBody(cast.clientId, cast.manager.id),
    });
    const { number } = created.body;
    const bySomeoneElse = await h.request('POST', `/api/contracts/${number}/signature`, { token: cast.manager.token });
    expect(bySomeoneElse.status).toBe(403);
    expect(bySomeoneElse.body.error.code).toBe('forbidden');
    expect(
      (await h.request('POST', '/api/contracts', { token: cast.director.token, body: contractBody(cast.clientId, cast.manager.id) }))
        .status,
    ).toBe(403);
  });

  it('records who acted: staff tokens are shown once and stored hashed', async () => {
    const created = await h.request('POST', '/api/staff', {
      token: ADMIN_TOKEN,
      body: { name: 'Новый', email: 'new@x.test', roles: ['ops'] },
    });
    expect(created.status).toBe(201);
    const stored = await h.db.query('SELECT token_hash FROM api_tokens WHERE staff_id = $1', [created.body.id]);
    expect(stored.rows[0].token_hash).not.toContain(created.body.token);
    const me = await h.request('GET', '/api/me', { token: created.body.token });
    expect(me.body).toMatchObject({ staffId: created.body.id, name: 'Новый', roles: ['ops'] });
    const duplicate = await h.request('POST', '/api/staff', {
      token: ADMIN_TOKEN,
      body: { name: 'Дубль', email: 'NEW@x.test', roles: ['ops'] },
    });
    expect(duplicate.status).toBe(409);
  });
});

describe('bad input', () => {
  it('answers 400 with the field-level problems and writes nothing', async () => {
    const clientsBefore = await count('clients');
    const body = clientBody();
    body.requisites.inn = '7707083894';
    (body.requisites as Record<string, unknown>).bik = '12';
    const res = await h.request('POST', '/api/clients', { token: cast.ops.token, body });
    expect(res.status).toBe(400);
    const paths = res.body.error.issues.map((i: { path: string }) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['requisites.inn', 'requisites.bik']));
    expect(await count('clients')).toBe(clientsBefore);

    const badStaff = await h.request('POST', '/api/staff', { token: ADMIN_TOKEN, body: { name: 'x', email: 'nope', roles: ['pilot'] } });
    expect(badStaff.status).toBe(400);
    expect(badStaff.body.error.issues.map((i: { path: string }) => i.path)).toEqual(expect.arrayContaining(['email', 'roles.0']));
  });

  it('rejects a contract with bad terms or unknown parties before anything starts', async () => {
    const registryBefore = await count('contract_registry');
    const bad = contractBody(cast.clientId, cast.manager.id, {
      terms: { subject: '', amount: -5, currency: 'rubles', startDate: '2026-02-30', endDate: '2025-01-01', paymentTermsDays: 10 },
    });
    const res = await h.request('POST', '/api/contracts', { token: cast.manager.token, body: bad });
    expect(res.status).toBe(400);
    const paths = res.body.error.issues.map((i: { path: string }) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['terms.subject', 'terms.amount', 'terms.currency', 'terms.startDate']));

    const unknown = await h.request('POST', '/api/contracts', {
      token: cast.manager.token,
      body: contractBody('00000000-0000-4000-8000-000000000000', cast.lawyer.id),
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.issues.map((i: { path: string }) => i.path)).toEqual(['clientId', 'managerId']);

    const malformed = await h.request('POST', '/api/contracts', { token: cast.manager.token, body: '{"clientId": ' });
    expect(malformed.status).toBe(400);
    expect(await count('contract_registry')).toBe(registryBefore);
  });

  it('answers 400 for a bad step body', async () => {
    const created = await h.request('POST', '/api/contracts', {
      token: cast.ops.token,
      body: contractBody(cast.clientId, cast.manager.id),
    });
    const { number } = created.body;
    await stepOk(h, cast.director, 'POST', `/api/contracts/${number}/signature`);
    const res = await h.request('POST', `/api/contracts/${number}/dispatch`, { token: cast.manager.token, body: { channel: 'pigeon' } });
    expect(res.status).toBe(400);
    expect(res.body.error.issues[0].path).toBe('channel');
  });
});

describe('unknown ids and steps out of order', () => {
  it('answers 404 for an unknown contract or client', async () => {
    expect((await h.request('GET', '/api/contracts/CT-1999-00001', { token: cast.manager.token })).status).toBe(404);
    expect(
      (await h.request('POST', '/api/contracts/CT-1999-00001/dispatch', { token: cast.manager.token, body: { channel: 'post' } })).status,
    ).toBe(404);
    expect((await h.request('GET', '/api/contracts/CT-1999-00001/timeline', { token: cast.manager.token })).status).toBe(404);
    expect((await h.request('GET', '/api/clients/00000000-0000-4000-8000-000000000000', { token: cast.manager.token })).status).toBe(404);
    expect((await h.request('GET', '/api/clients/not-a-uuid', { token: cast.manager.token })).status).toBe(404);
    expect((await h.request('GET', '/api/nothing-here', { token: cast.manager.token })).status).toBe(404);
  });

  it('answers 409 for a step that is not the current one, and changes nothing', async () => {
    const created = await h.request('POST', '/api/contracts', {
      token: cast.ops.token,
      body: contractBody(cast.clientId, cast.manager.id),
    });
    const { number } = created.body;
    const eventsBefore = (await h.request('GET', `/api/contracts/${number}/timeline`, { token: cast.manager.token })).body.events.length;

    const early = await h.request('POST', `/api/contracts/${number}/dispatch`, { token: cast.manager.token, body: { channel: 'post' } });
    expect(early.status).toBe(409);
    expect(early.body.error.message).toContain('pending_signature');
    const approval = await h.request('POST', `/api/contracts/${number}/approval`, {
      token: cast.lawyer.token,
      body: { decision: 'approve', comment: 'ok' },
    });
    expect(approval.status).toBe(409);
    const followUp = await h.request('POST', `/api/contracts/${number}/follow-up`, {
      token: cast.manager.token,
      body: { reached: true, note: 'x' },
    });
    expect(followUp.status).toBe(409);
    expect((await h.request('GET', `/api/contracts/${number}/document`, { token: cast.manager.token })).status).toBe(404);

    const after = await h.request('GET', `/api/contracts/${number}/timeline`, { token: cast.manager.token });
    expect(after.body.status).toBe('pending_signature');
    expect(after.body.events.length).toBe(eventsBefore);
  });

  it('the same Idempotency-Key makes one contract, not two', async () => {
    const body = contractBody(cast.clientId, cast.manager.id);
    const headers = { 'Idempotency-Key': 'order-777' };
    const first = await h.request('POST', '/api/contracts', { token: cast.ops.token, body, headers });
    const second = await h.request('POST', '/api/contracts', { token: cast.ops.token, body, headers });
    expect(first.status).toBe(201);
    expect(second.body.number).toBe(first.body.number);
    const rows = await h.db.query('SELECT count(*)::int AS n FROM contract_registry WHERE workflow_id = $1', [first.body.workflowId]);
    expect(rows.rows[0].n).toBe(1);
  });
});
