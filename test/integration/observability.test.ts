// What an operator watches, with the real parts: an API as production makes it (its Temporal client
// with the request-id interceptor, JSON lines captured), the production worker as a child process
// (dist/worker/main.js, its standard output read line by line, its Temporal metrics served), and
// APIs pointed at a Temporal and a Postgres that are not there. A caller's X-Request-Id must be on
// the API's line and on the worker's workflow and activity lines of the step it caused; no
// credential may appear in any line; /metrics counts answers by route and 503s by dependency;
// readiness fails while liveness holds.
import { createServer, type Server } from 'node:net';
import type { Server as HttpServer } from 'node:http';
import { Writable } from 'node:stream';
import { Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app';
import { createApiTemporalClient } from '../../api/observability/temporal-client';
import { connectTemporal, temporalConnectionOptions } from '../../api/temporal-connection';
import { createLogger } from '../../config/logger';
import { createPool } from '../../db/pool';
import { pageSettingsFrom } from '../../pages/settings';
import { DEFAULT_ACCOUNT_SLA } from '../../workflows/account/rules';
import { clientBody, contractBody } from '../support/fixtures';
import { ADMIN_TOKEN, COMPANY, eventually, QUIET_CONTRACT_SLA, QUIET_ONBOARDING_SLA, startHarness, type Harness } from '../support/harness';
import { spawnWorker, workerEnvOf, type WorkerProcess } from '../support/worker-process';

const METRICS_TOKEN = 'metrics-token-0123456789-abcdef';
const SMTP_PASSWORD = 'smtp-pa55word-never-logged';

type Line = Record<string, any>;

/** A pino destination that keeps every line, parsed. */
function captured(): { stream: Writable; lines: Line[] } {
  const lines: Line[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const text of chunk.toString('utf8').split('\n')) if (text.trim()) lines.push(JSON.parse(text));
      done();
    },
  });
  return { stream, lines };
}

/** The JSON lines of a child's output (anything else it printed is skipped). */
const jsonLines = (output: string): Line[] =>
  output
    .split('\n')
    .filter((text) => text.startsWith('{'))
    .flatMap((text) => {
      try {
        return [JSON.parse(text) as Line];
      } catch {
        return [];
      }
    });

async function freePort(): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface Api {
  url: string;
  lines: Line[];
  call(
    method: string,
    path: string,
    opts?: { token?: string; body?: unknown; headers?: Record<string, string>; signal?: AbortSignal },
  ): Promise<Response>;
  close(): Promise<void>;
}

/** An API as api/main.ts makes it, on the harness's database unless told otherwise. */
async function startObservedApi(
  h: Harness,
  opts: { temporal?: Connection; db?: ReturnType<typeof createPool>; callTimeoutMs?: number } = {},
): Promise<Api> {
  const { stream, lines } = captured();
  const connection = opts.temporal ?? (await connectTemporal(h.temporalAddress));
  const db = opts.db ?? h.db;
  const app = createApp({
    db,
    temporal: createApiTemporalClient(connection, 'default'),
    config: {
      adminToken: ADMIN_TOKEN,
      contract: QUIET_CONTRACT_SLA,
      onboarding: QUIET_ONBOARDING_SLA,
      account: DEFAULT_ACCOUNT_SLA,
      temporal: { address: h.temporalAddress, namespace: 'default', taskQueue: h.taskQueue, callTimeoutMs: opts.callTimeoutMs ?? 10_000 },
      company: COMPANY,
      delivery: h.delivery,
      observability: { metricsToken: METRICS_TOKEN },
    },
    pages: pageSettingsFrom({}),
    logger: createLogger({ level: 'debug', component: 'api', destination: stream }),
  });
  const server = await new Promise<HttpServer>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    url,
    lines,
    call: (method, path, { token, body, headers, signal } = {}) =>
      fetch(`${url}${path}`, {
        method,
        signal,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (!opts.temporal) await connection.close();
      else await opts.temporal.close().catch(() => undefined);
      if (opts.db) await opts.db.end().catch(() => undefined);
    },
  };
}

const metricValue = (text: string, name: string, labels: Record<string, string>): number | undefined => {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && wanted.every((w) => l.includes(w)));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
};

let h: Harness;
let api: Api;
let worker: WorkerProcess;
let workerMetricsPort: number;
const staffTokens: string[] = [];

beforeAll(async () => {
  h = await startHarness({ worker: false });
  api = await startObservedApi(h);
  workerMetricsPort = await freePort();
  worker = await spawnWorker(
    workerEnvOf(h, {
      LOG_LEVEL: 'debug',
      WORKER_METRICS_ADDRESS: `127.0.0.1:${workerMetricsPort}`,
      // A mail server with a password, unreachable: its URL must never reach a log line.
      SMTP_URL: `smtp://mailer:${SMTP_PASSWORD}@127.0.0.1:9`,
      MAIL_FROM: 'Service <noreply@example.test>',
      ADMIN_TOKEN,
      METRICS_TOKEN,
    }),
  );
});

afterAll(async () => {
  await worker?.kill('SIGTERM');
  await api?.close();
  await h?.close();
});

describe('a request id from the caller to the worker', () => {
  let contract: { number: string; workflowId: string };
  const createId = `obs-create-${Date.now()}`;
  const signId = `obs-sign-${Date.now()}`;

  it('is echoed, logged by the API, and carried into the workflow and activity lines of the step it caused', async () => {
    const person = async (name: string, roles: string[]) => {
      const res = await api.call('POST', '/api/staff', {
        token: ADMIN_TOKEN,
        body: { name, email: `obs.${Math.random().toString(36).slice(2)}@example.test`, roles },
      });
      expect(res.status).toBe(201);
      const body = (await res.json()) as { id: string; token: string };
      staffTokens.push(body.token);
      return body;
    };
    const manager = await person('Мария Менеджерова', ['manager']);
    const director = await person('Иванов Иван Иванович', ['director']);
    const client = await api.call('POST', '/api/clients', { token: manager.token, body: clientBody() });
    expect(client.status).toBe(201);
    const { id: clientId } = (await client.json()) as { id: string };

    const created = await api.call('POST', '/api/contracts', {
      token: manager.token,
      body: contractBody(clientId, manager.id),
      headers: { 'X-Request-Id': createId, 'Idempotency-Key': `obs-key-${createId}` },
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('x-request-id')).toBe(createId);
    contract = (await created.json()) as { number: string; workflowId: string };

    const signed = await api.call('POST', `/api/contracts/${encodeURIComponent(contract.number)}/signature`, {
      token: director.token,
      body: {},
      headers: { 'X-Request-Id': signId },
    });
    expect(signed.status).toBe(200);
    expect(signed.headers.get('x-request-id')).toBe(signId);

    // The API's one line per request, with the id, the route pattern and the status.
    const apiLine = api.lines.find((l) => l.requestId === signId && l.route === '/api/contracts/:number/signature');
    expect(apiLine).toMatchObject({ component: 'api', method: 'POST', status: 200, level: 'info', staffId: director.id });
    expect(api.lines.find((l) => l.requestId === createId && l.route === '/api/contracts')).toMatchObject({ status: 201 });

    // The worker's lines: the workflow started by the create request, and the signature's activities.
    const workerLines = () => jsonLines(worker.output()).filter((l) => l.workflowId === contract.workflowId);
    const signActivities = await eventually(
      async () => {
        const found = workerLines().filter((l) => l.requestId === signId && l.activityType && l.msg !== 'Activity started');
        return found.length ? found : undefined;
      },
      30_000,
      "the signature's activity lines",
    );
    expect(signActivities.map((l) => l.msg)).toContain('Activity completed');
    expect(signActivities.every((l) => l.component === 'worker' && l.level === 'debug')).toBe(true);
    // An activity's task token completes it from anywhere: a credential like any other.
    expect(signActivities.every((l) => l.taskToken === undefined || l.taskToken === '[redacted]')).toBe(true);
    const started = workerLines().find((l) => l.msg === 'Workflow started');
    expect(started).toMatchObject({ requestId: createId, workflowType: 'contractWorkflow' });
    expect(workerLines().some((l) => l.requestId === createId && l.activityType)).toBe(true);
    // What the steps started in turn (their delivery of mails, here to a mail server that is not
    // there) carries their request id too.
    const deliveries = await eventually(
      async () => {
        const found = jsonLines(worker.output()).filter(
          (l) => String(l.workflowId).startsWith(`deliver:${contract.workflowId}:`) && l.activityType === 'sendStepMails',
        );
        return found.length ? found : undefined;
      },
      20_000,
      "the steps' deliveries",
    );
    // ("Activity started" is written before any interceptor sees the activity's header.)
    const carried = deliveries.filter((l) => l.msg !== 'Activity started');
    expect(carried.length).toBeGreaterThan(0);
    expect(carried.every((l) => l.requestId === createId || l.requestId === signId)).toBe(true);
  });

  it('is made when the caller sends none, or one not sane to log', async () => {
    // (Control characters and non-Latin-1 text cannot even be sent: HTTP clients refuse them.)
    for (const sent of [undefined, '', 'a'.repeat(129), 'two words', 'tab\there', 'caf\u00e9']) {
      const res = await api.call('GET', '/api/health/live', { headers: sent === undefined ? {} : { 'X-Request-Id': sent } });
      const id = res.headers.get('x-request-id');
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect(id).not.toBe(sent);
    }
    const kept = await api.call('GET', '/api/health/live', { headers: { 'X-Request-Id': 'a'.repeat(128) } });
    expect(kept.headers.get('x-request-id')).toBe('a'.repeat(128));
  });
});

describe('/metrics', () => {
  it('is refused without the metrics token and counts answers by route pattern and status', async () => {
    expect((await api.call('GET', '/metrics')).status).toBe(401);
    expect((await api.call('GET', '/metrics', { token: ADMIN_TOKEN })).status).toBe(401);
    expect((await api.call('GET', '/api/contracts/NO-SUCH-1', { token: ADMIN_TOKEN })).status).toBe(404);
    expect((await api.call('GET', '/api/contracts/NO-SUCH-2', { token: ADMIN_TOKEN })).status).toBe(404);
    expect((await api.call('GET', '/api/me', { token: ADMIN_TOKEN })).status).toBe(200);
    expect((await api.call('GET', '/api/nothing-here', { token: ADMIN_TOKEN })).status).toBe(404);

    const res = await api.call('GET', '/metrics', { token: METRICS_TOKEN });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(metricValue(text, 'api_http_requests_total', { method: 'GET', route: '/api/contracts/:number', status: '404' })).toBe(2);
    expect(metricValue(text, 'api_http_requests_total', { method: 'GET', route: '/api/me', status: '200' })).toBe(1);
    expect(metricValue(text, 'api_http_requests_total', { method: 'POST', route: '/api/contracts', status: '201' })).toBe(1);
    expect(metricValue(text, 'api_http_requests_total', { route: 'unmatched', status: '404' })).toBeGreaterThanOrEqual(1);
    expect(metricValue(text, 'api_http_request_duration_seconds_count', { method: 'GET', route: '/api/me' })).toBe(1);
    expect(metricValue(text, 'api_unavailable_answers_total', { dependency: 'temporal' })).toBe(0);
    expect(text).toContain('process_resident_memory_bytes');
    // Raw paths are never labels.
    expect(text).not.toContain('NO-SUCH');
  });

  it('is not there at all without a configured token', async () => {
    const { stream } = captured();
    const app = createApp({
      db: h.db,
      temporal: h.temporal,
      config: {
        adminToken: ADMIN_TOKEN,
        contract: QUIET_CONTRACT_SLA,
        temporal: { address: h.temporalAddress, namespace: 'default', taskQueue: h.taskQueue, callTimeoutMs: 10_000 },
      },
      pages: pageSettingsFrom({}),
      logger: createLogger({ level: 'info', component: 'api', destination: stream }),
    });
    const server = await new Promise<HttpServer>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const res = await fetch(`http://127.0.0.1:${(server.address() as { port: number }).port}/metrics`);
    expect(res.status).toBe(404);
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});

describe('a dependency that does not answer', () => {
  it('Temporal unreachable: readiness 503 with Retry-After, liveness 200, a step 503 counted as temporal', async () => {
    const closed = await freePort();
    const down = await startObservedApi(h, {
      temporal: Connection.lazy(temporalConnectionOptions(`127.0.0.1:${closed}`)),
      callTimeoutMs: 1_000,
    });
    try {
      const live = await down.call('GET', '/api/health/live');
      expect(live.status).toBe(200);
      expect(await live.json()).toEqual({ live: true });

      const t0 = Date.now();
      const ready = await down.call('GET', '/api/health/ready');
      expect(Date.now() - t0).toBeLessThan(2_500);
      expect(ready.status).toBe(503);
      expect(ready.headers.get('retry-after')).toBe('5');
      expect(await ready.json()).toEqual({ ready: false, postgres: true, temporal: false });
      // The old health answer is as it was.
      const health = await down.call('GET', '/api/health');
      expect(health.status).toBe(503);
      expect(await health.json()).toEqual({ postgres: true, temporal: false });

      const manager = await h.person('Мария Менеджерова', ['manager']);
      staffTokens.push(manager.token);
      const client = await h.request('POST', '/api/clients', { token: manager.token, body: clientBody() });
      const started = await down.call('POST', '/api/contracts', {
        token: manager.token,
        body: contractBody(client.body.id, manager.id),
        headers: { 'X-Request-Id': 'obs-temporal-down' },
      });
      expect(started.status).toBe(503);
      expect(started.headers.get('retry-after')).toBe('5');

      const text = await (await down.call('GET', '/metrics', { token: METRICS_TOKEN })).text();
      expect(metricValue(text, 'api_unavailable_answers_total', { dependency: 'temporal' })).toBe(3);
      expect(metricValue(text, 'api_unavailable_answers_total', { dependency: 'postgres' })).toBe(0);
      expect(metricValue(text, 'api_http_requests_total', { method: 'POST', route: '/api/contracts', status: '503' })).toBe(1);
      expect(down.lines.find((l) => l.requestId === 'obs-temporal-down' && l.route === '/api/contracts')).toMatchObject({
        status: 503,
        dependency: 'temporal',
        level: 'warn',
      });

      // A caller that gives up first (a balancer's timeout) is still seen: counted and logged as 499.
      await expect(
        down.call('POST', '/api/contracts', {
          token: manager.token,
          body: contractBody(client.body.id, manager.id),
          headers: { 'X-Request-Id': 'obs-gave-up' },
          signal: AbortSignal.timeout(300),
        }),
      ).rejects.toThrow();
      const later = await eventually(
        async () => {
          const scraped = await (await down.call('GET', '/metrics', { token: METRICS_TOKEN })).text();
          return metricValue(scraped, 'api_http_requests_total', { method: 'POST', route: '/api/contracts', status: '499' }) === 1
            ? scraped
            : undefined;
        },
        5_000,
        'the 499',
      );
      expect(later).toBeDefined();
      expect(down.lines.find((l) => l.requestId === 'obs-gave-up')).toMatchObject({ status: 499, route: '/api/contracts' });
      // Its handler is still waiting on Temporal, up to the call's deadline: the connection is closed after it.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
    } finally {
      await down.close();
    }
  });

  it('Postgres unreachable: a read 503 counted as postgres, readiness 503, liveness 200', async () => {
    const closed = await freePort();
    const down = await startObservedApi(h, { db: createPool(`postgres://engine:pg-secret-pass@127.0.0.1:${closed}/nowhere`) });
    try {
      expect((await down.call('GET', '/api/health/live')).status).toBe(200);
      const ready = await down.call('GET', '/api/health/ready');
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ ready: false, postgres: false });
      const read = await down.call('GET', '/api/clients', { token: ADMIN_TOKEN, headers: { 'X-Request-Id': 'obs-pg-down' } });
      expect(read.status).toBe(503);
      const text = await (await down.call('GET', '/metrics', { token: METRICS_TOKEN })).text();
      expect(metricValue(text, 'api_unavailable_answers_total', { dependency: 'postgres' })).toBe(2);
      expect(down.lines.find((l) => l.requestId === 'obs-pg-down' && l.route)).toMatchObject({
        route: '/api/clients',
        status: 503,
        dependency: 'postgres',
      });
      // The error funnel's own line about the outage carries the request id too.
      expect(down.lines.find((l) => l.requestId === 'obs-pg-down' && !l.route)).toMatchObject({ level: 'warn', dependency: 'postgres' });
      expect(JSON.stringify(down.lines)).not.toContain('pg-secret-pass');
    } finally {
      await down.close();
    }
  });
});

describe("the worker's metrics", () => {
  it("answer with the SDK's temporal_ metrics after work", async () => {
    const text = await eventually(
      async () => {
        const res = await fetch(`http://127.0.0.1:${workerMetricsPort}/metrics`).catch(() => undefined);
        const body = res?.ok ? await res.text() : '';
        return body.includes('temporal_activity_execution_latency') ? body : undefined;
      },
      20_000,
      "the worker's metrics",
    );
    expect(text).toMatch(/^temporal_workflow_task_\w+/m);
    expect(text).toMatch(/^temporal_sticky_cache_\w+/m);
    expect(text).toContain(`task_queue="${h.taskQueue}"`);
  });
});

describe('no credential in any line', () => {
  it('the API lines and the worker output carry no token, password or mail-server URL', () => {
    const everything = JSON.stringify(api.lines) + worker.output();
    expect(staffTokens.length).toBeGreaterThan(0);
    for (const secret of [ADMIN_TOKEN, METRICS_TOKEN, SMTP_PASSWORD, ...staffTokens]) expect(everything).not.toContain(secret);
    // The worker did log: the check is not vacuous.
    expect(jsonLines(worker.output()).length).toBeGreaterThan(10);
  });
});
