// The whole product for one test file: a fresh database with migrations, a worker on its own task
// queue against the shared dev server, and the API on a free port, with helpers that talk HTTP.
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { Client } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import type { Pool } from 'pg';
import { inject } from 'vitest';
import { createApp } from '../../api/app';
import { pageSettingsFrom, type PageSettings } from '../../pages/settings';
import { connectTemporal } from '../../api/temporal-connection';
import { createApiTemporalClient } from '../../api/observability/temporal-client';
import type { ContractSla } from '../../workflows/contract/rules';
import type { Role } from '../../domain/people';
import type { OnboardingSla } from '../../workflows/onboarding/rules';
import { DEFAULT_ACCOUNT_SLA, type AccountSla } from '../../workflows/account/rules';
import { migrate } from '../../db/migrate';
import { createPool } from '../../db/pool';
import { createProcessWorker, type ProcessWorker } from '../../worker/create-worker';
import { DEFAULT_WORKLOAD_WEIGHTS } from '../../domain/workload';
import { deliveryConfig, type DeliveryChange, type DeliveryConfig } from '../../config/env';
import { testDatabase, testTaskQueue } from './env';
import { COMPANY } from './parties';

// Worker state chatter would bury test output; warnings and errors still show.
Runtime.install({ logger: new DefaultLogger('WARN') });

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

export { COMPANY } from './parties';

/** Long enough that nothing fires during a test unless the test shortens it. */
export const QUIET_CONTRACT_SLA: ContractSla = {
  followUpAfterMs: 3 * 86_400_000,
  reminderAfterMs: 7 * 86_400_000,
  escalationAfterMs: 14 * 86_400_000,
  renewalNoticeMs: 30 * 86_400_000,
  expiryAfterEndDateMs: 86_400_000,
  stepReminderAfterMs: 2 * 86_400_000,
  stepEscalationAfterMs: 5 * 86_400_000,
  historyLimit: 10_000,
};

/** The onboarding's clocks, as quiet as the contract's. */
export const QUIET_ONBOARDING_SLA: OnboardingSla = {
  stepReminderAfterMs: 2 * 86_400_000,
  stepEscalationAfterMs: 5 * 86_400_000,
  checklistDueMs: 7 * 86_400_000,
  checklistEscalationMs: 10 * 86_400_000,
  contractDoneAt: 'active',
  historyLimit: 10_000,
};

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
  raw: Buffer;
}

export interface Person {
  id: string;
  token: string;
  name: string;
}

export interface Harness {
  db: Pool;
  delivery: DeliveryConfig;
  databaseUrl: string;
  taskQueue: string;
  temporal: Client;
  temporalAddress: string;
  url: string;
  request<T = any>(
    method: string,
    path: string,
    opts?: { token?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<ApiResponse<T>>;
  person(name: string, roles: Role[]): Promise<Person>;
  startWorker(): Promise<void>;
  stopWorker(): Promise<void>;
  close(): Promise<void>;
}

export async function startHarness(
  opts: {
    contractSla?: Partial<ContractSla>;
    onboardingSla?: Partial<OnboardingSla>;
    accountSla?: Partial<AccountSla>;
    worker?: boolean;
    callTimeoutMs?: number;
    workloadNorm?: number;
    /** Sign-in limits, session and invitation lifetimes, trusted proxies. */
    pages?: Partial<PageSettings>;
    /** E-mail (off unless `mail` is given) and webhooks, for the worker and the API alike. */
    delivery?: DeliveryChange;
  } = {},
): Promise<Harness> {
  const databaseUrl = await testDatabase();
  await migrate(databaseUrl);
  const db = createPool(databaseUrl);
  const taskQueue = testTaskQueue('processes');
  const address = inject('temporalAddress');
  // The API's own connection (deadline-exact retries), so 503s in tests come when production's would.
  const connection = await connectTemporal(address);
  // Made as api/main.ts makes it: every start and step carries its request id to the worker.
  const temporal = createApiTemporalClient(connection, 'default');
  const workflowBundle = { code: readFileSync(inject('workflowBundlePath'), 'utf8') };
  const delivery = deliveryConfig(opts.delivery);

  const app = createApp({
    db,
    temporal,
    config: {
      adminToken: ADMIN_TOKEN,
      contract: { ...QUIET_CONTRACT_SLA, ...opts.contractSla },
      onboarding: { ...QUIET_ONBOARDING_SLA, ...opts.onboardingSla },
      account: { ...DEFAULT_ACCOUNT_SLA, ...opts.accountSla },
      temporal: { address, namespace: 'default', taskQueue, callTimeoutMs: opts.callTimeoutMs ?? 10_000 },
      company: COMPANY,
      delivery,
    },
    pages: { ...pageSettingsFrom({}), ...opts.pages },
  });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as { port: number };
  const url = `http://127.0.0.1:${port}`;

  let worker: { native: NativeConnection; worker: ProcessWorker; running: Promise<void> } | undefined;

  const harness: Harness = {
    db,
    delivery,
    databaseUrl,
    taskQueue,
    temporal,
    temporalAddress: address,
    url,
    async request(method, path, { token, body, headers } = {}) {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const raw = Buffer.from(await res.arrayBuffer());
      const isJson = res.headers.get('content-type')?.includes('application/json');
      return { status: res.status, headers: res.headers, raw, body: isJson ? JSON.parse(raw.toString('utf8')) : raw.toString('utf8') };
    },
    async person(name, roles) {
      const email = `staff.${Math.random().toString(36).slice(2, 10)}@example.test`;
      const res = await harness.request('POST', '/api/staff', { token: ADMIN_TOKEN, body: { name, email, roles } });
      if (res.status !== 201) throw new Error(`cannot create ${name}: ${res.status} ${JSON.stringify(res.body)}`);
      return { ...res.body, name };
    },
    async startWorker() {
      if (worker) return;
      const native = await NativeConnection.connect({ address });
      const workload = opts.workloadNorm === undefined ? undefined : { norm: opts.workloadNorm, weights: DEFAULT_WORKLOAD_WEIGHTS };
      const w = await createProcessWorker({
        connection: native,
        namespace: 'default',
        taskQueue,
        db,
        company: COMPANY,
        workflowBundle,
        workload,
        delivery,
      });
      worker = { native, worker: w, running: w.run() };
    },
    async stopWorker() {
      if (!worker) return;
      const { native, worker: w, running } = worker;
      worker = undefined;
      w.shutdown();
      await running;
      await native.close();
    },
    async close() {
      await harness.stopWorker();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await connection.close();
      await db.end();
    },
  };
  if (opts.worker !== false) await harness.startWorker();
  return harness;
}

/** Polls until `probe` returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 30_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
