// Staff administration: listing people, changing roles, disabling (tokens stop at once) and
// issuing a new token (the old ones stop).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientBody } from '../support/fixtures';
import { ADMIN_TOKEN, startHarness, type Harness, type Person } from '../support/harness';

let h: Harness;
let manager: Person;
let staffAdmin: Person;

// Nothing here needs a workflow.
beforeAll(async () => {
  h = await startHarness({ worker: false });
  [manager, staffAdmin] = await Promise.all([h.person('Мария Менеджерова', ['manager']), h.person('Алла Админова', ['admin'])]);
});
afterAll(() => h?.close());

const admin = (method: string, path: string, body?: unknown) => h.request(method, path, { token: ADMIN_TOKEN, body });
const me = (token: string) => h.request('GET', '/api/me', { token });
const staffRow = async (id: string) => (await h.db.query('SELECT name, roles, disabled_at FROM staff WHERE id = $1', [id])).rows[0];
const liveTokens = async (id: string) =>
  (await h.db.query('SELECT count(*)::int AS n FROM api_tokens WHERE staff_id = $1 AND revoked_at IS NULL', [id])).rows[0].n as number;

describe('GET /api/staff', () => {
  it('lists people with their roles and state, for an administrator only', async () => {
    const res = await admin('GET', '/api/staff');
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          id: manager.id,
          name: manager.name,
          roles: ['manager'],
          disabledAt: null,
          createdAt: expect.any(String),
        }),
      ]),
    );
    expect(res.body.items[0]).not.toHaveProperty('token_hash');
    expect((await h.request('GET', '/api/staff', { token: staffAdmin.token })).status).toBe(200);
    expect((await h.request('GET', '/api/staff', { token: manager.token })).status).toBe(403);
    expect((await h.request('GET', '/api/staff')).status).toBe(401);
  });
});

describe('PATCH /api/staff/:id', () => {
  it('changes roles, effective on the next request', async () => {
    const person = await h.person('Олег Переводов', ['ops']);
    expect((await h.request('POST', '/api/clients', { token: person.token, body: clientBody() })).status).toBe(201);

    const res = await admin('PATCH', `/api/staff/${person.id}`, { roles: ['lawyer', 'lawyer', 'director'] });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: person.id, roles: ['lawyer', 'director'], disabledAt: null });
    expect((await me(person.token)).body.roles).toEqual(['lawyer', 'director']);
    expect((await h.request('POST', '/api/clients', { token: person.token, body: clientBody() })).status).toBe(403);
  });

  it('renames', async () => {
    const person = await h.person('Старое Имя', ['ops']);
    const res = await h.request('PATCH', `/api/staff/${person.id}`, { token: staffAdmin.token, body: { name: '  Новое Имя ' } });
    expect(res.status).toBe(200);
    expect(res.body.name).toBe('Новое Имя');
    expect((await me(person.token)).body.name).toBe('Новое Имя');
  });

  it('disables a person: every token of theirs stops at once; re-enabling brings them back', async () => {
    const person = await h.person('Уходящий', ['manager']);
    const second = await admin('POST', `/api/staff/${person.id}/tokens`);
    // Only the newest token is live; give the old one back to check it stays revoked.
    const tokens = [second.body.token as string];
    expect((await me(tokens[0]!)).status).toBe(200);

    const off = await admin('PATCH', `/api/staff/${person.id}`, { disabled: true });
    expect(off.status).toBe(200);
    expect(off.body.disabledAt).toEqual(expect.any(String));
    expect((await me(tokens[0]!)).status).toBe(401);
    expect((await h.request('GET', '/api/tasks', { token: tokens[0] })).status).toBe(401);
    // Disabling twice keeps the first time.
    const again = await admin('PATCH', `/api/staff/${person.id}`, { disabled: true });
    expect(again.body.disabledAt).toBe(off.body.disabledAt);
    // A token issued while disabled does not work either.
    const whileOff = await admin('POST', `/api/staff/${person.id}/tokens`);
    expect(whileOff.status).toBe(201);
    expect((await me(whileOff.body.token)).status).toBe(401);

    const on = await admin('PATCH', `/api/staff/${person.id}`, { disabled: false });
    expect(on.body.disabledAt).toBeNull();
    expect((await me(whileOff.body.token)).status).toBe(200);
    expect((await me(tokens[0]!)).status).toBe(401);
    expect((await me(person.token)).status).toBe(401);
  });

  it('answers 404 for an unknown or malformed id', async () => {
    expect((await admin('PATCH', `/api/staff/${randomUUID()}`, { disabled: true })).status).toBe(404);
    expect((await admin('PATCH', '/api/staff/nobody', { disabled: true })).status).toBe(404);
    expect((await admin('PATCH', '/api/staff/%00', { disabled: true })).status).toBe(404);
    expect((await admin('PATCH', '/api/staff/admin', { disabled: true })).status).toBe(404);
  });

  it('answers 400 naming the field for a bad body, and changes nothing', async () => {
    const before = await staffRow(manager.id);
    const cases: [body: string, path: string][] = [
      ['{}', '(body)'],
      ['{"disabeld":true}', '(body)'],
      ['{"disabled":"yes"}', 'disabled'],
      ['{"roles":[]}', 'roles'],
      ['{"roles":["god"]}', 'roles.0'],
      ['{"name":"a\\u0000b"}', 'name'],
      ['{"name":"\\ud800"}', 'name'],
      ['{"name":"   "}', 'name'],
      [JSON.stringify({ name: 'x'.repeat(201) }), 'name'],
      ['{"name":"Новое","disabled":true,"roles":["ops"],"email":"x@x.test"}', '(body)'],
    ];
    for (const [body, path] of cases) {
      const res = await admin('PATCH', `/api/staff/${manager.id}`, body);
      expect(res.status, body).toBe(400);
      expect(
        res.body.error.issues.map((i: { path: string }) => i.path),
        body,
      ).toContain(path);
    }
    expect(await staffRow(manager.id)).toEqual(before);
    expect((await me(manager.token)).status).toBe(200);
  });

  it('answers 403 to anyone but an administrator', async () => {
    const res = await h.request('PATCH', `/api/staff/${manager.id}`, { token: manager.token, body: { roles: ['admin'] } });
    expect(res.status).toBe(403);
    expect((await staffRow(manager.id)).roles).toEqual(['manager']);
  });
});

describe('POST /api/staff/:id/tokens', () => {
  it('issues a new token and revokes every older one', async () => {
    const person = await h.person('Забывчивый', ['ops']);
    const res = await admin('POST', `/api/staff/${person.id}/tokens`);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ id: person.id, token: expect.stringMatching(/^ce_/) });
    expect(res.body.token).not.toBe(person.token);
    expect((await me(person.token)).status).toBe(401);
    expect((await me(res.body.token)).body.staffId).toBe(person.id);
    expect(await liveTokens(person.id)).toBe(1);
    const stored = await h.db.query('SELECT token_hash FROM api_tokens WHERE staff_id = $1', [person.id]);
    expect(stored.rows.map((r) => r.token_hash).join()).not.toContain(res.body.token);
  });

  it('leaves exactly one live token when issued concurrently', async () => {
    const person = await h.person('Спорный', ['ops']);
    const issued = await Promise.all(Array.from({ length: 6 }, () => admin('POST', `/api/staff/${person.id}/tokens`)));
    expect(issued.map((r) => r.status)).toEqual(Array(6).fill(201));
    expect(await liveTokens(person.id)).toBe(1);
    const working = (await Promise.all(issued.map((r) => me(r.body.token)))).filter((r) => r.status === 200);
    expect(working).toHaveLength(1);
  });

  it('answers 404 for an unknown person and 403 to a non-administrator', async () => {
    expect((await admin('POST', `/api/staff/${randomUUID()}/tokens`)).status).toBe(404);
    expect((await admin('POST', '/api/staff/%00/tokens')).status).toBe(404);
    expect((await h.request('POST', `/api/staff/${manager.id}/tokens`, { token: manager.token })).status).toBe(403);
    expect((await me(manager.token)).status).toBe(200);
    expect(await liveTokens(manager.id)).toBe(1);
  });
});
