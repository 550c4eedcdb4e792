// Registering webhook endpoints as an attacker and a clumsy administrator would: only https
// outside loopback and the private ranges (no request forgery into the company's network), only
// the events there are, only administrators, and a 400 naming the field, with nothing written,
// for anything else; the secret answered once and never again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startHarness, type Harness, type Person } from '../support/harness';

let h: Harness;
let manager: Person;

beforeAll(async () => {
  h = await startHarness({ worker: false });
  manager = await h.person('Мария Менеджерова', ['manager']);
});
afterAll(() => h?.close());

const register = (body: unknown, token = ADMIN_TOKEN) => h.request('POST', '/api/webhooks', { token, body });
const endpoints = async () => (await h.db.query('SELECT count(*)::int AS n FROM webhook_endpoints')).rows[0].n as number;
const issuesOf = (res: { body: any }) => (res.body.error?.issues ?? []).map((i: { path: string }) => i.path);

describe('registering a webhook endpoint', () => {
  it('takes an https URL and the events there are, and answers the secret once', async () => {
    const created = await register({
      url: 'https://crm.example.com/hooks/contracts',
      events: ['contract.signed', 'contract.signed', 'client.lost'],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.headers.get('location')).toBe(`/api/webhooks/${created.body.id}`);
    expect(created.body).toMatchObject({
      url: 'https://crm.example.com/hooks/contracts',
      events: ['contract.signed', 'client.lost'],
      disabledAt: null,
    });
    expect(Buffer.from(created.body.secret.slice('whsec_'.length), 'base64')).toHaveLength(32);
    const listed = await h.request('GET', '/api/webhooks', { token: ADMIN_TOKEN });
    expect(listed.body.items).toHaveLength(1);
    expect(JSON.stringify(listed.body)).not.toContain(created.body.secret);
    expect(JSON.stringify((await h.request('GET', `/api/webhooks/${created.body.id}`, { token: ADMIN_TOKEN })).body)).not.toContain(
      'whsec_',
    );
    const catalog = await h.request('GET', '/api/webhook-events', { token: manager.token });
    expect(catalog.body.items.map((e: { type: string }) => e.type)).toEqual([
      'contract.signed',
      'contract.sent',
      'contract.active',
      'contract.expired',
      'contract.cancelled',
      'onboarding.completed',
      'onboarding.declined',
      'client.stage_changed',
      'client.lost',
      'amendment.in_force',
    ]);
  });

  it('sent twenty times at once with one Idempotency-Key, registers one endpoint and answers each the same, secret included', async () => {
    const before = await endpoints();
    const body = { url: 'https://crm.example.com/hooks/once', events: ['contract.active'] };
    const headers = { 'Idempotency-Key': 'register-crm-once' };
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => h.request('POST', '/api/webhooks', { token: ADMIN_TOKEN, body, headers })),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(201));
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    expect(new Set(answers.map((a) => a.body.secret)).size).toBe(1);
    expect(answers.filter((a) => a.headers.get('idempotent-replayed') === 'true')).toHaveLength(19);
    expect(await endpoints()).toBe(before + 1);
    const again = await h.request('POST', '/api/webhooks', { token: ADMIN_TOKEN, body, headers });
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(answers[0]!.body.id);
    const other = await h.request('POST', '/api/webhooks', { token: ADMIN_TOKEN, body: { ...body, events: ['client.lost'] }, headers });
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe('idempotency_key_reused');
    const badKey = await h.request('POST', '/api/webhooks', { token: ADMIN_TOKEN, body, headers: { 'Idempotency-Key': 'two words' } });
    expect(badKey.status).toBe(400);
    expect(await endpoints()).toBe(before + 1);
    // The secret stays in its own row: no copy of the answer is kept among step answers.
    const kept = await h.db.query(`SELECT count(*)::int AS n FROM step_answers WHERE body::text LIKE '%whsec_%'`);
    expect(kept.rows[0].n).toBe(0);
  });

  it('refuses loopback, private, link-local and local names, http, credentials and other schemes, naming the url', async () => {
    const before = await endpoints();
    for (const url of [
      'http://crm.example.com/hooks',
      'https://127.0.0.1/hooks',
      'https://127.1.2.3:8443/hooks',
      'https://localhost/hooks',
      'https://api.localhost/hooks',
      'https://10.0.0.5/hooks',
      'https://172.16.3.4/hooks',
      'https://192.168.1.1/hooks',
      'https://169.254.169.254/latest/meta-data',
      'https://100.64.0.1/hooks',
      'https://0.0.0.0/hooks',
      'https://2130706433/hooks',
      'https://0x7f000001/hooks',
      'https://[::1]/hooks',
      'https://[::ffff:127.0.0.1]/hooks',
      'https://[fd12:3456::1]/hooks',
      'https://[fe80::1]/hooks',
      'https://vault.internal/hooks',
      'https://user:password@crm.example.com/hooks',
      'ftp://crm.example.com/hooks',
      'file:///etc/passwd',
      'not a url',
      `https://crm.example.com/${'a'.repeat(2_100)}`,
    ]) {
      const res = await register({ url, events: ['contract.signed'] });
      expect(res.status, `${url}: ${JSON.stringify(res.body)}`).toBe(400);
      expect(issuesOf(res), url).toEqual(['url']);
    }
    expect(await endpoints()).toBe(before);
  });

  it('refuses unknown or no events, a malformed secret, NUL bytes, broken surrogates, misspelt and enormous fields', async () => {
    const before = await endpoints();
    const url = 'https://crm.example.com/hooks';
    const cases: [unknown, string[]][] = [
      [{ url, events: [] }, ['events']],
      [{ url, events: ['contract.signed', 'contract.exploded'] }, ['events.1']],
      [{ url }, ['events']],
      [{ events: ['contract.signed'] }, ['url']],
      [{ url, events: ['contract.signed'], secret: 'hunter2' }, ['secret']],
      [{ url, events: ['contract.signed'], secret: `whsec_${Buffer.alloc(8).toString('base64')}` }, ['secret']],
      [{ url: 'https://crm.example.com/\u0000', events: ['contract.signed'] }, ['url']],
      [{ url, events: ['contract.signed'], description: 'CRM \ud800' }, ['description']],
      [{ url, events: ['contract.signed'], description: 'x'.repeat(501) }, ['description']],
      [{ url, events: Array(5_000).fill('contract.signed') }, ['events']],
      [{ url, events: ['contract.signed'], evnts: ['client.lost'] }, ['(body)']],
    ];
    for (const [body, paths] of cases) {
      const res = await register(body);
      expect(res.status, JSON.stringify(body).slice(0, 200)).toBe(400);
      expect(issuesOf(res), JSON.stringify(body).slice(0, 200)).toEqual(paths);
    }
    const huge = await h.request('POST', '/api/webhooks', {
      token: ADMIN_TOKEN,
      body: JSON.stringify({ url, events: ['contract.signed'], description: 'x'.repeat(2_000_000) }),
    });
    expect(huge.status).toBe(413);
    expect(await endpoints()).toBe(before);
  });

  it('is for administrators only, and another id is a 404, never a 500', async () => {
    expect((await register({ url: 'https://crm.example.com/hooks', events: ['contract.signed'] }, manager.token)).status).toBe(403);
    expect((await h.request('GET', '/api/webhooks', { token: manager.token })).status).toBe(403);
    expect((await h.request('GET', '/api/mail-deliveries', { token: manager.token })).status).toBe(403);
    for (const id of ['%00', 'not-a-uuid', '00000000-0000-0000-0000-000000000000', "1' OR '1'='1"]) {
      expect((await h.request('GET', `/api/webhooks/${id}`, { token: ADMIN_TOKEN })).status, id).toBe(404);
      expect((await h.request('PATCH', `/api/webhooks/${id}`, { token: ADMIN_TOKEN, body: { disabled: true } })).status, id).toBe(404);
      expect((await h.request('DELETE', `/api/webhooks/${id}`, { token: ADMIN_TOKEN })).status, id).toBe(404);
      expect((await h.request('GET', `/api/webhooks/${id}/deliveries`, { token: ADMIN_TOKEN })).status, id).toBe(404);
    }
    const created = await register({ url: 'https://crm.example.com/hooks', events: ['contract.signed'] });
    for (const deliveryId of ['%00', 'nope', '00000000-0000-0000-0000-000000000000']) {
      const res = await h.request('POST', `/api/webhooks/${created.body.id}/deliveries/${deliveryId}/redeliver`, { token: ADMIN_TOKEN });
      expect(res.status, deliveryId).toBe(404);
    }
    expect((await h.request('GET', `/api/webhooks/${created.body.id}/deliveries?status=lost`, { token: ADMIN_TOKEN })).status).toBe(400);
    expect((await h.request('GET', `/api/webhooks/${created.body.id}/deliveries?cursor=forged`, { token: ADMIN_TOKEN })).status).toBe(400);
  });

  it('changes what it hears, its URL under the same rules, or its state; an empty change is a 400', async () => {
    const created = await register({ url: 'https://crm.example.com/hooks', events: ['contract.signed'] });
    const patch = (body: unknown) => h.request('PATCH', `/api/webhooks/${created.body.id}`, { token: ADMIN_TOKEN, body });
    expect((await patch({})).status).toBe(400);
    expect(issuesOf(await patch({ url: 'https://10.1.1.1/x' }))).toEqual(['url']);
    expect(issuesOf(await patch({ events: ['nope'] }))).toEqual(['events.0']);
    const changed = await patch({ events: ['contract.active'], description: 'ERP', disabled: true });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(changed.body).toMatchObject({ events: ['contract.active'], description: 'ERP' });
    expect(changed.body.disabledAt).not.toBeNull();
    const enabled = await patch({ disabled: false, description: null });
    expect(enabled.body).toMatchObject({ disabledAt: null, description: null, url: 'https://crm.example.com/hooks' });
  });
});
