// Bad input at scale: every route the API declares, and every form post of the pages, is sent
// generated requests (fast-check) and must hold two properties whatever it is sent:
//   1. no answer is 500 or more, ever (the test runs with Postgres and Temporal up, so even a 503
//      is a failure here: it would be the API blaming a dependency for the caller's mistake);
//   2. a refused request (4xx) writes no row, and neither does a GET.
// The routes come from the app itself (test/support/described-api.ts: the OpenAPI document the
// route declarations make, and the pages' posts), so a route added later is fuzzed without a word
// here; the last test fails if the served document lists a route this file did not fuzz.
//
// What is sent (test/support/arbitraries.ts): bodies shaped by the route's own JSON Schema with
// wrong types, missing and extra fields, numbers at every edge, huge text, NUL and lone surrogates,
// nests 100 000 deep, arrays for objects; any JSON, text that is not JSON, wrong Content-Types and
// encodings; path ids that are anyone's real ids, random UUIDs, or junk (`..`, `%00`, malformed
// escapes, 7 000 characters); query strings with repeated, bracketed and unknown keys; junk
// Idempotency-Keys, cookies and headers up to past Node's limit; as every role, the administrator
// token, a disabled person, a revoked token, a session, and with junk credentials.
//
// How "no row written" is judged: every table's fingerprint (row count and newest xmin,
// test/support/table-fingerprint.ts) is taken just before and just after each request. The API
// shares Postgres with a running worker (needed: a step must reach its workflow, or it would answer
// 503), and an accepted request (a generated body may be valid) may make the worker write after
// its answer. So after every accepted write the test waits until the database holds still and no
// webhook delivery is pending, and starts from a quiet database each time. Should a refused request
// still see a change, the test waits for quiet and sends the very same request again: it fails only
// if the change comes back, since a refused request that writes does so each time it is sent.
// Two writes are the design, not a leak: a failed sign-in is counted (sign_in_failures, the
// limit), and a step its process refused (403/409/422) under an Idempotency-Key keeps that answer
// (step_answers, "A retried step is the same step").
//
// Runs: FUZZ_RUNS requests per route (default 40, about 4 300 requests, under 2 minutes on two
// cores); FUZZ_SEED replays a run (it is printed on failure, with the route); FUZZ_ROUTE fuzzes only
// the routes whose key contains it (`FUZZ_ROUTE='POST /api/contracts'`).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IDEMPOTENCY_KEY } from '../../api/keyed-answers';
import {
  bodyFor,
  extraHeaders,
  hostileText,
  pathSegment,
  percentEncode,
  queryFor,
  shaped,
  type IdPool,
  type Schema,
  type SentBody,
} from '../support/arbitraries';
import { describedApi, operationsOf, type Operation, type PageRoute } from '../support/described-api';
import { startWorld, type Answer, type RawRequest, type World } from '../support/fuzz-world';
import { changedTables, fingerprinter, type Fingerprinter } from '../support/table-fingerprint';

const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const RUNS = Number(process.env.FUZZ_RUNS ?? 40);
const ONLY = process.env.FUZZ_ROUTE;

const described = describedApi();
const chosen = <T extends { key: string }>(routes: T[]) => routes.filter((r) => !ONLY || r.key.includes(ONLY));

let world: World;
let prints: Fingerprinter;
let pool: IdPool;

/** Per route: requests sent, and the statuses answered. */
const seen = new Map<string, Map<number, number>>();
let rechecked = 0;

beforeAll(async () => {
  world = await startWorld();
  pool = { ids: world.ids };
  prints = await fingerprinter(world.h.db);
  await quietNow();
}, 300_000);

afterAll(async () => {
  const total = [...seen.values()].reduce((n, m) => n + [...m.values()].reduce((a, b) => a + b, 0), 0);
  const statuses = new Map<number, number>();
  for (const m of seen.values()) for (const [s, n] of m) statuses.set(s, (statuses.get(s) ?? 0) + n);
  console.log(
    `endpoint fuzz: seed ${SEED}, ${seen.size} routes, ${total} requests, ${rechecked} refused requests sent again after a change; answers ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}`,
  );
  await world?.h.close();
});

/** Until the worker has written everything an accepted request set going. */
const quietNow = () =>
  prints.quiet({
    busy: async () =>
      (await world.h.db.query(`SELECT 1 FROM webhook_deliveries WHERE status IN ('pending', 'retrying') LIMIT 1`)).rowCount! > 0,
  });

/** A generated request, printed short: fast-check prints counterexamples, and a body may be 800 kB. */
class Planned {
  constructor(
    readonly route: string,
    readonly request: RawRequest,
    readonly caller: string,
  ) {}
  [fc.toStringMethod](): string {
    return describeRequest(this);
  }
}

const clip = (text: string, max = 1_500) => (text.length > max ? `${text.slice(0, max)}… (${text.length} characters)` : text);
const bodyText = (body: RawRequest['body']) =>
  body === undefined ? '(none)' : typeof body === 'string' ? JSON.stringify(clip(body)) : `${body.length} bytes`;

function describeRequest({ request, caller }: Planned): string {
  const headers = Object.entries(request.headers)
    .filter(([k]) => k !== 'authorization' && k !== 'cookie')
    .map(([k, v]) => `${k}: ${JSON.stringify(clip(v, 200))}`);
  return `${request.method} ${clip(request.path, 400)} as ${caller}; ${headers.join('; ') || 'no other headers'}; body ${bodyText(request.body)}`;
}

const failure = (what: string, planned: Planned, answer: Answer) =>
  new Error(
    `${what}\n  ${describeRequest(planned)}\n  → ${answer.status} ${clip(answer.text, 1_000)}\n  replay: FUZZ_SEED=${SEED} FUZZ_ROUTE='${planned.route}'`,
  );

/** Tables a refused request may write by design (see the header), or none. */
function allowedWrites(planned: Planned, answer: Answer): string[] {
  const { request } = planned;
  if (planned.route === 'POST /sign-in') return ['sign_in_failures'];
  const key = request.headers['idempotency-key'];
  const keyed = (key !== undefined && IDEMPOTENCY_KEY.test(key)) || planned.route === 'POST /act';
  return keyed && [403, 409, 422].includes(answer.status) ? ['step_answers'] : [];
}

const unexpected = (before: Record<string, string>, after: Record<string, string>, allowed: string[]) =>
  Object.fromEntries(Object.entries(changedTables(before, after)).filter(([table]) => !allowed.includes(table)));

/** Sends one request and checks both properties; after an accepted write, waits until the worker is done. */
async function exchange(planned: Planned): Promise<void> {
  const { request } = planned;
  const before = await prints.take();
  const answer = await world.send(request);
  const counts = seen.get(planned.route) ?? new Map<number, number>();
  counts.set(answer.status, (counts.get(answer.status) ?? 0) + 1);
  seen.set(planned.route, counts);
  if (answer.status >= 500 || answer.status < 100) throw failure(`answered ${answer.status}`, planned, answer);
  if (planned.route === 'POST /sign-out' && answer.status === 303) await world.renewSessions();

  const mustNotWrite = answer.status >= 400 || request.method === 'GET';
  if (!mustNotWrite) {
    await quietNow();
    return;
  }
  const changed = unexpected(before, await prints.take(), allowedWrites(planned, answer));
  if (!Object.keys(changed).length) return;
  // Perhaps the worker's, finishing what an earlier request set going: the same request again.
  rechecked++;
  await quietNow();
  const again = await prints.take();
  const second = await world.send(request);
  if (second.status >= 500) throw failure(`answered ${second.status} when sent again`, planned, second);
  const changedAgain = unexpected(again, await prints.take(), allowedWrites(planned, second));
  if ((second.status >= 400 || request.method === 'GET') && Object.keys(changedAgain).length) {
    throw failure(`a refused request wrote, twice: ${JSON.stringify(changedAgain)} (first ${JSON.stringify(changed)})`, planned, second);
  }
  if (second.status < 400 && request.method !== 'GET') await quietNow();
}

async function fuzz(route: string, arbitrary: fc.Arbitrary<Planned>): Promise<void> {
  // One seed per route from the run's, so FUZZ_ROUTE with FUZZ_SEED replays exactly this route.
  const seed = [...route].reduce((h, c) => (Math.imul(h, 31) + c.charCodeAt(0)) | 0, SEED);
  await fc.assert(
    fc.asyncProperty(arbitrary, async (planned) => exchange(planned)),
    { seed, numRuns: RUNS, interruptAfterTimeLimit: 240_000, markInterruptAsFailure: true },
  );
}

const fill = (path: string, segments: string[]) => {
  let i = 0;
  return path.replace(/\{\w+\}|:\w+/g, () => segments[i++] ?? 'x');
};

/**
 * Real ids of the kind a path parameter names, by the word before it: `/contracts/{number}` takes
 * the contract tables' (the registry's numbers), `/webhooks/{id}/deliveries/{deliveryId}` the
 * webhook tables', `/checklist/{item}` the checklist's items.
 */
function idsNear(path: string, param: string): string[] {
  const parts = path.split('/');
  const at = parts.findIndex((p) => p === `{${param}}` || p === `:${param}`);
  const word = (parts[at - 1] ?? '').replace(/s$/, '');
  if (!word) return [];
  return Object.entries(world.idsByTable).flatMap(([table, ids]) => (table.includes(word) ? ids : []));
}

/** Besides the path itself: a trailing slash, a double one, a matrix parameter. */
const pathTail = fc.constantFrom('', '', '', '', '', '', '/', '//', '/.', ';a=b', '%20');

const asBody = (body: SentBody): Pick<RawRequest, 'body'> & { contentType?: string } => ({
  body: body.bytes ?? (body.text === '' && !body.contentType ? undefined : body.text),
  contentType: body.contentType,
});

function apiRequest(op: Operation): fc.Arbitrary<Planned> {
  const callers = world.apiCallers();
  const valid = callers.filter((c) => c.valid);
  const entitled = valid.filter((c) => op.roles.includes('anyone') || c.roles.some((r) => op.roles.includes(r)));
  const sendsBody = op.method !== 'GET' && op.method !== 'DELETE';
  return fc
    .record({
      // Half the time someone the route is for, so its handler is reached and not only its role check.
      caller: fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(...(entitled.length ? entitled : valid)) },
        { weight: 2, arbitrary: fc.constantFrom(...valid) },
        { weight: 1, arbitrary: fc.constantFrom(...callers.filter((c) => !c.valid)) },
      ),
      segments: fc.tuple(...op.pathParameters.map((name) => pathSegment(pool, idsNear(op.path, name)))),
      tail: pathTail,
      query: queryFor(op.query, pool),
      body: sendsBody
        ? bodyFor(op.body, pool)
        : fc.oneof({ weight: 4, arbitrary: fc.constant({ text: '' }) }, { weight: 1, arbitrary: bodyFor(undefined, pool) }),
      headers: extraHeaders,
    })
    .map(({ caller, segments, tail, query, body, headers }) => {
      const { contentType, ...sent } = asBody(body);
      const request: RawRequest = {
        method: op.method,
        path: fill(op.path, segments) + tail + query,
        headers: {
          ...headers,
          ...(caller.authorization !== undefined ? { authorization: caller.authorization } : {}),
          ...(contentType ? { 'content-type': contentType } : {}),
        },
        ...sent,
      };
      return new Planned(op.key, request, caller.label);
    });
}

/** A form's field names, dotted as the pages name them (`terms.amount`, `deviations.0.clause`), with their schemas. */
function formFields(schema: Schema, prefix = ''): [string, Schema][] {
  if (schema.properties) return Object.entries(schema.properties).flatMap(([k, s]) => formFields(s, prefix ? `${prefix}.${k}` : k));
  if (schema.type === 'array' && schema.items?.properties) return formFields(schema.items, `${prefix}.0`);
  return [[prefix, schema]];
}

const PAGE_FIELDS = [
  'email',
  'password',
  'repeat',
  'next',
  'name',
  'roles',
  'disabled',
  'url',
  'events',
  'description',
  'secret',
  'language',
  'digestAt',
  'modes.task',
  'rolesShown',
];

/** What a page form may be sent: its own fields (for /act and /check, the chosen step's), right, wrong or repeated. */
function pageFields(route: PageRoute): fc.Arbitrary<[string, string][]> {
  const value = (schema: Schema) =>
    fc.oneof(
      { weight: 3, arbitrary: shaped(schema, pool).map((v) => (typeof v === 'string' ? v : (JSON.stringify(v) ?? ''))) },
      { weight: 2, arbitrary: hostileText },
    );
  const fieldsOf = (fields: [string, Schema][]) =>
    fc.array(
      fc.constantFrom(...fields).chain(([name, schema]) => value(schema).map((v): [string, string] => [name, v])),
      { maxLength: fields.length + 2 },
    );
  const generic = fieldsOf(PAGE_FIELDS.map((name): [string, Schema] => [name, { type: 'string' }]));
  if (route.path !== '/act' && route.path !== '/check') return generic;
  return fc
    .tuple(
      fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...described.pageSteps) }, { weight: 1, arbitrary: fc.constant(undefined) }),
      fc.array(pathSegment(pool), { minLength: 3, maxLength: 3 }),
      fc.oneof(fc.constantFrom('/tasks', '//evil.example', 'https://evil.example', '/\\evil', ''), hostileText),
      fc.oneof(fc.stringMatching(/^[A-Za-z0-9-]{8,64}$/), hostileText),
      fc.option(fc.constantFrom(...pool.ids)),
    )
    .chain(([step, segments, back, key, questionnaire]) =>
      (step ? fieldsOf(formFields(step.schema)) : generic).map((fields): [string, string][] => [
        ['_step', step?.key ?? 'post /api/nothing'],
        ['_url', step ? fill(step.path, segments) : '/api/contracts'],
        ['_back', back],
        ['_key', key],
        ...(questionnaire ? [['_questionnaire', questionnaire] as [string, string]] : []),
        ...fields,
      ]),
    );
}

function pageRequest(route: PageRoute): fc.Arbitrary<Planned> {
  return fc
    .record({
      caller: fc.constantFrom(...world.pageCallers()),
      csrf: fc.constantFrom('right', 'right', 'right', 'right', 'right', 'right', 'wrong', 'none'),
      segments: fc.tuple(...route.pathParameters.map((name) => pathSegment(pool, idsNear(route.path, name)))),
      fields: pageFields(route),
      encoding: fc.constantFrom('form', 'form', 'form', 'form', 'form', 'json', 'none', 'multipart'),
      headers: extraHeaders,
    })
    .map(({ caller, csrf, segments, fields, encoding, headers }) => {
      const token = csrf === 'right' ? caller.csrf : csrf === 'wrong' ? 'w'.repeat(43) : undefined;
      const all: [string, string][] = token !== undefined ? [['_csrf', token], ...fields] : fields;
      const form = all.map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join('&');
      const body =
        encoding === 'form'
          ? { 'content-type': 'application/x-www-form-urlencoded', text: form }
          : encoding === 'json'
            ? { 'content-type': 'application/json', text: JSON.stringify(Object.fromEntries(all)) }
            : encoding === 'multipart'
              ? { 'content-type': 'multipart/form-data; boundary=x', text: form }
              : undefined;
      const { 'idempotency-key': _key, ...rest } = headers;
      const request: RawRequest = {
        method: 'POST',
        path: fill(route.path, segments),
        headers: {
          ...rest,
          ...(caller.cookie ? { cookie: caller.cookie } : {}),
          ...(body ? { 'content-type': body['content-type'] } : {}),
        },
        ...(body ? { body: body.text } : {}),
      };
      return new Planned(route.key, request, caller.label);
    });
}

describe('every route the API declares, sent whatever fast-check makes', () => {
  for (const op of chosen(described.operations)) {
    it(`${op.key}: never 500, and nothing written when refused`, () => fuzz(op.key, apiRequest(op)), 300_000);
  }
});

describe('every form post of the pages, sent whatever fast-check makes', () => {
  for (const route of chosen(described.pageRoutes)) {
    it(`${route.key}: never 500, and nothing written when refused`, () => fuzz(route.key, pageRequest(route)), 300_000);
  }
});

describe('coverage', () => {
  it('fuzzed every route the served document lists, each past its authentication', async () => {
    const served = await world.h.request('GET', '/api/openapi.json');
    expect(served.status).toBe(200);
    expect(served.body['x-undescribed']).toBeUndefined();
    const servedKeys = operationsOf(served.body).map((o) => o.key);
    expect(servedKeys.sort()).toEqual(described.operations.map((o) => o.key).sort());
    expect(described.pageRoutes.map((r) => r.key)).toEqual(expect.arrayContaining(['POST /act', 'POST /check', 'POST /sign-in']));
    for (const key of chosen([...described.operations, ...described.pageRoutes]).map((r) => r.key)) {
      const counts = seen.get(key);
      expect(counts, `${key} was not fuzzed`).toBeDefined();
      expect(
        [...counts!.values()].reduce((a, b) => a + b, 0),
        key,
      ).toBeGreaterThanOrEqual(RUNS);
      // At least one request got past the door (not only 401s and CSRF refusals).
      expect(
        [...counts!.keys()].some((status) => status !== 401 && status !== 403),
        `${key}: ${JSON.stringify([...counts!])}`,
      ).toBe(true);
    }
  });
});
