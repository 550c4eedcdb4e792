// The HTTP API: a thin layer that checks who is asking and what they send, then reads Postgres
// or hands the step to the contract's workflow.
import express, { type Express, type RequestHandler } from 'express';
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { deliveryConfig, type Config } from '../config/env';
import { DEFAULT_ONBOARDING_SLA } from '../workflows/onboarding/rules';
import { DEFAULT_ACCOUNT_SLA } from '../workflows/account/rules';
import { createAccountService } from './account/service';
import { createAccountsRouter } from './account/routes';
import { PROCESS_APIS } from './process-apis';
import { authenticate } from './auth';
import { answerKeyedRequestsOnce } from './keyed-answers';
import { createApiDocsRouter } from './api-docs';
import { route, type RouteSpec } from './described-routes';
import { openApiDocument } from './openapi';
import { createContractService } from './contract/service';
import { withTemporalDeadline, withTimeout } from './deadline';
import { errorFunnel, notFound, RETRY_AFTER_SECONDS } from './errors';
import { createClientsRouter } from './routes/clients';
import { createContractReadsRouter } from './contract/read-routes';
import { createContractsRouter } from './contract/routes';
import { createDocumentsRouter } from './routes/documents';
import { createOnboardingService } from './onboarding/service';
import { createOnboardingsRouter } from './onboarding/routes';
import { createProcessesRouter } from './routes/processes';
import { createQuestionnairesRouter } from './onboarding/questionnaire-routes';
import { createReadsRouter } from './routes/reads';
import { createRegistryRouter } from './contract/registry-routes';
import { createTasksRouter } from './routes/tasks';
import { createWaitsRouter } from './routes/waits';
import { createStaffRouter } from './routes/staff';
import { createDeliveryRouter } from './delivery/routes';
import { pageSettingsFrom, type PageSettings } from '../pages/settings';
import { createPagesRouter } from '../pages';
import { createLogger, type Logger } from '../config/logger';
import { createApiMetrics, metricsEndpoint } from './observability/metrics';
import { requestLogging } from './observability/request-log';
import { routePatterns } from './observability/route-pattern';

export interface AppDeps {
  db: Pool;
  temporal: Client;
  /**
   * `onboarding` and `account` default to the documented ONBOARDING_* and ACCOUNT_* defaults. The
   * API starts new workflows on `temporal.taskQueue` only; the legacy queues are the worker's.
   */
  config: Pick<Config, 'adminToken' | 'contract'> &
    Partial<Pick<Config, 'onboarding' | 'account' | 'company' | 'delivery' | 'observability'>> & {
      temporal: Omit<Config['temporal'], 'legacyTaskQueues'>;
    };
  /** Sessions, invitations and sign-in limits; from the environment by default. */
  pages?: PageSettings;
  /** Where the API's JSON lines go; by default warnings and errors only, on standard output. */
  logger?: Logger;
}

const HEALTH_ROUTE: RouteSpec = {
  method: 'get',
  path: '/api/health',
  summary: 'Whether Postgres and Temporal answer',
  who: 'anyone',
  public: true,
  answers: { 200: '{postgres: true, temporal: true}; 503 with the booleans when either does not answer within 1.5 s' },
  tag: 'health',
};

/** Each health check is cut after this, so the whole answer comes within 2 s whatever is down. */
export const HEALTH_CHECK_TIMEOUT_MS = 1_500;

// Liveness and readiness, answered apart: an orchestrator restarts a process that is not live, and a
// balancer stops sending to one that is not ready. A dependency that is down makes the API not
// ready, never not live: restarting it would not bring Postgres or Temporal back.
const LIVE_ROUTE: RouteSpec = {
  method: 'get',
  path: '/api/health/live',
  summary: 'Whether this API process serves requests (it asks no dependency)',
  who: 'anyone',
  public: true,
  answers: { 200: '{live: true}' },
  tag: 'health',
};

const READY_ROUTE: RouteSpec = {
  method: 'get',
  path: '/api/health/ready',
  summary: 'Whether this API can answer now: Postgres and Temporal each answer within 1.5 s',
  who: 'anyone',
  public: true,
  answers: { 200: '{ready: true, postgres: true, temporal: true}; 503 with Retry-After and the booleans when either does not answer' },
  tag: 'health',
};

/**
 * Every answer is data for a program, never a page: nothing is sniffed, framed, referred or run,
 * and nothing is kept by a cache (contract PDFs included: they must never sit in a shared cache).
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cache-Control': 'no-store',
});

const securityHeaders: RequestHandler = (_req, res, next) => {
  res.set(SECURITY_HEADERS);
  next();
};

export function createApp({
  db,
  temporal,
  config,
  pages = pageSettingsFrom(process.env),
  logger = createLogger({ level: 'warn', component: 'api' }),
}: AppDeps): Express {
  const pageSettings = pages;
  const app = express();
  app.disable('x-powered-by');
  // Before anything else, so every answer (errors and 404s included) has its request id, its log line and its count.
  const metrics = createApiMetrics();
  const logging = requestLogging(logger, metrics, routePatterns(app));
  app.use(logging.identify);
  // Behind a proxy, its X-Forwarded-For and -Proto count (sign-in limits by address, Secure cookies).
  app.set('trust proxy', pageSettings.trustProxy);
  // No ETag: with no-store there is nothing to revalidate, and a hash of a document is not to be handed out.
  app.set('etag', false);
  // First, so every answer has them: errors, 404s and malformed bodies included.
  app.use(securityHeaders);
  app.use(express.json({ limit: '1mb' }));
  app.use(logging.resume);

  // Health answers without a token so load balancers and compose can use it. Each check is raced
  // against its own deadline, so a server that is down (or a pool with no free connection) gives
  // false in about 1.5 s instead of hanging.
  const dependenciesAnswer = async () => {
    const [postgres, temporalServer] = await Promise.all([
      withTimeout(db.query('SELECT 1'), HEALTH_CHECK_TIMEOUT_MS, 'postgres').then(
        () => true,
        () => false,
      ),
      withTemporalDeadline(temporal, HEALTH_CHECK_TIMEOUT_MS, () => temporal.workflowService.getSystemInfo({})).then(
        () => true,
        () => false,
      ),
    ]);
    return { postgres, temporal: temporalServer, ok: postgres && temporalServer };
  };
  route(app, HEALTH_ROUTE, async (_req, res) => {
    const { postgres, temporal: temporalServer, ok } = await dependenciesAnswer();
    if (!ok) {
      res.set('Retry-After', String(RETRY_AFTER_SECONDS));
      // Counted as the first dependency that did not answer.
      res.locals.unavailableDependency = postgres ? 'temporal' : 'postgres';
    }
    res.status(ok ? 200 : 503).json({ postgres, temporal: temporalServer });
  });
  route(app, LIVE_ROUTE, (_req, res) => {
    res.json({ live: true });
  });
  route(app, READY_ROUTE, async (_req, res) => {
    const { postgres, temporal: temporalServer, ok } = await dependenciesAnswer();
    if (!ok) {
      res.set('Retry-After', String(RETRY_AFTER_SECONDS));
      // Counted as the first dependency that did not answer.
      res.locals.unavailableDependency = postgres ? 'temporal' : 'postgres';
    }
    res.status(ok ? 200 : 503).json({ ready: ok, postgres, temporal: temporalServer });
  });
  // Prometheus's scrape, outside /api: only with METRICS_TOKEN (api/observability/metrics.ts).
  app.get('/metrics', metricsEndpoint(metrics, config.observability?.metricsToken));

  const contracts = createContractService({
    db,
    temporal,
    taskQueue: config.temporal.taskQueue,
    sla: config.contract,
    callTimeoutMs: config.temporal.callTimeoutMs,
  });
  const onboardingSla = config.onboarding ?? DEFAULT_ONBOARDING_SLA;
  const accountSla = config.account ?? DEFAULT_ACCOUNT_SLA;
  const onboardings = createOnboardingService({
    db,
    temporal,
    taskQueue: config.temporal.taskQueue,
    sla: onboardingSla,
    contractSla: config.contract,
    accountSla,
    callTimeoutMs: config.temporal.callTimeoutMs,
  });
  const accounts = createAccountService({
    db,
    temporal,
    taskQueue: config.temporal.taskQueue,
    sla: accountSla,
    callTimeoutMs: config.temporal.callTimeoutMs,
  });
  const api = express.Router();
  api.use(authenticate(db, config.adminToken));
  // POST /api/contracts binds its key to one contract and answers it as it is now (its own table),
  // and POST /api/webhooks its key to one endpoint (whose answer carries its secret); staff
  // answers carry tokens, which are shown once and never kept.
  api.use(
    answerKeyedRequestsOnce(
      db,
      (method, path) => (method === 'POST' && (path === '/contracts' || path === '/webhooks')) || path.startsWith('/staff'),
    ),
  );
  api.use(createStaffRouter({ db, invitationValidForMs: pageSettings.invitationValidForMs, publicUrl: pageSettings.publicUrl }));
  api.use(createClientsRouter({ db }));
  api.use(createContractsRouter({ db, contracts }));
  api.use(createContractReadsRouter({ db }));
  api.use(createDocumentsRouter({ db }));
  api.use(createReadsRouter({ db }));
  api.use(createRegistryRouter({ db }));
  api.use(createTasksRouter({ db }));
  api.use(createQuestionnairesRouter({ db }));
  api.use(createOnboardingsRouter({ db, onboardings }));
  api.use(createAccountsRouter({ db, accounts }));
  api.use(
    createDeliveryRouter({
      db,
      temporal,
      taskQueue: config.temporal.taskQueue,
      callTimeoutMs: config.temporal.callTimeoutMs,
      delivery: config.delivery ?? deliveryConfig(),
    }),
  );
  // Processes whose routes are made from their definitions.
  for (const process of Object.values(PROCESS_APIS)) {
    if (process.router) {
      api.use(process.router({ db, temporal, taskQueue: config.temporal.taskQueue, callTimeoutMs: config.temporal.callTimeoutMs }));
    }
  }
  const overdueAfter = {
    ...Object.fromEntries(Object.entries(PROCESS_APIS).flatMap(([type, p]) => (p.overdueAfterMs ? [[type, p.overdueAfterMs()]] : []))),
    contract: config.contract.stepReminderAfterMs ?? 2 * 86_400_000,
    onboarding: onboardingSla.stepReminderAfterMs,
    // An account's task is overdue past the shortest complaint deadline (its escalations count at once).
    account: Math.min(...Object.values(accountSla.complaintDueMs)),
  };
  api.use(createProcessesRouter({ db, overdueAfter }));
  api.use(createWaitsRouter({ db, overdueAfter }));
  // The API's description, without a token: every route the app serves, from its declaration.
  let document: Record<string, unknown> | undefined;
  app.use(
    '/api',
    createApiDocsRouter(() => (document ??= openApiDocument(app))),
  );
  app.use('/api', api);
  // The pages people work in, taking every step through the routes above.
  app.use(createPagesRouter({ db, app, settings: pageSettings, overdueAfter, company: config.company }));

  app.use((req) => {
    throw notFound(`${req.method} ${req.path}`);
  });
  app.use(errorFunnel);
  return app;
}
