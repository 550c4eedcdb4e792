// The clients: found by a part of the name (any case, Cyrillic included), the start of the INN or
// of the code, in keyset pages; edited (requisites and contacts) by ops, kam_head and the client's
// own manager, each change on the client's timeline with who made it, one edit at a time, nothing
// half-written; and a contract drafted before an edit keeps the requisites it was drafted with.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { castAndClient, clientBody, contractBody, stepOk, type Cast } from '../support/fixtures';
import { startHarness, type ApiResponse, type Harness, type Person } from '../support/harness';
import { pdfText } from '../support/pdf-text';

let h: Harness;
let cast: Cast;
let otherManager: Person;

beforeAll(async () => {
  h = await startHarness();
  cast = await castAndClient(h);
  otherManager = await h.person('Пётр Другой', ['manager']);
});
afterAll(() => h?.close());

/** A valid 10-digit INN (a legal entity's) starting with these nine digits. */
function inn10(first9: string): string {
  const weights = [2, 4, 10, 3, 5, 9, 4, 6, 8];
  const sum = weights.reduce((acc, w, i) => acc + w * Number(first9[i]), 0);
  return `${first9}${(sum % 11) % 10}`;
}

async function register(person: Person, legalName: string, inn = inn10('770708389')): Promise<{ id: string; code: string }> {
  const body = clientBody();
  body.requisites.legalName = legalName;
  body.requisites.inn = inn;
  const res = await h.request('POST', '/api/clients', { token: person.token, body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

/** A client whose manager is `manager`: the manager of its (only) contract. */
async function clientOf(manager: Person, legalName: string): Promise<{ id: string; number: string }> {
  const { id } = await register(cast.ops, legalName);
  const created = await h.request('POST', '/api/contracts', { token: cast.ops.token, body: contractBody(id, manager.id) });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return { id, number: created.body.number };
}

const search = async (q: string, token = cast.lawyer.token) => {
  const res = await h.request('GET', `/api/clients?q=${encodeURIComponent(q)}&limit=200`, { token });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.items as { id: string; code: string; name: string; inn: string; manager: { id: string; name: string } | null }[];
};

const patch = (person: Person, id: string, body: unknown) => h.request('PATCH', `/api/clients/${id}`, { token: person.token, body });

async function timeline(id: string) {
  const res = await h.request('GET', `/api/clients/${id}/timeline?limit=200`, { token: cast.lawyer.token });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return (res.body.items as { process: string; step: string; actorId: string; actorName: string; details: any }[]).filter(
    (e) => e.process === 'client',
  );
}

describe('GET /api/clients', () => {
  let veter: { id: string; code: string };
  let lesnoy: { id: string; code: string };
  let percent: { id: string; code: string };

  beforeAll(async () => {
    veter = await register(cast.ops, 'ООО «Ветер перемен»', inn10('501234567'));
    lesnoy = await register(cast.manager, 'АО «Лесной ВЕТЕРОК»', inn10('501234999'));
    percent = await register(cast.ops, 'ООО «Скидка 100% и_точка»', inn10('610000001'));
  });

  it('finds clients by a part of the name in any case, Cyrillic included, with their code, INN and manager', async () => {
    for (const q of ['ветер', 'ВЕТЕР', 'ВеТеР', ' ветер ']) {
      const ids = (await search(q)).map((c) => c.id);
      expect(ids, q).toEqual(expect.arrayContaining([veter.id, lesnoy.id]));
      expect(ids, q).not.toContain(percent.id);
    }
    expect((await search('перемен')).map((c) => c.id)).toEqual([veter.id]);
    const [item] = await search('Лесной');
    expect(item).toEqual({
      id: lesnoy.id,
      code: lesnoy.code,
      name: 'АО «Лесной ВЕТЕРОК»',
      inn: inn10('501234999'),
      manager: null,
      segment: null,
      createdAt: expect.any(String),
    });
  });

  it('takes % and _ in the query as themselves', async () => {
    expect((await search('100%')).map((c) => c.id)).toEqual([percent.id]);
    expect((await search('и_т')).map((c) => c.id)).toEqual([percent.id]);
    expect(await search('%%%')).toEqual([]);
    expect(await search('_____')).toEqual([]);
  });

  it('finds clients by the start of the INN, and not by its middle', async () => {
    const ids = (await search('501234')).map((c) => c.id);
    expect(ids.sort()).toEqual([veter.id, lesnoy.id].sort());
    expect((await search('5012349')).map((c) => c.id)).toEqual([lesnoy.id]);
    expect((await search(inn10('610000001'))).map((c) => c.id)).toEqual([percent.id]);
    expect(await search('1234567')).toEqual([]);
  });

  it('finds a client by its code, exact or its start, in any case', async () => {
    expect((await search(veter.code)).map((c) => c.id)).toEqual([veter.id]);
    expect((await search(veter.code.toLowerCase())).map((c) => c.id)).toEqual([veter.id]);
    const prefix = veter.code.slice(0, -1);
    expect((await search(prefix)).map((c) => c.id)).toContain(veter.id);
    expect((await search('CL-')).length).toBeGreaterThanOrEqual(4);
  });

  it('shows the manager the processes follow: its contract’s', async () => {
    const { id } = await clientOf(cast.manager, 'ООО «Клиент Менеджера»');
    const [item] = await search('Клиент Менеджера');
    expect(item).toMatchObject({ id, manager: { id: cast.manager.id, name: cast.manager.name } });
  });

  it('pages newest first without duplicates or gaps, with and without a query', async () => {
    const made: string[] = [];
    for (let i = 0; i < 7; i++) made.push((await register(cast.ops, `ООО «Страница ${i}»`)).id);
    const walk = async (q: string, limit: number) => {
      const ids: string[] = [];
      let cursor: string | null = null;
      do {
        const res: ApiResponse = await h.request(
          'GET',
          `/api/clients?limit=${limit}${q ? `&q=${encodeURIComponent(q)}` : ''}${cursor ? `&cursor=${cursor}` : ''}`,
          {
            token: cast.director.token,
          },
        );
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        expect(res.body.items.length).toBeLessThanOrEqual(limit);
        ids.push(...res.body.items.map((c: { id: string }) => c.id));
        cursor = res.body.nextCursor;
      } while (cursor);
      return ids;
    };
    expect(await walk('страница', 3)).toEqual([...made].reverse());
    const all = (await h.db.query('SELECT id FROM clients ORDER BY created_at DESC, id DESC')).rows.map((r) => r.id);
    for (const limit of [1, 4, 50]) expect(await walk('', limit), `limit ${limit}`).toEqual(all);
    const first = await h.request('GET', '/api/clients?q=страница&limit=3', { token: cast.director.token });
    expect(first.body.items).toHaveLength(3);
    expect(first.body.nextCursor).toEqual(expect.any(String));
  });

  it('refuses a bad limit, cursor or query, naming it, and a caller without a token', async () => {
    for (const [query, field] of [
      ['limit=0', 'limit'],
      ['limit=201', 'limit'],
      ['cursor=nonsense!', 'cursor'],
      [`q=${encodeURIComponent('a\u0000b')}`, 'q'],
      [`q=${'я'.repeat(301)}`, 'q'],
    ] as const) {
      const res = await h.request('GET', `/api/clients?${query}`, { token: cast.ops.token });
      expect(res.status, query).toBe(400);
      expect(res.body.error.issues.map((i: { path: string }) => i.path)).toContain(field);
    }
    expect((await h.request('GET', '/api/clients')).status).toBe(401);
  });
});

describe('POST /api/clients', () => {
  it('with one Idempotency-Key is one client: twenty at once, and a retry after its answer was lost', async () => {
    const count = async () => Number((await h.db.query('SELECT count(*) AS n FROM clients')).rows[0].n);
    const before = await count();
    const body = clientBody();
    body.requisites.legalName = 'ООО «Один ключ»';
    const headers = { 'Idempotency-Key': `client-${Math.random().toString(36).slice(2)}` };
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => h.request('POST', '/api/clients', { token: cast.ops.token, body, headers })),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(201));
    expect(new Set(answers.map((a) => `${a.body.id} ${a.body.code}`)).size).toBe(1);
    expect(await count()).toBe(before + 1);
    // An API killed after the insert but before its answer was kept: the retry answers the same client.
    await h.db.query('DELETE FROM step_answers');
    const retried = await h.request('POST', '/api/clients', { token: cast.ops.token, body, headers });
    expect(retried.status).toBe(201);
    expect(retried.body).toEqual(answers[0]!.body);
    const contacts = await h.db.query('SELECT count(*) AS n FROM client_contacts WHERE client_id = $1', [retried.body.id]);
    expect(Number(contacts.rows[0].n)).toBe(body.contacts.length);
    expect(await count()).toBe(before + 1);
  });
});

describe('PATCH /api/clients/:id', () => {
  it('lets ops edit requisites and contacts, answers the client with what changed, and puts it on the timeline with the actor', async () => {
    const { id } = await register(cast.ops, 'ООО «Правка»');
    const contacts = [
      { name: 'Новый Контакт', phone: '+7 495 111-22-33', decisionRole: 'leader' },
      { name: 'Второй Контакт', email: 'second@example.test', jobTitle: 'Логист', decisionRole: 'helper' },
      { name: 'Третий', email: 'third@example.test', decisionRole: 'butler' },
    ];
    const res = await patch(cast.ops, id, {
      requisites: { address: '  101000, г. Москва, ул. Новая, д. 5  ', bik: '044525974' },
      contacts,
      location: 'Москва',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.requisites).toMatchObject({ address: '101000, г. Москва, ул. Новая, д. 5', bik: '044525974', inn: inn10('770708389') });
    expect(res.body.location).toBe('Москва');
    expect(res.body.contacts).toEqual([
      { name: 'Новый Контакт', jobTitle: null, phone: '+7 495 111-22-33', email: null, decisionRole: 'leader' },
      { name: 'Второй Контакт', jobTitle: 'Логист', phone: null, email: 'second@example.test', decisionRole: 'helper' },
      { name: 'Третий', jobTitle: null, phone: null, email: 'third@example.test', decisionRole: 'butler' },
    ]);
    expect(res.body.stage).toBe('healthy');
    const fields = (res.body.changes as { field: string }[]).map((c) => c.field);
    expect(fields).toEqual(
      expect.arrayContaining(['requisites.address', 'requisites.bik', 'location', 'contacts.0.name', 'contacts.1.email', 'contacts.2']),
    );
    expect(res.body.changes).toContainEqual({
      field: 'requisites.address',
      from: '191186, г. Санкт-Петербург, Невский пр., д. 1',
      to: '101000, г. Москва, ул. Новая, д. 5',
    });
    expect(res.body.changes).toContainEqual({ field: 'location', from: 'Санкт-Петербург', to: 'Москва' });
    expect(res.body.changes).toContainEqual({ field: 'contacts.2', from: null, to: { ...contacts[2], jobTitle: null, phone: null } });

    const read = await h.request('GET', `/api/clients/${id}`, { token: cast.lawyer.token });
    const { changes: _changes, ...answered } = res.body;
    expect(read.body).toEqual(answered);

    const events = await timeline(id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ step: 'client_edited', actorId: cast.ops.id, actorName: cast.ops.name });
    expect(events[0]!.details.changes).toEqual(res.body.changes);

    // Clearing an optional field, and the same patch again: it changes nothing and writes nothing.
    const cleared = await patch(cast.ops, id, { signatoryName: null });
    expect(cleared.status, JSON.stringify(cleared.body)).toBe(200);
    expect(cleared.body.signatoryName).toBeNull();
    expect(cleared.body.changes).toEqual([{ field: 'signatoryName', from: 'Петрова Анна Сергеевна', to: null }]);
    const again = await patch(cast.ops, id, { signatoryName: null, location: 'Москва' });
    expect(again.status).toBe(200);
    expect(again.body.changes).toEqual([]);
    expect(await timeline(id)).toHaveLength(2);
  });

  it("lets the client's manager and kam_head edit it, and refuses another manager and a lawyer", async () => {
    const { id } = await clientOf(cast.manager, 'ООО «Чей клиент»');
    const byManager = await patch(cast.manager, id, { requisites: { legalName: 'ООО «Чей клиент — 2»' } });
    expect(byManager.status, JSON.stringify(byManager.body)).toBe(200);
    expect(byManager.body.requisites.legalName).toBe('ООО «Чей клиент — 2»');
    const byHead = await patch(cast.kamHead, id, { requisites: { legalName: 'ООО «Чей клиент — 3»' } });
    expect(byHead.status, JSON.stringify(byHead.body)).toBe(200);

    const byOther = await patch(otherManager, id, { requisites: { legalName: 'ООО «Чужой»' } });
    expect(byOther.status, JSON.stringify(byOther.body)).toBe(403);
    expect(byOther.body.error.code).toBe('forbidden');
    const byLawyer = await patch(cast.lawyer, id, { requisites: { legalName: 'ООО «Юрист»' } });
    expect(byLawyer.status).toBe(403);
    const byDirector = await patch(cast.director, id, { location: 'Тверь' });
    expect(byDirector.status).toBe(403);

    const events = await timeline(id);
    expect(events.map((e) => e.actorId)).toEqual([cast.manager.id, cast.kamHead.id]);
    expect((await h.request('GET', `/api/clients/${id}`, { token: cast.ops.token })).body.requisites.legalName).toBe(
      'ООО «Чей клиент — 3»',
    );
  });

  it('lets the manager who registered a client edit it while it has no manager, and no other manager', async () => {
    const { id } = await register(otherManager, 'ООО «Свой новый»');
    expect((await patch(otherManager, id, { location: 'Казань' })).status).toBe(200);
    expect((await patch(cast.manager, id, { location: 'Самара' })).status).toBe(403);
  });

  it('refuses a bad INN, a missing KPP, NUL bytes and broken surrogates with 400 naming the field, writing nothing', async () => {
    const { id } = await register(cast.ops, 'ООО «Проверка»');
    const before = (await h.request('GET', `/api/clients/${id}`, { token: cast.ops.token })).body;
    const refused = async (body: unknown, field: string) => {
      const res = await patch(cast.ops, id, body);
      expect(res.status, `${JSON.stringify(body)}: ${JSON.stringify(res.body)}`).toBe(400);
      expect(res.body.error.code).toBe('invalid_request');
      expect(res.body.error.issues.map((i: { path: string }) => i.path)).toContain(field);
    };
    await refused({ requisites: { inn: '7707083894' } }, 'requisites.inn');
    await refused({ requisites: { inn: '12345' } }, 'requisites.inn');
    await refused({ requisites: { kpp: null } }, 'requisites.kpp');
    await refused({ requisites: { bik: '04452' } }, 'requisites.bik');
    await refused({ requisites: { legalName: 'ООО \u0000 «Ноль»' } }, 'requisites.legalName');
    await refused({ contacts: [{ name: 'Без связи', decisionRole: 'leader' }] }, 'contacts.0.phone');
    await refused({ contacts: [] }, 'contacts');
    await refused({ location: '' }, 'location');
    // A lone surrogate, as JSON text can carry it.
    const lone = await h.request('PATCH', `/api/clients/${id}`, {
      token: cast.ops.token,
      body: '{"requisites":{"address":"ул. \\ud800 Сломанная"},"contacts":[{"name":"\\udfff","phone":"+7 900 000-00-00","decisionRole":"leader"}]}',
    });
    expect(lone.status, JSON.stringify(lone.body)).toBe(400);
    expect(lone.body.error.issues.map((i: { path: string }) => i.path)).toEqual(
      expect.arrayContaining(['requisites.address', 'contacts.0.name']),
    );
    expect((await h.request('GET', `/api/clients/${id}`, { token: cast.ops.token })).body).toEqual(before);
    expect(await timeline(id)).toEqual([]);
  });

  it('refuses an empty patch, and the manager, the segment or any other field, naming it', async () => {
    const { id } = await register(cast.ops, 'ООО «Пустая правка»');
    for (const body of [{}, { requisites: {} }]) {
      const res = await patch(cast.ops, id, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.issues[0].message).toMatch(/give at least one/);
    }
    for (const [body, field] of [
      [{ managerId: cast.manager.id }, 'managerId'],
      [{ segment: 'key', location: 'Тула' }, 'segment'],
      [{ code: 'CL-99999' }, 'code'],
      [{ requisites: { innn: '7707083893' } }, 'innn'],
    ] as const) {
      const res = await patch(cast.ops, id, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(JSON.stringify(res.body.error.issues)).toContain(field);
    }
    expect(await timeline(id)).toEqual([]);
  });

  it('answers 404 for an unknown or malformed id, and 403 to a lawyer before that', async () => {
    for (const bad of ['3f1c1f64-2d5a-4a57-9b0e-6f1f3c1b2a10', 'not-a-uuid', '%00']) {
      const res = await patch(cast.ops, bad, { location: 'Тула' });
      expect(res.status, bad).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
    expect((await patch(cast.lawyer, 'not-a-uuid', { location: 'Тула' })).status).toBe(403);
  });

  it('applies 20 concurrent edits one at a time: 20 events, each from the previous one, and the row is the last', async () => {
    const { id } = await register(cast.ops, 'ООО «Гонка»');
    const original = '191186, г. Санкт-Петербург, Невский пр., д. 1';
    const people = [cast.ops, cast.kamHead];
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        patch(people[i % 2]!, id, {
          requisites: { address: `Адрес №${i}` },
          contacts: [{ name: `Контакт ${i}`, phone: `+7 900 000-00-${String(i).padStart(2, '0')}`, decisionRole: 'leader' }],
        }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));

    const events = await timeline(id);
    expect(events).toHaveLength(20);
    const addressChanges = events.map((e) => e.details.changes.find((c: { field: string }) => c.field === 'requisites.address'));
    expect(addressChanges.every(Boolean)).toBe(true);
    expect(addressChanges[0].from).toBe(original);
    for (let i = 1; i < 20; i++) expect(addressChanges[i].from).toBe(addressChanges[i - 1].to);
    expect(new Set(addressChanges.map((c) => c.to)).size).toBe(20);

    const now = (await h.request('GET', `/api/clients/${id}`, { token: cast.ops.token })).body;
    const last = addressChanges[19].to as string;
    expect(now.requisites.address).toBe(last);
    expect(now.contacts).toEqual([
      {
        name: `Контакт ${last.slice(7)}`,
        jobTitle: null,
        phone: `+7 900 000-00-${last.slice(7).padStart(2, '0')}`,
        email: null,
        decisionRole: 'leader',
      },
    ]);
    const contactRows = await h.db.query('SELECT count(*)::int AS n FROM client_contacts WHERE client_id = $1', [id]);
    expect(contactRows.rows[0].n).toBe(1);
    expect(new Set(events.map((e) => e.actorId))).toEqual(new Set(people.map((p) => p.id)));
  });

  it('writes nothing when the timeline event cannot be written', async () => {
    const { id } = await register(cast.ops, 'ООО «Всё или ничего»');
    const before = (await h.request('GET', `/api/clients/${id}`, { token: cast.ops.token })).body;
    await h.db.query(`ALTER TABLE timeline_events ADD CONSTRAINT no_poison CHECK (details::text NOT LIKE '%poison%')`);
    try {
      const res = await patch(cast.ops, id, {
        requisites: { address: 'poison' },
        contacts: [{ name: 'Яд', phone: '+7 900 111-11-11', decisionRole: 'leader' }],
      });
      expect(res.status).toBe(500);
    } finally {
      await h.db.query('ALTER TABLE timeline_events DROP CONSTRAINT no_poison');
    }
    expect((await h.request('GET', `/api/clients/${id}`, { token: cast.ops.token })).body).toEqual(before);
    expect(await timeline(id)).toEqual([]);
  });
});

describe('a contract drafted before an edit', () => {
  it('keeps the requisites it was drafted with: in its answer, its PDF and its clients-base entry', async () => {
    const oldName = 'ООО «Старое имя»';
    const { id, number } = await clientOf(cast.manager, oldName);
    const old = (await h.request('GET', `/api/clients/${id}`, { token: cast.ops.token })).body;

    const newInn = inn10('390100001');
    const edited = await patch(cast.ops, id, {
      requisites: {
        legalName: 'ООО «Новое имя»',
        inn: newInn,
        address: '236000, г. Калининград, ул. Новая, д. 9',
        account: '40702810900000000999',
      },
      signatoryName: 'Сидоров Новый Подписант',
    });
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);

    const contract = (await h.request('GET', `/api/contracts/${number}`, { token: cast.manager.token })).body;
    expect(contract.clientRequisites).toEqual({ ...old.requisites, signatoryName: old.signatoryName });
    expect(contract.client.requisites.legalName).toBe('ООО «Новое имя»');

    expect(await stepOk(h, cast.director, 'POST', `/api/contracts/${number}/signature`)).toBe('ready_to_send');
    const pdf = await h.request('GET', `/api/contracts/${number}/document`, { token: cast.manager.token });
    expect(pdf.status).toBe(200);
    const text = (await pdfText(pdf.raw)).replace(/\s+/g, ' ');
    expect(text).toContain(oldName);
    expect(text).toContain(old.requisites.inn);
    expect(text).toContain(old.requisites.account);
    expect(text).not.toContain('Новое имя');
    expect(text).not.toContain(newInn);
    expect(text).not.toContain('40702810900000000999');
    expect(text).not.toContain('Сидоров');

    expect(await stepOk(h, cast.manager, 'POST', `/api/contracts/${number}/dispatch`, { channel: 'courier' })).toBe('sent');
    expect(await stepOk(h, cast.manager, 'POST', `/api/contracts/${number}/signed-scan`, {})).toBe('scan_received');
    const base = await h.db.query('SELECT company_name, requisites FROM clients_base WHERE contract_number = $1', [number]);
    expect(base.rows[0]).toEqual({ company_name: oldName, requisites: old.requisites });

    // A contract drafted after the edit takes the new requisites.
    const later = await h.request('POST', '/api/contracts', { token: cast.ops.token, body: contractBody(id, cast.manager.id) });
    expect(later.status, JSON.stringify(later.body)).toBe(201);
    const laterRead = (await h.request('GET', `/api/contracts/${later.body.number}`, { token: cast.manager.token })).body;
    expect(laterRead.clientRequisites).toMatchObject({
      legalName: 'ООО «Новое имя»',
      inn: newInn,
      signatoryName: 'Сидоров Новый Подписант',
    });
  });
});
