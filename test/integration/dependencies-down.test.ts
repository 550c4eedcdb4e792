// Postgres and Temporal killed under a running API: every answer is a fast 503 with Retry-After (or
// a 202 for a step already accepted), health says which one is down within 2 s, and everything
// answers again once they are back. This file runs its own Postgres and its own Temporal dev server
// (the shared ones must not be killed) and kills them with SIGKILL.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Client, type Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { NamespaceNotFoundError, ServiceError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import { ZodError } from 'zod';
import { createApp, SECURITY_HEADERS } from '../../api/app';
import { DependencyTimeoutError } from '../../api/deadline';
import { asUnavailable, HttpError, unavailableDependency } from '../../api/errors';
import { connectTemporal } from '../../api/temporal-connection';
import { migrate } from '../../db/migrate';
import { createPool } from '../../db/pool';
import { createDatabase, startEmbeddedPostgres, type EmbeddedServer } from '../../scripts/embedded-postgres';
import { ensureTemporalCli, freePort, startTemporalDevServer, type DevServer } from '../../scripts/temporal-cli';
import { createProcessWorker, type ProcessWorker } from '../../worker/create-worker';
import { clientBody, contractBody } from '../support/fixtures';
import { ADMIN_TOKEN, COMPANY, QUIET_CONTRACT_SLA, type ApiResponse, type Person } from '../support/harness';

const CALL_TIMEOUT_MS = 2_000;
const COMPLAINT = { summary: 'Нет связи с диспетчером', category: 'staff', severity: 'medium', reportedBy: 'Логист клиента' };
const TASK_QUEUE = 'processes-deps-down';

let scratch: string;
let cli: string;
let pgPort: number;
let temporalPort: number;
let postgres: EmbeddedServer;
let temporalServer: DevServer;
let db: Pool;
let connection: Connection;
let temporal: Client;
let server: Server;
let url: string;
let worker: { native: NativeConnection; worker: ProcessWorker; running: Promise<void> } | undefined;

// Persistent (fsync and synchronous commit on), as npm start runs it: a SIGKILL loses nothing committed.
const startPostgres = () => startEmbeddedPostgres({ dataDir: path.join(scratch, 'postgres'), port: pgPort, persistent: true });
const startTemporal = () =>
  startTemporalDevServer({
    cli,
    port: temporalPort,
    headless: true,
    dbFile: path.join(scratch, 'temporal.sqlite'),
    logFile: path.join(scratch, 'temporal.log'),
  });

async function request<T = any>(
  method: string,
  p: string,
  opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<ApiResponse<T> & { ms: number }> {
  const started = performance.now();
  const res = await fetch(`${url}${p}`, {
    method,
    headers: {
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...opts.headers,
    },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    signal: AbortSignal.timeout(60_000),
  });
  const raw = Buffer.from(await res.arrayBuffer());
  const ms = Math.round(performance.now() - started);
  const isJson = res.headers.get('content-type')?.includes('application/json');
  return { status: res.status, headers: res.headers, raw, body: isJson ? JSON.parse(raw.toString('utf8')) : raw.toString('utf8'), ms };
}

async function person(name: string, roles: string[]): Promise<Person> {
  const email = `deps.${Math.random().toString(36).slice(2, 10)}@example.test`;
  const res = await request('POST', '/api/staff', { token: ADMIN_TOKEN, body: { name, email, roles } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { ...res.body, name };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const figures: string[] = [];
const note = (line: string) => figures.push(line);

beforeAll(async () => {
  scratch = mkdtempSync(path.join(os.tmpdir(), 'deps-down-'));
  cli = await ensureTemporalCli();
  [pgPort, temporalPort] = [await freePort(), await freePort()];
  [postgres, temporalServer] = await Promise.all([startPostgres(), startTemporal()]);
  const databaseUrl = await createDatabase(postgres.url, 'deps_down');
  await migrate(databaseUrl);
  db = createPool(databaseUrl);
  // As the API's entry point connects (api/main.ts), so recovery is measured as it is in production.
  connection = await connectTemporal(temporalServer.address);
  temporal = new Client({ connection, namespace: 'default' });
  const app = createApp({
    db,
    temporal,
    config: {
      adminToken: ADMIN_TOKEN,
      contract: QUIET_CONTRACT_SLA,
      temporal: { address: temporalServer.address, namespace: 'default', taskQueue: TASK_QUEUE, callTimeoutMs: CALL_TIMEOUT_MS },
    },
  });
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const native = await NativeConnection.connect({ address: temporalServer.address });
  const w = await createProcessWorker({
    connection: native,
    namespace: 'default',
    taskQueue: TASK_QUEUE,
    db,
    company: COMPANY,
    workflowBundle: { code: readFileSync(inject('workflowBundlePath'), 'utf8') },
  });
  worker = { native, worker: w, running: w.run() };
});

afterAll(async () => {
  if (worker) {
    worker.worker.shutdown();
    await worker.running.catch(() => undefined);
    await worker.native.close().catch(() => undefined);
  }
  if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  await connection?.close().catch(() => undefined);
  await db?.end().catch(() => undefined);
  await postgres?.stop();
  await temporalServer?.stop();
  rmSync(scratch, { recursive: true, force: true });
  if (figures.length) console.log(`dependencies-down figures:\n  ${figures.join('\n  ')}`);
});

describe('the error funnel', () => {
  const pgError = (code: string) => Object.assign(new Error(`pg ${code}`), { code, severity: 'FATAL' });
  // The shape of @grpc/grpc-js's ServiceError (a transitive dependency, not imported here).
  const grpcStatus = { UNKNOWN: 2, INVALID_ARGUMENT: 3, DEADLINE_EXCEEDED: 4, NOT_FOUND: 5, INTERNAL: 13, UNAVAILABLE: 14 } as const;
  const grpcError = (code: number) => Object.assign(new Error(`grpc ${code}`), { code, details: 'details', metadata: {} });

  it('knows a dependency that is down from any other failure', () => {
    const postgres = [
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
      new Error('Connection terminated unexpectedly'),
      new Error('timeout exceeded when trying to connect'),
      new Error('Connection terminated due to connection timeout', { cause: new Error('Connection terminated') }),
      new Error('Query read timeout'),
      pgError('08006'),
      pgError('08001'),
      pgError('57P01'),
      pgError('57P02'),
      pgError('57P03'),
      pgError('53300'),
      pgError('57014'),
      new DependencyTimeoutError('postgres', 'postgres did not answer within 3000 ms'),
      new AggregateError([Object.assign(new Error('connect ECONNREFUSED ::1:5432'), { code: 'ECONNREFUSED' })], 'connect failed'),
    ];
    for (const err of postgres) expect(unavailableDependency(err), String(err)).toBe('postgres');

    const temporal = [
      grpcError(grpcStatus.UNAVAILABLE),
      grpcError(grpcStatus.DEADLINE_EXCEEDED),
      new ServiceError('Failed to start Workflow', { cause: grpcError(grpcStatus.UNAVAILABLE) }),
      // A Temporal server that lost its database and has not read its namespaces again (test/faults/cluster).
      new NamespaceNotFoundError('default'),
      // The Temporal server's masked answers to a failure inside it.
      new ServiceError('Failed to start Workflow', { cause: grpcError(grpcStatus.INTERNAL) }),
      grpcError(grpcStatus.UNKNOWN),
      new ServiceError('Failed to connect to Temporal server', { cause: grpcError(grpcStatus.UNAVAILABLE) }),
      new WorkflowUpdateRPCTimeoutOrCancelledError('Workflow update call timeout or cancelled', {
        cause: grpcError(grpcStatus.DEADLINE_EXCEEDED),
      }),
      new DependencyTimeoutError('temporal', 'temporal did not answer within 1500 ms'),
    ];
    for (const err of temporal) expect(unavailableDependency(err), String(err)).toBe('temporal');

    const neither = [
      new Error('boom'),
      pgError('23505'),
      pgError('22P05'),
      grpcError(grpcStatus.INVALID_ARGUMENT),
      new ServiceError('Failed to query Workflow', { cause: grpcError(grpcStatus.NOT_FOUND) }),
      new ZodError([]),
      new HttpError(409, 'step_out_of_order', 'no'),
    ];
    for (const err of neither) expect(unavailableDependency(err), String(err)).toBeUndefined();
  });

  it('answers 503 with Retry-After for them, and keeps an HttpError as it is', () => {
    const unavailable = asUnavailable(pgError('57P01'))!;
    expect(unavailable.status).toBe(503);
    expect(unavailable.code).toBe('unavailable');
    expect(Number(unavailable.headers?.['Retry-After'])).toBeGreaterThan(0);
    const ours = new HttpError(503, 'unavailable', 'mine', undefined, { 'Retry-After': '9' });
    expect(asUnavailable(ours)).toBe(ours);
    expect(asUnavailable(new HttpError(409, 'step_out_of_order', 'no'))).toBeUndefined();
  });
});

describe('security headers', () => {
  it('are on every answer: health, errors, 404s, JSON and documents', async () => {
    const answers = [
      await request('GET', '/api/health'),
      await request('GET', '/api/registry'),
      await request('GET', '/api/registry', { token: ADMIN_TOKEN }),
      await request('GET', '/api/nowhere', { token: ADMIN_TOKEN }),
      await request('POST', '/api/staff', { token: ADMIN_TOKEN, body: { name: '' } }),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 401, 200, 404, 400]);
    for (const answer of answers) {
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(answer.headers.get(name), name).toBe(value);
      expect(answer.headers.get('x-powered-by')).toBeNull();
    }
    expect(answers[0]!.headers.get('cache-control')).toBe('no-store');
    expect(answers[0]!.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(answers[0]!.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  });
});

describe('dependencies down', () => {
  let manager: Person;
  let director: Person;
  let ops: Person;
  let clientId: string;
  let number: string;
  let endpointId: string;

  it('a signed contract is there to read (its PDF never cached)', async () => {
    [manager, director, ops] = [
      await person('Мария Менеджерова', ['manager']),
      await person('Иванов Иван Иванович', ['director']),
      await person('Олег', ['ops']),
    ];
    const client = await request('POST', '/api/clients', { token: ops.token, body: clientBody() });
    expect(client.status, JSON.stringify(client.body)).toBe(201);
    clientId = client.body.id;
    // Another system hears the signature, so there is a delivery to ask again for below.
    const endpoint = await request('POST', '/api/webhooks', {
      token: ADMIN_TOKEN,
      body: { url: 'https://crm.example.com/hooks', events: ['contract.signed'] },
    });
    expect(endpoint.status, JSON.stringify(endpoint.body)).toBe(201);
    endpointId = endpoint.body.id;
    const created = await request('POST', '/api/contracts', { token: ops.token, body: contractBody(clientId, manager.id) });
    expect([201, 202], JSON.stringify(created.body)).toContain(created.status);
    number =
      created.status === 201
        ? created.body.number
        : await until('the contract number', async () => {
            const list = await request('GET', '/api/registry', { token: ops.token });
            return (list.body.items ?? list.body)[0]?.number;
          });
    const signed = await request('POST', `/api/contracts/${number}/signature`, { token: director.token, body: {} });
    expect([200, 202], JSON.stringify(signed.body)).toContain(signed.status);
    const document = await until('the signed PDF', async () => {
      const res = await request('GET', `/api/contracts/${number}/document`, { token: manager.token });
      return res.status === 200 ? res : undefined;
    });
    expect(document.headers.get('content-type')).toContain('application/pdf');
    expect(document.headers.get('cache-control')).toBe('no-store');
    expect(document.headers.get('x-content-type-options')).toBe('nosniff');
    expect(document.headers.get('etag')).toBeNull();
    await until('the contract to be ready to send', async () => {
      const res = await request('GET', `/api/contracts/${number}`, { token: manager.token });
      return res.body.status === 'ready_to_send' ? true : undefined;
    });
  });

  it('Postgres killed: health says so within 2 s; auth, reads and writes answer 503 with Retry-After within 3 s', async () => {
    // The whole server (postmaster and its backends), as a crashed host or container loses it.
    process.kill(-postgres.pid, 'SIGKILL');
    await postgres.exited;

    const health = await request('GET', '/api/health');
    note(`Postgres down: health ${health.status} in ${health.ms} ms`);
    expect(health.status).toBe(503);
    expect(health.body).toEqual({ postgres: false, temporal: true });
    expect(health.ms).toBeLessThan(2_000);

    const calls: [string, string, { token?: string; body?: unknown }][] = [
      ['GET', '/api/me', { token: manager.token }],
      ['GET', '/api/registry', { token: manager.token }],
      ['POST', '/api/staff', { token: ADMIN_TOKEN, body: { name: 'Новый', email: 'new.person@example.test', roles: ['ops'] } }],
      ['GET', `/api/contracts/${number}`, { token: manager.token }],
      ['GET', `/api/contracts/${number}/document`, { token: manager.token }],
      ['POST', `/api/contracts/${number}/dispatch`, { token: manager.token, body: { channel: 'courier' } }],
      ['POST', '/api/contracts', { token: ops.token, body: contractBody(clientId, manager.id) }],
      ['POST', '/api/webhooks', { token: ADMIN_TOKEN, body: { url: 'https://erp.example.com/hooks', events: ['client.lost'] } }],
      ['GET', '/api/webhooks', { token: ADMIN_TOKEN }],
      ['PATCH', '/api/me/notification-settings', { token: manager.token, body: { language: 'en' } }],
    ];
    for (const [method, p, opts] of calls) {
      // Twice: the first meets connections the pool still held, the second a pool that must connect.
      for (const attempt of [1, 2]) {
        const res = await request(method, p, opts);
        note(`Postgres down: ${method} ${p} (${attempt}) ${res.status} in ${res.ms} ms`);
        expect(res.status, `${method} ${p}: ${JSON.stringify(res.body)}`).toBe(503);
        expect(res.body.error.code).toBe('unavailable');
        expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(res.headers.get('cache-control')).toBe('no-store');
        expect(res.ms, `${method} ${p}`).toBeLessThan(3_000);
      }
    }
  });

  it('Postgres back on the same data and port: everything answers again', async () => {
    postgres = await startPostgres();
    const health = await until('health 200', async () => {
      const res = await request('GET', '/api/health');
      return res.status === 200 ? res : undefined;
    });
    expect(health.body).toEqual({ postgres: true, temporal: true });
    expect((await request('GET', '/api/me', { token: manager.token })).status).toBe(200);
    expect((await request('GET', '/api/registry', { token: manager.token })).status).toBe(200);
    expect(
      (
        await request('POST', '/api/staff', {
          token: ADMIN_TOKEN,
          body: { name: 'После', email: 'after.restart@example.test', roles: ['ops'] },
        })
      ).status,
    ).toBe(201);
    expect((await request('GET', `/api/contracts/${number}`, { token: manager.token })).body.status).toBe('ready_to_send');
  });

  it('Temporal killed: health says so within 2 s; steps answer 503 with Retry-After (or 202) within their deadline; reads still answer', async () => {
    process.kill(temporalServer.pid, 'SIGKILL');
    await temporalServer.exited;

    for (const attempt of [1, 2]) {
      const health = await request('GET', '/api/health');
      note(`Temporal down: health (${attempt}) ${health.status} in ${health.ms} ms`);
      expect(health.status).toBe(503);
      expect(health.body).toEqual({ postgres: true, temporal: false });
      expect(health.ms).toBeLessThan(2_000);
    }

    const created = await request('POST', '/api/contracts', { token: ops.token, body: contractBody(clientId, manager.id) });
    note(`Temporal down: POST /api/contracts ${created.status} in ${created.ms} ms`);
    expect(created.status, JSON.stringify(created.body)).toBe(503);
    expect(created.body.error.code).toBe('unavailable');
    expect(Number(created.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(created.ms).toBeLessThan(CALL_TIMEOUT_MS + 1_000);

    const step = await request('POST', `/api/contracts/${number}/dispatch`, { token: manager.token, body: { channel: 'courier' } });
    note(`Temporal down: POST /api/contracts/:number/dispatch ${step.status} in ${step.ms} ms`);
    expect([503, 202], JSON.stringify(step.body)).toContain(step.status);
    expect(Number(step.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(step.ms).toBeLessThan(CALL_TIMEOUT_MS + 1_000);

    // A first complaint would start the client's relationship: nothing is started or written.
    const complaint = await request('POST', `/api/clients/${clientId}/complaints`, {
      token: ops.token,
      body: COMPLAINT,
      headers: { 'Idempotency-Key': 'complaint-while-temporal-is-down' },
    });
    note(`Temporal down: POST /api/clients/:id/complaints ${complaint.status} in ${complaint.ms} ms`);
    expect([503, 202], JSON.stringify(complaint.body)).toContain(complaint.status);
    expect(complaint.ms).toBeLessThan(CALL_TIMEOUT_MS + 1_000);

    // A redelivery is opened and started in one transaction: without Temporal, nothing changes.
    const [delivery] = (
      await db.query(`UPDATE webhook_deliveries SET status = 'failed' WHERE endpoint_id = $1 RETURNING id, redeliveries`, [endpointId])
    ).rows;
    const redelivery = await request('POST', `/api/webhooks/${endpointId}/deliveries/${delivery.id}/redeliver`, { token: ADMIN_TOKEN });
    note(`Temporal down: POST /api/webhooks/:id/deliveries/:id/redeliver ${redelivery.status} in ${redelivery.ms} ms`);
    expect(redelivery.status, JSON.stringify(redelivery.body)).toBe(503);
    expect(redelivery.ms).toBeLessThan(CALL_TIMEOUT_MS + 1_000);
    const after = (await db.query('SELECT status, redeliveries, redelivered_at FROM webhook_deliveries WHERE id = $1', [delivery.id]))
      .rows[0];
    expect(after).toEqual({ status: 'failed', redeliveries: delivery.redeliveries, redelivered_at: null });

    // What is read from Postgres does not need Temporal.
    expect((await request('GET', '/api/registry', { token: manager.token })).status).toBe(200);
    expect((await request('GET', `/api/contracts/${number}`, { token: manager.token })).status).toBe(200);
  });

  it('Temporal back on the same port and state: health 200 and steps go through', async () => {
    temporalServer = await startTemporal();
    const started = Date.now();
    await until('health 200', async () => ((await request('GET', '/api/health')).status === 200 ? true : undefined));
    note(`Temporal back: health 200 ${Date.now() - started} ms after the server was up`);
    // The worker reconnects on its own schedule; until it polls again a step may still time out (503,
    // "retry with the same Idempotency-Key"), which is what a client does here.
    const step = await until('the dispatch to be answered', async () => {
      const res = await request('POST', `/api/contracts/${number}/dispatch`, {
        token: manager.token,
        body: { channel: 'courier' },
        headers: { 'Idempotency-Key': 'dispatch-after-temporal-is-back' },
      });
      return res.status === 503 ? undefined : res;
    });
    // The dispatch tried while Temporal was down may have been accepted then; now it is done, accepted, or out of order.
    expect([200, 202, 409], JSON.stringify(step.body)).toContain(step.status);
    await until('the contract to be sent', async () => {
      const res = await request('GET', `/api/contracts/${number}`, { token: manager.token });
      return res.body.status === 'sent' ? true : undefined;
    });
    // The complaint retried with its key is recorded once, in one relationship.
    const complaint = await until('the complaint to be recorded', async () => {
      const res = await request('POST', `/api/clients/${clientId}/complaints`, {
        token: ops.token,
        body: COMPLAINT,
        headers: { 'Idempotency-Key': 'complaint-while-temporal-is-down' },
      });
      return res.status === 201 ? res : undefined;
    });
    expect(complaint.body.stage).toBe('healthy');
    expect((await db.query('SELECT count(*)::int AS n FROM complaints WHERE client_id = $1', [clientId])).rows[0].n).toBe(1);
    expect(
      (await db.query(`SELECT count(*)::int AS n FROM timeline_events WHERE client_id = $1 AND step = 'opened'`, [clientId])).rows[0].n,
    ).toBe(1);
  });
});

// Contracts in flight when a dependency dies, driven the way a careful client drives them: a 503 is
// retried with the same Idempotency-Key, a 202 is followed on the contract. When the dependency is
// back, every contract has finished, and every step was taken exactly once.
describe('dependencies killed under load', () => {
  const CONTRACTS = 6;
  let manager: Person;
  let director: Person;
  let ops: Person;
  let clientId: string;

  beforeAll(async () => {
    await until('health 200', async () => ((await request('GET', '/api/health')).status === 200 ? true : undefined));
    [manager, director, ops] = [
      await person('Менеджер Нагрузка', ['manager']),
      await person('Директор Нагрузка', ['director']),
      await person('Опер Нагрузка', ['ops']),
    ];
    const client = await request('POST', '/api/clients', { token: ops.token, body: clientBody() });
    clientId = client.body.id;
  });

  /** A step as a careful client takes it; answers the contract's status once it is done. */
  async function careful(token: string, method: string, p: string, body: unknown, key: string, expected?: string): Promise<any> {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const res = await request(method, p, { token, body, headers: { 'Idempotency-Key': key } }).catch(() => undefined);
      if (res && (res.status === 200 || res.status === 201)) return res.body;
      if (res && res.status === 202 && expected) {
        const number = res.body.number as string;
        const done = await until(
          `${number} to be ${expected}`,
          async () => {
            const now = await request('GET', `/api/contracts/${number}`, { token });
            return now.status === 200 && now.body.status === expected ? now.body : undefined;
          },
          120_000,
        );
        return done;
      }
      if (res && ![202, 503].includes(res.status)) throw new Error(`${method} ${p}: ${res.status} ${JSON.stringify(res.body)}`);
      if (Date.now() > deadline) throw new Error(`${method} ${p}: still unanswered`);
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  }

  async function flows(outage: () => Promise<void>): Promise<string[]> {
    const run = Array.from({ length: CONTRACTS }, async (_, i) => {
      const key = `${Math.random().toString(36).slice(2)}-${i}`;
      const created = await careful(ops.token, 'POST', '/api/contracts', contractBody(clientId, manager.id), `create-${key}`);
      const number = created.number as string;
      await careful(director.token, 'POST', `/api/contracts/${number}/signature`, {}, `sign-${key}`, 'ready_to_send');
      await careful(manager.token, 'POST', `/api/contracts/${number}/dispatch`, { channel: 'courier' }, `dispatch-${key}`, 'sent');
      return number;
    });
    await outage();
    return Promise.all(run);
  }

  async function expectExactlyOnce(numbers: string[]): Promise<void> {
    expect(new Set(numbers).size).toBe(CONTRACTS);
    for (const number of numbers) {
      const steps = await db.query<{ step: string }>('SELECT step FROM timeline_events WHERE contract_number = $1 ORDER BY at, id', [
        number,
      ]);
      expect(
        steps.rows.map((r) => r.step),
        number,
      ).toEqual(['registration', 'signature', 'dispatch']);
      const documents = await db.query('SELECT 1 FROM documents WHERE contract_number = $1', [number]);
      expect(documents.rowCount, number).toBe(1);
      const tasks = await db.query<{ kind: string; n: number }>(
        'SELECT kind, count(*)::int AS n FROM tasks WHERE contract_number = $1 GROUP BY 1',
        [number],
      );
      expect(
        tasks.rows.every((t) => t.n === 1),
        number,
      ).toBe(true);
    }
  }

  it('Postgres killed for a few seconds: every contract is signed and sent once when it is back', async () => {
    const numbers = await flows(async () => {
      await new Promise((resolve) => setTimeout(resolve, 700));
      // The whole server (postmaster and its backends), as a crashed host or container loses it.
      process.kill(-postgres.pid, 'SIGKILL');
      await postgres.exited;
      await new Promise((resolve) => setTimeout(resolve, 4_000));
      postgres = await startPostgres();
    });
    await expectExactlyOnce(numbers);
  });

  it('Temporal killed for a few seconds: every contract is signed and sent once when it is back', async () => {
    const numbers = await flows(async () => {
      await new Promise((resolve) => setTimeout(resolve, 700));
      process.kill(temporalServer.pid, 'SIGKILL');
      await temporalServer.exited;
      await new Promise((resolve) => setTimeout(resolve, 4_000));
      temporalServer = await startTemporal();
    });
    await expectExactlyOnce(numbers);
  });
});
