// The world the endpoint fuzz throws requests at: the product with a worker, people of every role
// (callers the fuzz must not disable, and others it may), and one of everything an id can name (a
// contract waiting on the lawyer, one in force with an amendment, an onboarding, a complaint, a
// promise, a webhook endpoint with failed deliveries, tasks, notifications, documents), plus the
// raw HTTP client that sends what fetch would refuse to (a GET with a body, any path as it is).
import http from 'node:http';
import { expect } from 'vitest';
import { startSession } from '../../db/sessions';
import { CHECKLIST_ITEMS } from '../../workflows/onboarding/rules';
import { castAndClient, contractBody, DEVIATION, freightQuestionnaireId, isoDay, stepOk, type Cast } from './fixtures';
import { ADMIN_TOKEN, startHarness, type Harness, type Person } from './harness';

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The start of the body, as text (enough to name what went wrong). */
  text: string;
}

export interface RawRequest {
  method: string;
  /** Sent exactly as it is: already percent-encoded, or deliberately not. */
  path: string;
  headers: Record<string, string>;
  body?: Uint8Array | string;
}

/** A page's caller: a session's cookie and its CSRF token, or a visitor's double-submit cookie. */
export interface PageCaller {
  label: string;
  cookie?: string;
  csrf?: string;
}

export interface ApiCaller {
  label: string;
  authorization?: string;
  /** Credentials the API takes (any role): most requests are sent with these, to reach the routes. */
  valid: boolean;
  roles: readonly string[];
}

export interface World {
  h: Harness;
  cast: Cast;
  /** Everyone the fuzz calls as, junk credentials included. */
  apiCallers(): ApiCaller[];
  pageCallers(): PageCaller[];
  /** Real ids and numbers of every kind (the callers' own staff ids left out, so they stay able to call). */
  ids: string[];
  /** The same, by the table they are from (`contract_registry`, `amendments`, `checklist`…). */
  idsByTable: Record<string, string[]>;
  send(request: RawRequest): Promise<Answer>;
  /** New sessions for the page callers (after a fuzzed sign-out ended one). */
  renewSessions(): Promise<void>;
}

const READ_LIMIT = 64 * 1024;

/** One request over a fresh connection, with nothing checked or normalised on the way. */
function sendRaw(url: string, { method, path, headers, body }: RawRequest): Promise<Answer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body);
    const req = http.request(
      {
        host: hostname,
        port,
        method,
        path,
        agent: false,
        timeout: 60_000,
        headers: { ...headers, ...(payload ? { 'content-length': String(payload.length) } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          if (size < READ_LIMIT) chunks.push(chunk);
          size += chunk.length;
        });
        res.on('error', reject);
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8').slice(0, READ_LIMIT) }),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within 60 s to ${method} ${path.slice(0, 200)}`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** An active contract on the standard terms (signed, sent, returned, entered in the clients base). */
async function activeContract(h: Harness, cast: Cast): Promise<string> {
  const body = contractBody(cast.clientId, cast.manager.id);
  body.terms = { ...body.terms, startDate: isoDay(-30), endDate: isoDay(365) };
  const created = await h.request('POST', '/api/contracts', { token: cast.ops.token, body });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const number: string = created.body.number;
  await stepOk(h, cast.director, 'POST', `/api/contracts/${number}/signature`);
  await stepOk(h, cast.manager, 'POST', `/api/contracts/${number}/dispatch`, { channel: 'courier' });
  await stepOk(h, cast.manager, 'POST', `/api/contracts/${number}/original`);
  expect(await stepOk(h, cast.lawyer, 'POST', `/api/contracts/${number}/client-record`)).toBe('active');
  return number;
}

async function created(h: Harness, token: string, path: string, body: unknown): Promise<any> {
  const res = await h.request('POST', path, { token, body });
  expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBe(201);
  return res.body;
}

export async function startWorld(): Promise<World> {
  // No delivery round during the run, and a webhook endpoint that cannot be reached gives up in a
  // second, so the worker is quiet again soon after a request the fuzz got accepted.
  const h = await startHarness({ delivery: { roundEveryMs: 86_400_000, webhooks: { retryForMs: 1_000, timeoutMs: 2_000 } } });
  const cast = await castAndClient(h);
  const [otherManager, lawyerDirector, administrator, disabled, revoked, ...victims] = await Promise.all([
    h.person('Пётр Другой', ['manager']),
    h.person('Лев Двойнов', ['lawyer', 'director']),
    h.person('Ада Администраторова', ['admin']),
    h.person('Отключённый', ['manager']),
    h.person('Отозванный', ['ops']),
    h.person('Жертва Первая', ['ops']),
    h.person('Жертва Вторая', ['manager']),
    h.person('Жертва Третья', ['lawyer', 'kam_head']),
  ]);
  expect((await h.request('PATCH', `/api/staff/${disabled.id}`, { token: ADMIN_TOKEN, body: { disabled: true } })).status).toBe(200);
  expect((await h.request('POST', `/api/staff/${revoked.id}/tokens`, { token: ADMIN_TOKEN })).status).toBe(201);
  await h.request('POST', `/api/staff/${victims[0]!.id}/invitation`, { token: ADMIN_TOKEN });

  // Events of the contract below go to an endpoint that does not answer: failed deliveries to name.
  const events = (await h.request('GET', '/api/webhook-events', { token: ADMIN_TOKEN })).body.items.map((e: { type: string }) => e.type);
  await created(h, ADMIN_TOKEN, '/api/webhooks', { url: 'https://hooks.example.com/in', events: events.slice(0, 10) });

  await created(
    h,
    cast.ops.token,
    '/api/contracts',
    contractBody(cast.clientId, cast.manager.id, { deviations: [DEVIATION], additionalAgreement: 'Доп.' }),
  );
  const inForce = await activeContract(h, cast);
  await created(h, cast.manager.token, `/api/contracts/${inForce}/amendments`, {
    changes: { amount: 1_500_000 },
    reason: 'рост объёма перевозок',
  });
  const questionnaireId = await freightQuestionnaireId(h, cast.ops);
  await created(h, cast.ops.token, '/api/onboardings', {
    clientId: cast.clientId,
    lineOfBusiness: 'Грузоперевозки',
    questionnaireId,
    answers: { cargo: 'Бытовая техника', packing: 'pallets' },
  });
  await created(h, cast.ops.token, `/api/clients/${cast.clientId}/complaints`, {
    summary: 'Опоздание машины',
    category: 'delivery',
    severity: 'medium',
    reportedBy: 'Петрова',
  });
  await created(h, cast.manager.token, `/api/clients/${cast.clientId}/commitments`, {
    what: 'Прислать акт сверки',
    dueDate: isoDay(30),
    ownerId: cast.manager.id,
  });

  const callers: [Person, string[]][] = [
    [cast.manager, ['manager']],
    [cast.ops, ['ops']],
    [cast.lawyer, ['lawyer']],
    [cast.director, ['director']],
    [cast.kamHead, ['kam_head']],
    [otherManager, ['manager']],
    [lawyerDirector, ['lawyer', 'director']],
    [administrator, ['admin']],
    [victims[1]!, ['manager']],
  ];
  // The victims' ids stay among the ids, so the fuzz may disable them, change their roles, revoke their tokens.
  const callerIds = new Set(callers.slice(0, -1).map(([p]) => p.id));
  const idsByTable = await idsOf(h, callerIds);
  idsByTable.checklist = [...CHECKLIST_ITEMS];
  const ids = [...new Set(Object.values(idsByTable).flat())];

  const sessions = new Map<string, { secret: string; csrfToken: string }>();
  const sessionPeople: [string, Person][] = [
    ['administrator', administrator],
    ['manager', cast.manager],
    ['lawyer', cast.lawyer],
    ['ops', cast.ops],
  ];
  const renewSessions = async () => {
    for (const [label, person] of sessionPeople) sessions.set(label, await startSession(h.db, person.id, 86_400_000));
  };
  await renewSessions();
  const visitorForm = 'v'.repeat(43);

  return {
    h,
    cast,
    ids,
    idsByTable,
    renewSessions,
    apiCallers: () => [
      { label: 'admin token', authorization: `Bearer ${ADMIN_TOKEN}`, valid: true, roles: ['admin'] },
      ...callers.map(([p, roles]) => ({ label: `${p.name}'s token`, authorization: `Bearer ${p.token}`, valid: true, roles })),
      { label: "the manager's session", authorization: `Session ${sessions.get('manager')!.secret}`, valid: true, roles: ['manager'] },
      { label: "a disabled person's token", authorization: `Bearer ${disabled.token}`, valid: false, roles: [] },
      { label: 'a revoked token', authorization: `Bearer ${revoked.token}`, valid: false, roles: [] },
      { label: 'no Authorization', valid: false, roles: [] },
      ...[
        'Bearer',
        'Bearer ',
        `Bearer ${ADMIN_TOKEN}x`,
        `bearer  ${ADMIN_TOKEN}`,
        'Basic YTpi',
        'Session x',
        `Bearer ${'t'.repeat(6000)}`,
      ].map((authorization) => ({ label: `Authorization: ${authorization.slice(0, 40)}`, authorization, valid: false, roles: [] })),
    ],
    pageCallers: () => [
      ...[...sessions].map(([label, s]) => ({ label: `${label}'s session`, cookie: `ce_session=${s.secret}`, csrf: s.csrfToken })),
      { label: 'a visitor with a form cookie', cookie: `ce_form=${visitorForm}`, csrf: visitorForm },
      { label: 'nobody' },
    ],
    send: (request) => sendRaw(h.url, request),
  };
}

/** Up to five ids (and numbers) from every table that has them, as text, by table. */
async function idsOf(h: Harness, leaveOut: Set<string>): Promise<Record<string, string[]>> {
  const { rows } = await h.db.query<{ table_name: string; column_name: string }>(
    `SELECT table_name, column_name FROM information_schema.columns
     WHERE table_schema = 'public' AND column_name IN ('id', 'number') ORDER BY table_name, column_name`,
  );
  const ids: Record<string, string[]> = {};
  for (const { table_name, column_name } of rows) {
    const found = await h.db.query<{ v: string }>(`SELECT "${column_name}"::text AS v FROM "${table_name}" LIMIT 5`);
    for (const { v } of found.rows) if (v !== null && !leaveOut.has(v)) (ids[table_name] ??= []).push(v);
  }
  return ids;
}
