// Traces, with a collector configured: a request's start goes from the API's Temporal client (the
// SDK's OpenTelemetry interceptor) through the production worker (a child process, which bundles
// the OpenTelemetry workflow interceptors in) to its activities, all in one trace, sent over
// OTLP/HTTP to a collector that is a plain HTTP server here, reading what it is sent.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createApp } from '../../api/app';
import { createApiTemporalClient } from '../../api/observability/temporal-client';
import { connectTemporal } from '../../api/temporal-connection';
import { createLogger } from '../../config/logger';
import { startTracing, type Tracing } from '../../config/tracing';
import { pageSettingsFrom } from '../../pages/settings';
import { clientBody, contractBody } from '../support/fixtures';
import { ADMIN_TOKEN, COMPANY, eventually, QUIET_CONTRACT_SLA, startHarness, type Harness } from '../support/harness';
import { spawnWorker, workerEnvOf, type WorkerProcess } from '../support/worker-process';

interface Span {
  service: string;
  name: string;
  traceId: string;
}

/** What the collector was sent: every span with the service that sent it. */
const spans: Span[] = [];

async function body(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) text += chunk;
  return text;
}

let collector: Server;
let collectorUrl: string;
let h: Harness;
let api: Server;
let apiUrl: string;
let tracing: Tracing | undefined;
let worker: WorkerProcess;

beforeAll(async () => {
  collector = createServer((req, res) => {
    void body(req).then((text) => {
      if (req.url === '/v1/traces') {
        const sent = JSON.parse(text) as {
          resourceSpans: {
            resource: { attributes: { key: string; value: { stringValue?: string } }[] };
            scopeSpans: { spans: { name: string; traceId: string }[] }[];
          }[];
        };
        for (const { resource, scopeSpans } of sent.resourceSpans) {
          const service = resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue ?? '';
          for (const scope of scopeSpans) for (const span of scope.spans) spans.push({ service, name: span.name, traceId: span.traceId });
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  collectorUrl = `http://127.0.0.1:${(collector.address() as { port: number }).port}`;

  h = await startHarness({ worker: false });
  // As api/main.ts does: tracing first, then the client that takes its interceptor.
  tracing = await startTracing({ endpoint: collectorUrl, serviceName: 'api-under-test' }, 'contract-engine-api');
  const app = createApp({
    db: h.db,
    temporal: createApiTemporalClient(await connectTemporal(h.temporalAddress), 'default'),
    config: {
      adminToken: ADMIN_TOKEN,
      contract: QUIET_CONTRACT_SLA,
      temporal: { address: h.temporalAddress, namespace: 'default', taskQueue: h.taskQueue, callTimeoutMs: 10_000 },
      company: COMPANY,
      delivery: h.delivery,
    },
    pages: pageSettingsFrom({}),
    logger: createLogger({ level: 'silent', component: 'api' }),
  });
  api = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  apiUrl = `http://127.0.0.1:${(api.address() as { port: number }).port}`;
  worker = await spawnWorker(workerEnvOf(h, { OTEL_EXPORTER_OTLP_ENDPOINT: collectorUrl, LOG_LEVEL: 'info' }));
});

afterAll(async () => {
  await worker?.kill('SIGTERM');
  await tracing?.shutdown();
  api?.closeAllConnections();
  await new Promise<void>((resolve) => (api ? api.close(() => resolve()) : resolve()));
  await h?.close();
  await new Promise<void>((resolve) => (collector ? collector.close(() => resolve()) : resolve()));
});

it("one trace runs from the API's start of a contract through its workflow to its activities", async () => {
  const manager = await h.person('Мария Менеджерова', ['manager']);
  const client = await h.request('POST', '/api/clients', { token: manager.token, body: clientBody() });
  const res = await fetch(`${apiUrl}/api/contracts`, {
    method: 'POST',
    headers: { authorization: `Bearer ${manager.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(contractBody(client.body.id, manager.id)),
  });
  expect(res.status).toBe(201);

  const start = await eventually(
    async () => spans.find((s) => s.service === 'api-under-test' && s.name === 'StartWorkflow:contractWorkflow'),
    20_000,
    "the API's StartWorkflow span",
  );
  const inTrace = await eventually(
    async () => {
      const found = spans.filter((s) => s.traceId === start.traceId && s.service === 'contract-engine-worker');
      return found.some((s) => s.name.startsWith('RunActivity:')) ? found : undefined;
    },
    30_000,
    "the worker's workflow and activity spans in the API's trace",
  ).catch((err: Error) => {
    throw new Error(`${err.message}; spans: ${JSON.stringify(spans)}; worker: ${worker.output().slice(-3000)}`);
  });
  // The workflow's own span is sent when its run ends (a contract's runs for months); the spans of
  // the activities it scheduled (from inside the workflow) and ran (in the worker) are sent at once.
  const names = inTrace.map((s) => s.name);
  expect(names).toContain('StartActivity:registerContract');
  expect(names).toContain('RunActivity:registerContract');
  // A step is its own trace, from the API's update to the workflow's handling of it.
  const update = spans.find((s) => s.service === 'api-under-test' && s.name === 'StartWorkflowUpdate:registration');
  expect(update).toBeDefined();
  await eventually(
    async () => spans.find((s) => s.traceId === update!.traceId && s.name === 'HandleUpdate:registration'),
    10_000,
    "the workflow's span of the update",
  );
});
