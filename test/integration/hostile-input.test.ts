// Every text field of every endpoint, sent what Postgres cannot store (NUL, a lone surrogate),
// what is too long, and dates Postgres or people would not take: each is a 400 naming the field,
// and nothing is written. Path parameters that name nothing are 404s, never 500s.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { castAndClient, clientBody, contractBody, DEVIATION, type Cast } from '../support/fixtures';
import { ADMIN_TOKEN, startHarness, type Harness, type Person } from '../support/harness';

let h: Harness;
let cast: Cast;
let number: string;
let target: Person;

beforeAll(async () => {
  h = await startHarness();
  cast = await castAndClient(h);
  target = await h.person('Цель Правок', ['ops']);
  const created = await h.request('POST', '/api/contracts', {
    token: cast.ops.token,
    body: contractBody(cast.clientId, cast.manager.id, { deviations: [DEVIATION], additionalAgreement: 'Доп.', specialAppendix: 'Прил.' }),
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  number = created.body.number;
});
afterAll(() => h?.close());

const TABLES = [
  'staff',
  'api_tokens',
  'clients',
  'client_contacts',
  'contract_registry',
  'timeline_events',
  'tasks',
  'notifications',
  'notification_reads',
  'documents',
  'contract_drafts',
  'contract_requests',
];

/** Row counts of every table the API writes to, and the contract's status and registry row. */
async function snapshot(): Promise<unknown> {
  const counts: Record<string, number> = {};
  for (const table of TABLES) counts[table] = (await h.db.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n;
  const contract = (await h.db.query('SELECT * FROM contract_registry WHERE number = $1', [number])).rows[0];
  const people = (await h.db.query('SELECT id, name, email, roles, disabled_at FROM staff ORDER BY id')).rows;
  return { counts, contract, people };
}

type Kind = 'text' | 'date' | 'id' | 'code';
interface Field {
  path: string;
  kind: Kind;
  max?: number;
}
interface Endpoint {
  method: string;
  name: string;
  path: () => string;
  token: () => string;
  body: () => object;
  fields: Field[];
}

const text = (path: string, max?: number): Field => ({ path, kind: 'text', max });
const date = (path: string): Field => ({ path, kind: 'date' });
const id = (path: string): Field => ({ path, kind: 'id' });
const code = (path: string): Field => ({ path, kind: 'code' });

const NUL = 'a\u0000b';
const HIGH = '\uD800';
const LOW = 'x\uDC00y';
const REVERSED_PAIR = '\uDE00\uD83D';
const HOSTILE: Record<Kind, string[]> = {
  text: [NUL, HIGH, LOW, REVERSED_PAIR, '\u0000'],
  date: ['0000-01-01', '1899-12-31', '2200-01-01', '9999-12-31', '10000-01-01', '2026-02-30', `2026-01-01${'\u0000'}`, HIGH],
  id: [NUL, HIGH, `${randomUUID()}\u0000`],
  code: [NUL, HIGH],
};

const steps = (path: string) => () => `/api/contracts/${number}/${path}`;
const DRAFT_FIELDS = [
  text('terms.subject', 1000),
  code('terms.currency'),
  date('terms.startDate'),
  date('terms.endDate'),
  text('deviations.0.clause', 100),
  text('deviations.0.standard', 2000),
  text('deviations.0.proposed', 2000),
  text('additionalAgreement', 10_000),
  text('specialAppendix', 10_000),
];
const draft = () => {
  const body = contractBody(cast.clientId, cast.manager.id, {
    deviations: [DEVIATION],
    additionalAgreement: 'Доп.',
    specialAppendix: 'Прил.',
  });
  return { terms: body.terms, deviations: body.deviations, additionalAgreement: 'Доп.', specialAppendix: 'Прил.' };
};

const ENDPOINTS: Endpoint[] = [
  {
    method: 'POST',
    name: '/api/staff',
    path: () => '/api/staff',
    token: () => ADMIN_TOKEN,
    body: () => ({ name: 'Новый', email: 'new.person@example.test', roles: ['ops'] }),
    fields: [text('name', 200), text('email', 254)],
  },
  {
    method: 'PATCH',
    name: '/api/staff/:id',
    path: () => `/api/staff/${target.id}`,
    token: () => ADMIN_TOKEN,
    body: () => ({ name: 'Другое имя' }),
    fields: [text('name', 200)],
  },
  {
    method: 'POST',
    name: '/api/clients',
    path: () => '/api/clients',
    token: () => cast.ops.token,
    body: clientBody,
    fields: [
      text('location', 200),
      text('signatoryName', 200),
      date('firstContactDate'),
      text('requisites.legalName', 300),
      code('requisites.inn'),
      code('requisites.kpp'),
      text('requisites.address', 500),
      text('requisites.bankName', 300),
      code('requisites.bik'),
      code('requisites.account'),
      code('requisites.correspondentAccount'),
      text('contacts.0.name', 200),
      text('contacts.0.jobTitle', 200),
      code('contacts.0.phone'),
      text('contacts.1.email', 254),
    ],
  },
  {
    method: 'POST',
    name: '/api/contracts',
    path: () => '/api/contracts',
    token: () => cast.ops.token,
    body: () => ({ ...draft(), clientId: cast.clientId, managerId: cast.manager.id, template: 'ru' }),
    fields: [id('clientId'), id('managerId'), code('template'), ...DRAFT_FIELDS],
  },
  {
    method: 'PUT',
    name: '/api/contracts/:number/terms',
    path: steps('terms'),
    token: () => cast.manager.token,
    body: draft,
    fields: DRAFT_FIELDS,
  },
  {
    method: 'POST',
    name: '/api/contracts/:number/approval',
    path: steps('approval'),
    token: () => cast.lawyer.token,
    body: () => ({ decision: 'request_changes', comment: 'поправьте' }),
    fields: [code('decision'), text('comment', 4000)],
  },
  {
    method: 'POST',
    name: '/api/contracts/:number/signature',
    path: steps('signature'),
    token: () => cast.director.token,
    body: () => ({ note: 'ok' }),
    fields: [text('note', 4000)],
  },
  {
    method: 'POST',
    name: '/api/contracts/:number/dispatch',
    path: steps('dispatch'),
    token: () => cast.manager.token,
    body: () => ({ channel: 'courier', trackingRef: 'DHL-42' }),
    fields: [code('channel'), text('trackingRef', 200)],
  },
  {
    method: 'POST',
    name: '/api/contracts/:number/follow-up',
    path: steps('follow-up'),
    token: () => cast.manager.token,
    body: () => ({ reached: true, expectedSigningDate: '2026-12-01', note: 'ok' }),
    fields: [date('expectedSigningDate'), text('note', 4000)],
  },
  {
    method: 'POST',
    name: '/api/contracts/:number/signed-scan',
    path: steps('signed-scan'),
    token: () => cast.manager.token,
    body: () => ({ note: 'ok' }),
    fields: [text('note', 4000)],
  },
  {
    method: 'POST',
    name: '/api/contracts/:number/original',
    path: steps('original'),
    token: () => cast.manager.token,
    body: () => ({ note: 'ok' }),
    fields: [text('note', 4000)],
  },
  {
    method: 'POST',
    name: '/api/contracts/:number/client-record',
    path: steps('client-record'),
    token: () => cast.lawyer.token,
    body: () => ({ location: 'шкаф 3', note: 'ok' }),
    fields: [text('location', 200), text('note', 4000)],
  },
  {
    method: 'POST',
    name: '/api/contracts/:number/renewal',
    path: steps('renewal'),
    token: () => cast.manager.token,
    body: () => ({ endDate: '2030-01-01' }),
    fields: [date('endDate')],
  },
  {
    method: 'POST',
    name: '/api/contracts/:number/cancel',
    path: steps('cancel'),
    token: () => cast.manager.token,
    body: () => ({ reason: 'передумали' }),
    fields: [text('reason', 4000)],
  },
  {
    method: 'POST',
    name: '/api/contracts/:number/reassign',
    path: steps('reassign'),
    token: () => cast.kamHead.token,
    body: () => ({ managerId: cast.manager.id }),
    fields: [id('managerId')],
  },
  {
    method: 'POST',
    name: '/api/notifications/read',
    path: () => '/api/notifications/read',
    token: () => cast.manager.token,
    body: () => ({ ids: [randomUUID()] }),
    fields: [id('ids.0')],
  },
];

/** A copy of `body` with the value at a dotted path replaced. */
function withValue(body: object, path: string, value: unknown): object {
  const copy = structuredClone(body) as Record<string, unknown>;
  const keys = path.split('.');
  let node = copy;
  for (const key of keys.slice(0, -1)) node = node[key] as Record<string, unknown>;
  node[keys.at(-1)!] = value;
  return copy;
}

const issuePaths = (res: { body: any }): string[] => (res.body?.error?.issues ?? []).map((i: { path: string }) => i.path);

describe('hostile text in bodies', () => {
  for (const endpoint of ENDPOINTS) {
    it(`${endpoint.method} ${endpoint.name} (${endpoint.fields.map((f) => f.path).join(', ')}): 400 naming the field, nothing written`, async () => {
      const before = await snapshot();
      let sent = 0;
      for (const field of endpoint.fields) {
        const values = [...HOSTILE[field.kind], ...(field.max ? ['x'.repeat(field.max + 1), ` ${'я'.repeat(field.max + 1)} `] : [])];
        for (const value of values) {
          // JSON.stringify writes NUL and lone surrogates as \u escapes, so they reach the server
          // as they are instead of being turned into U+FFFD by the UTF-8 encoder.
          const raw = JSON.stringify(withValue(endpoint.body(), field.path, value));
          if (/[\u0000\uD800-\uDFFF]/.test(value)) expect(raw).toMatch(/\\u(0000|d[89ab][0-9a-f]{2}|d[c-f][0-9a-f]{2})/);
          const res = await h.request(endpoint.method, endpoint.path(), { token: endpoint.token(), body: raw });
          const what = `${endpoint.method} ${endpoint.path()} ${field.path}=${JSON.stringify(value).slice(0, 40)}`;
          expect(res.status, `${what}: ${JSON.stringify(res.body).slice(0, 300)}`).toBe(400);
          expect(res.body.error.code, what).toBe('invalid_request');
          expect(issuePaths(res), what).toContain(field.path);
          sent++;
        }
      }
      expect(sent).toBeGreaterThan(0);
      expect(await snapshot()).toEqual(before);
    });
  }

  it('refuses raw JSON with escaped NUL and surrogates, as a client would send it', async () => {
    const before = await snapshot();
    const cases: [method: string, path: string, token: string, raw: string, field: string][] = [
      ['POST', `/api/contracts/${number}/cancel`, cast.manager.token, '{"reason":"a\\u0000b"}', 'reason'],
      ['POST', `/api/contracts/${number}/cancel`, cast.manager.token, '{"reason":"\\ud800"}', 'reason'],
      ['POST', `/api/contracts/${number}/cancel`, cast.manager.token, '{"reason":"\\udfff\\ud800"}', 'reason'],
      ['POST', `/api/contracts/${number}/approval`, cast.lawyer.token, '{"decision":"approve","comment":"ok\\u0000"}', 'comment'],
      ['POST', `/api/contracts/${number}/dispatch`, cast.manager.token, '{"channel":"post","trackingRef":"\\u0000"}', 'trackingRef'],
      ['POST', '/api/staff', ADMIN_TOKEN, '{"name":"\\u0000","email":"z@z.test","roles":["ops"]}', 'name'],
      ['POST', '/api/staff', ADMIN_TOKEN, '{"name":"Z","email":"z\\u0000@z.test","roles":["ops"]}', 'email'],
      ['POST', '/api/staff', ADMIN_TOKEN, '{"name":"\\udbff","email":"z@z.test","roles":["ops"]}', 'name'],
    ];
    for (const [method, path, token, raw, field] of cases) {
      const res = await h.request(method, path, { token, body: raw });
      expect(res.status, raw).toBe(400);
      expect(issuePaths(res), raw).toContain(field);
    }
    expect(await snapshot()).toEqual(before);
  });

  it('still takes a well-formed surrogate pair and text at its limit', async () => {
    const res = await h.request('POST', '/api/staff', {
      token: ADMIN_TOKEN,
      body: `{"name":"${'я'.repeat(198)}\\ud83d\\ude00","email":"emoji@x.test","roles":["ops"]}`,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const stored = (await h.db.query('SELECT name FROM staff WHERE id = $1', [res.body.id])).rows[0].name;
    expect(stored).toBe(`${'я'.repeat(198)}😀`);
  });
});

describe('absurd sizes', () => {
  it('refuses more than 20 contacts and more than 30 deviations, naming the list', async () => {
    const before = await snapshot();
    const client = clientBody();
    const tooMany = { ...client, contacts: Array(21).fill(client.contacts[0]) };
    const res = await h.request('POST', '/api/clients', { token: cast.ops.token, body: tooMany });
    expect(res.status).toBe(400);
    expect(issuePaths(res)).toEqual(['contacts']);

    const deviations = Array(31).fill(DEVIATION);
    const created = await h.request('POST', '/api/contracts', {
      token: cast.ops.token,
      body: contractBody(cast.clientId, cast.manager.id, { deviations }),
    });
    expect(created.status).toBe(400);
    expect(issuePaths(created)).toEqual(['deviations']);
    const revised = await h.request('PUT', `/api/contracts/${number}/terms`, {
      token: cast.manager.token,
      body: { ...draft(), deviations },
    });
    expect(revised.status).toBe(400);
    expect(issuePaths(revised)).toEqual(['deviations']);
    expect(await snapshot()).toEqual(before);
  });
});

describe('hostile query strings', () => {
  it('answers 400 naming each bad filter, and never 500', async () => {
    const cases: [query: string, fields: string[]][] = [
      ['status=%00', ['status']],
      ['status=active%00', ['status']],
      ['managerId=%00', ['managerId']],
      ['managerId=%ED%A0%80', ['managerId']],
      ['from=0000-01-01', ['from']],
      ['from=1899-12-31&to=2200-01-01', ['from', 'to']],
      ['to=10000-01-01', ['to']],
      ['from=2026-01-01%00', ['from']],
      ['format=csv%00', ['format']],
      ['status=sent&status=active', ['status']],
    ];
    for (const [query, fields] of cases) {
      for (const format of ['', '&format=csv']) {
        if (format && query.startsWith('format')) continue;
        const res = await h.request('GET', `/api/registry?${query}${format}`, { token: cast.manager.token });
        expect(res.status, query).toBe(400);
        expect(issuePaths(res), query).toEqual(fields);
      }
    }
    for (const path of ['/api/notifications?unread=%00', '/api/notifications?unread=yes']) {
      const res = await h.request('GET', path, { token: cast.manager.token });
      expect(res.status, path).toBe(400);
      expect(issuePaths(res)).toEqual(['unread']);
    }
    // Unknown parameters are ignored, whatever they hold.
    expect((await h.request('GET', '/api/tasks?x=%00&y=%ED%A0%80', { token: cast.manager.token })).status).toBe(200);
  });
});

describe('path parameters that name nothing', () => {
  it('answers 404 for contracts, clients, staff and notifications, never 500', async () => {
    const contractPaths = ['%00', 'garbage', `${number}%00`, 'CT-2026-1', '..%2F..%2Fetc', "1'%20OR%20'1'='1", 'x'.repeat(2000)];
    const paths: [method: string, path: string, token: string, body?: object][] = [
      ...contractPaths.flatMap((p): [string, string, string, object?][] => [
        ['GET', `/api/contracts/${p}`, cast.manager.token],
        ['GET', `/api/contracts/${p}/timeline`, cast.manager.token],
        ['GET', `/api/contracts/${p}/document`, cast.manager.token],
        ['POST', `/api/contracts/${p}/cancel`, cast.manager.token, { reason: 'x' }],
      ]),
      ['GET', '/api/clients/%00', cast.manager.token],
      ['GET', '/api/clients/garbage', cast.manager.token],
      ['GET', `/api/clients/${randomUUID()}`, cast.manager.token],
      ['PATCH', '/api/staff/%00', ADMIN_TOKEN, { disabled: true }],
      ['POST', '/api/staff/%00/tokens', ADMIN_TOKEN],
      ['POST', '/api/notifications/%00/read', cast.manager.token],
    ];
    for (const [method, path, token, body] of paths) {
      const res = await h.request(method, path, { token, body });
      expect(res.status, `${method} ${path.slice(0, 80)}`).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
    // A malformed escape is the client's mistake, not the server's.
    expect((await h.request('GET', '/api/contracts/%E0%A4%A', { token: cast.manager.token })).status).toBe(400);
  });
});

describe('the contract after all of it', () => {
  it('is where it was and still takes a valid step', async () => {
    const contract = await h.request('GET', `/api/contracts/${number}`, { token: cast.manager.token });
    expect(contract.body.status).toBe('pending_legal_approval');
    const decision = await h.request('POST', `/api/contracts/${number}/approval`, {
      token: cast.lawyer.token,
      body: { decision: 'approve', comment: 'ok' },
    });
    expect(decision.status, JSON.stringify(decision.body)).toBe(200);
    expect(decision.body.status).toBe('pending_signature');
  });
});
