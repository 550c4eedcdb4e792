// Configuration comes only from environment variables, parsed once at start by a schema.
// A bad variable stops the process with a message naming it; values are never logged.
import { z } from 'zod';
import { isValidInn } from '../domain/inn';
import type { ContractSla } from '../workflows/contract/rules';
import type { Requisites } from '../domain/client';
import { ACCOUNT_BOUNDS, type AccountSla } from '../workflows/account/rules';
import type { OnboardingSla } from '../workflows/onboarding/rules';
import { parseDuration } from './duration';
import { DEFAULT_WORKLOAD_WEIGHTS, type WorkloadNorm } from '../domain/workload';

const duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      const ms = parseDuration(text);
      if (ms === undefined || ms <= 0) {
        ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration such as 90s, 36h or 3d` });
        return z.NEVER;
      }
      return ms;
    });

const text = (fallback: string) => z.string().trim().min(1).default(fallback);

/** A whole number within bounds, or nothing when unset or empty. */
const count = (min: number, max: number) =>
  z.preprocess((value) => (value === '' ? undefined : value), z.coerce.number().int().min(min).max(max).optional());

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' }),
  TEMPORAL_ADDRESS: text('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: text('default'),
  // Every process's workflows and activities: one queue for all of them.
  TEMPORAL_TASK_QUEUE: text('processes'),
  // Queues of an earlier name the worker still polls, for workflows started there before a rename
  // (comma-separated; empty for none). `contracts` was the task queue until every process shared it.
  TEMPORAL_LEGACY_TASK_QUEUES: z.string().default('contracts'),
  // How long the API waits for Temporal before answering 503 (or 202 for a step already accepted).
  TEMPORAL_CALL_TIMEOUT: duration('10s'),
  ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  // What an operator watches: the API's /metrics (answered only with this token), the worker's
  // Temporal metrics for Prometheus (host:port; off when unset), traces to an OTLP/HTTP collector (off when unset).
  METRICS_TOKEN: z
    .string()
    .optional()
    .refine((token) => !token || token.length >= 16, 'must be at least 16 characters'),
  WORKER_METRICS_ADDRESS: z
    .string()
    .trim()
    .optional()
    .refine(
      (address) => !address || /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/.test(address),
      'must be host:port, such as 0.0.0.0:9464',
    ),
  OTEL_EXPORTER_OTLP_ENDPOINT: z
    .string()
    .trim()
    .optional()
    .refine((url) => !url || /^https?:\/\/[^\s]+$/.test(url), 'must be an http:// or https:// URL'),
  OTEL_SERVICE_NAME: z.string().trim().optional(),

  // The contract's clocks (Config.contract). The SLA_ names are kept from when the contract was the
  // only process: operators have them set.
  SLA_FOLLOW_UP_AFTER: duration('3d'),
  SLA_REMINDER_AFTER: duration('7d'),
  SLA_ESCALATION_AFTER: duration('14d'),
  SLA_RENEWAL_NOTICE: duration('30d'),
  // Every other wait (legal approval, signature, dispatch, client record): reminder, then kam_head.
  SLA_STEP_REMINDER_AFTER: duration('2d'),
  SLA_STEP_ESCALATION_AFTER: duration('5d'),
  // The load a manager may carry (domain/workload.ts): a key client weighs 30, a regular one 10.
  WORKLOAD_NORM: z.coerce.number().positive().max(1_000_000).default(100),
  // A contract continues as new past this many history events (Temporal's hard limit is 51,200).
  CONTRACT_HISTORY_LIMIT: z.coerce.number().int().min(200).max(40_000).default(10_000),
  CONTRACT_EXPIRY_AFTER_END_DATE: duration('1d'),

  // Onboarding: every wait (intake, qualification, assignment, contracting) reminds, then escalates
  // to kam_head; each implementation checklist item is due, then escalated.
  ONBOARDING_STEP_REMINDER_AFTER: duration('2d'),
  ONBOARDING_STEP_ESCALATION_AFTER: duration('5d'),
  ONBOARDING_CHECKLIST_DUE: duration('7d'),
  ONBOARDING_CHECKLIST_ESCALATION: duration('10d'),
  // The child contract's status at which onboarding moves on to implementation.
  ONBOARDING_CONTRACT_DONE_AT: z.enum(['active', 'scan_received']).default('active'),

  // The account relationship (churn stages): a complaint's resolution deadline by severity (reminded
  // half-way, escalated past it); how many complaints within the window make a client dissatisfied;
  // reminders of commitments; review intervals by segment; each stage's deadline for its actions;
  // the watch period after a recovery.
  ACCOUNT_COMPLAINT_DUE_LOW: duration('7d'),
  ACCOUNT_COMPLAINT_DUE_MEDIUM: duration('3d'),
  ACCOUNT_COMPLAINT_DUE_HIGH: duration('1d'),
  ACCOUNT_COMPLAINTS_TO_DISSATISFIED: z.coerce.number().int().min(1).max(1000).default(3),
  ACCOUNT_COMPLAINT_WINDOW: duration('90d'),
  ACCOUNT_COMMITMENT_REMINDER_BEFORE: duration('2d'),
  ACCOUNT_REVIEW_EVERY_KEY: duration('30d'),
  ACCOUNT_REVIEW_EVERY_GOLD: duration('60d'),
  ACCOUNT_REVIEW_EVERY_REGULAR: duration('90d'),
  ACCOUNT_REVIEW_EVERY_LOW: duration('180d'),
  ACCOUNT_LOW_SATISFACTION: z.coerce.number().int().min(1).max(10).default(5),
  ACCOUNT_DISSATISFIED_DEADLINE: duration('14d'),
  ACCOUNT_ADVERSARIAL_DEADLINE: duration('14d'),
  ACCOUNT_ULTIMATUM_DEADLINE: duration('7d'),
  ACCOUNT_ARBITRATION_DEADLINE: duration('10d'),
  ACCOUNT_WATCH_PERIOD: duration('60d'),
  // How many complaints, and how many commitments, one client may have open at once (a step past it
  // is a 422): what bounds the relationship's workflow state (domain/account.ts, ACCOUNT_BOUNDS).
  ACCOUNT_MAX_OPEN_COMPLAINTS: z.coerce.number().int().min(1).max(ACCOUNT_BOUNDS.capLimit).default(ACCOUNT_BOUNDS.maxOpenComplaints),
  ACCOUNT_MAX_OPEN_COMMITMENTS: z.coerce.number().int().min(1).max(ACCOUNT_BOUNDS.capLimit).default(ACCOUNT_BOUNDS.maxOpenCommitments),

  // Notifications beyond the app: e-mail over SMTP (off without SMTP_URL) and signed webhooks.
  SMTP_URL: z
    .string()
    .trim()
    .optional()
    .refine((url) => url === undefined || url === '' || /^smtps?:\/\/[^\s/]+/.test(url), 'must be an smtp:// or smtps:// URL'),
  MAIL_FROM: z
    .string()
    .trim()
    .optional()
    .refine(
      (from) => from === undefined || from === '' || mailDomainOf(from) !== undefined,
      'must be an address, such as "Service <noreply@example.com>"',
    ),
  PUBLIC_URL: z
    .string()
    .trim()
    .optional()
    .refine((url) => url === undefined || url === '' || /^https?:\/\/[^\s]+$/.test(url), 'must be an http:// or https:// URL'),
  MAIL_RETRY_FOR: duration('1d'),
  WEBHOOK_ALLOW_PRIVATE: z.enum(['true', 'false']).default('false'),
  WEBHOOK_TIMEOUT: duration('10s'),
  WEBHOOK_RETRY_FOR: duration('1d'),
  WEBHOOK_ANSWER_LIMIT: z.coerce.number().int().min(1024).max(10_485_760).default(65_536),
  DELIVERY_ROUND_EVERY: duration('5m'),
  DELIVERY_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(20),
  TIME_ZONE: text('Europe/Moscow').refine(isTimeZone, 'is not a time zone such as Europe/Moscow'),

  // Worker tuning (Config.worker): unset (or empty, as docker-compose passes it) means the SDK's
  // own default. What each costs is in the README ("Production and scale").
  // The cache is bounded by default: the SDK's own default grows with the heap (2,310 on a 4 GB one),
  // and at about 1.7 MB a cached workflow a worker holding thousands of open processes filled its
  // heap and died (bench:storm, ~1,650 relationships). A workflow not cached is replayed, never lost.
  WORKER_MAX_CACHED_WORKFLOWS: count(0, 1_000_000).default(500),
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: count(2, 10_000),
  WORKER_MAX_CONCURRENT_ACTIVITIES: count(1, 10_000),
  WORKER_WORKFLOW_POLLERS: count(2, 1_000),
  WORKER_ACTIVITY_POLLERS: count(1, 1_000),
  WORKER_STICKY_QUEUE_TIMEOUT: duration('10s'),

  // Our side of the standard form. The defaults are a demo company so a fresh install prints real-looking contracts.
  COMPANY_LEGAL_NAME: text('ООО «Логистик Групп»'),
  COMPANY_INN: text('7704123450').refine(isValidInn, 'is not a valid INN (check digits)'),
  COMPANY_KPP: text('770401001'),
  COMPANY_ADDRESS: text('119021, г. Москва, ул. Тимура Фрунзе, д. 11, стр. 2'),
  COMPANY_BANK_NAME: text('ПАО Сбербанк'),
  COMPANY_BIK: text('044525225'),
  COMPANY_ACCOUNT: text('40702810938000012345'),
  COMPANY_CORRESPONDENT_ACCOUNT: text('30101810400000000225'),
  COMPANY_DIRECTOR_NAME: text('Иванов Иван Иванович'),
  COMPANY_CITY: text('Москва'),
});

/** How notifications reach people (e-mail) and other systems (webhooks). */
export interface DeliveryConfig {
  /** E-mail, when SMTP_URL is set: the server, the sender and the domain of every Message-ID. */
  mail?: { url: string; from: string; domain: string };
  /** Where the pages are, for the links in every mail. */
  publicUrl: string;
  /** How long a mail is retried before it is marked failed. */
  mailRetryForMs: number;
  webhooks: {
    /** Endpoints on loopback and private addresses, and over http, are allowed (receivers inside the network, tests). */
    allowPrivate: boolean;
    /** One call's deadline, its answer read included. */
    timeoutMs: number;
    /** How long a delivery is retried, with backoff, before it is marked failed. */
    retryForMs: number;
    /** Of an answer, this much is read (and its start kept in the log). */
    answerLimitBytes: number;
  };
  /** How often the delivery round runs (digests due, deliveries whose start was lost). */
  roundEveryMs: number;
  /** Delivery activities at once (their own task queue), so a slow mail server or endpoint cannot take the steps' slots. */
  concurrency: number;
  /** The time zone digest times are in. */
  timeZone: string;
}

/** What an operator watches besides the logs. */
export interface ObservabilityConfig {
  /** The API's GET /metrics answers only `Authorization: Bearer <this>`; without it, /metrics is 404. */
  metricsToken?: string;
  /** Where the worker serves the Temporal SDK's own metrics for Prometheus (host:port); none when unset. */
  workerMetricsAddress?: string;
  /** OpenTelemetry traces of every start, step and activity, sent over OTLP/HTTP; none when unset. */
  tracing?: { endpoint: string; serviceName?: string };
}

/**
 * How much one worker process takes on at once. The process task queues' Workers get these; the
 * delivery queue keeps its own activity slots (DELIVERY_CONCURRENCY).
 */
export interface WorkerTuning {
  /** Workflows kept in memory between their tasks (sticky); a cache miss replays the history. */
  maxCachedWorkflows?: number;
  maxConcurrentWorkflowTaskExecutions?: number;
  maxConcurrentActivityTaskExecutions?: number;
  maxConcurrentWorkflowTaskPolls?: number;
  maxConcurrentActivityTaskPolls?: number;
  /** How long a cached workflow's next task waits for this worker before any worker takes it. */
  stickyQueueScheduleToStartTimeoutMs: number;
}

export interface Config {
  port: number;
  databaseUrl: string;
  temporal: {
    address: string;
    namespace: string;
    /** Where every process's new workflows are started and the worker polls. */
    taskQueue: string;
    /** Earlier task queues the worker also polls, for workflows started there (none equal to taskQueue). */
    legacyTaskQueues: readonly string[];
    callTimeoutMs: number;
  };
  adminToken?: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** Metrics and traces (METRICS_TOKEN, WORKER_METRICS_ADDRESS, OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_SERVICE_NAME). */
  observability: ObservabilityConfig;
  /** The contract's clocks (the SLA_* variables, CONTRACT_EXPIRY_AFTER_END_DATE, CONTRACT_HISTORY_LIMIT). */
  contract: ContractSla;
  onboarding: OnboardingSla;
  account: AccountSla;
  workload: WorkloadNorm;
  company: Requisites & { directorName: string; city: string };
  delivery: DeliveryConfig;
  worker: WorkerTuning;
}

/** The domain of a sender such as `Service <noreply@example.com>` or `noreply@example.com`. */
export function mailDomainOf(from: string): string | undefined {
  const address = /<([^<>\s]+)>\s*$/.exec(from)?.[1] ?? from;
  return /^[^\s@<>"]+@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*)$/.exec(address)?.[1];
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export type DeliveryChange = Partial<Omit<DeliveryConfig, 'webhooks'>> & { webhooks?: Partial<DeliveryConfig['webhooks']> };

/** The delivery settings with every default, for entry points and tests that configure only part of it. */
export function deliveryConfig(change: DeliveryChange = {}): DeliveryConfig {
  return Object.freeze({
    publicUrl: 'http://localhost:3000',
    mailRetryForMs: 86_400_000,
    roundEveryMs: 300_000,
    concurrency: 20,
    timeZone: 'Europe/Moscow',
    ...change,
    webhooks: { allowPrivate: false, timeoutMs: 10_000, retryForMs: 86_400_000, answerLimitBytes: 65_536, ...change.webhooks },
  });
}

export class ConfigError extends Error {}

/** The legacy list as names: trimmed, empty entries and repeats dropped, and never the queue itself. */
function legacyTaskQueues(list: string, taskQueue: string): readonly string[] {
  const names = list
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '' && name !== taskQueue);
  return Object.freeze([...new Set(names)]);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, opts: { requireAdminToken?: boolean } = {}): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (opts.requireAdminToken && !e.ADMIN_TOKEN) {
    throw new ConfigError('Invalid configuration:\n  ADMIN_TOKEN: required (at least 16 characters)');
  }
  if (!(e.SLA_STEP_REMINDER_AFTER < e.SLA_STEP_ESCALATION_AFTER)) {
    throw new ConfigError('Invalid configuration:\n  SLA_STEP_REMINDER_AFTER < SLA_STEP_ESCALATION_AFTER must hold');
  }
  if (!(e.ONBOARDING_STEP_REMINDER_AFTER < e.ONBOARDING_STEP_ESCALATION_AFTER)) {
    throw new ConfigError('Invalid configuration:\n  ONBOARDING_STEP_REMINDER_AFTER < ONBOARDING_STEP_ESCALATION_AFTER must hold');
  }
  if (!(e.ONBOARDING_CHECKLIST_DUE < e.ONBOARDING_CHECKLIST_ESCALATION)) {
    throw new ConfigError('Invalid configuration:\n  ONBOARDING_CHECKLIST_DUE < ONBOARDING_CHECKLIST_ESCALATION must hold');
  }
  if (!(e.SLA_FOLLOW_UP_AFTER < e.SLA_REMINDER_AFTER && e.SLA_REMINDER_AFTER < e.SLA_ESCALATION_AFTER)) {
    throw new ConfigError('Invalid configuration:\n  SLA_FOLLOW_UP_AFTER < SLA_REMINDER_AFTER < SLA_ESCALATION_AFTER must hold');
  }
  if (
    e.WORKER_WORKFLOW_POLLERS !== undefined &&
    e.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS !== undefined &&
    e.WORKER_WORKFLOW_POLLERS > e.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS
  ) {
    throw new ConfigError('Invalid configuration:\n  WORKER_WORKFLOW_POLLERS <= WORKER_MAX_CONCURRENT_WORKFLOW_TASKS must hold');
  }
  const smtpUrl = e.SMTP_URL || undefined;
  const mailFrom = e.MAIL_FROM || undefined;
  if (smtpUrl && !mailFrom) {
    throw new ConfigError(
      'Invalid configuration:\n  MAIL_FROM: required with SMTP_URL (the sender of every mail, such as "Service <noreply@example.com>")',
    );
  }
  return Object.freeze({
    port: e.PORT,
    databaseUrl: e.DATABASE_URL,
    temporal: {
      address: e.TEMPORAL_ADDRESS,
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      legacyTaskQueues: legacyTaskQueues(e.TEMPORAL_LEGACY_TASK_QUEUES, e.TEMPORAL_TASK_QUEUE),
      callTimeoutMs: e.TEMPORAL_CALL_TIMEOUT,
    },
    adminToken: e.ADMIN_TOKEN,
    workload: { norm: e.WORKLOAD_NORM, weights: DEFAULT_WORKLOAD_WEIGHTS },
    logLevel: e.LOG_LEVEL,
    observability: {
      metricsToken: e.METRICS_TOKEN || undefined,
      workerMetricsAddress: e.WORKER_METRICS_ADDRESS || undefined,
      tracing: e.OTEL_EXPORTER_OTLP_ENDPOINT
        ? { endpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: e.OTEL_SERVICE_NAME || undefined }
        : undefined,
    },
    contract: {
      followUpAfterMs: e.SLA_FOLLOW_UP_AFTER,
      reminderAfterMs: e.SLA_REMINDER_AFTER,
      escalationAfterMs: e.SLA_ESCALATION_AFTER,
      renewalNoticeMs: e.SLA_RENEWAL_NOTICE,
      expiryAfterEndDateMs: e.CONTRACT_EXPIRY_AFTER_END_DATE,
      stepReminderAfterMs: e.SLA_STEP_REMINDER_AFTER,
      stepEscalationAfterMs: e.SLA_STEP_ESCALATION_AFTER,
      historyLimit: e.CONTRACT_HISTORY_LIMIT,
    },
    onboarding: {
      stepReminderAfterMs: e.ONBOARDING_STEP_REMINDER_AFTER,
      stepEscalationAfterMs: e.ONBOARDING_STEP_ESCALATION_AFTER,
      checklistDueMs: e.ONBOARDING_CHECKLIST_DUE,
      checklistEscalationMs: e.ONBOARDING_CHECKLIST_ESCALATION,
      contractDoneAt: e.ONBOARDING_CONTRACT_DONE_AT,
      historyLimit: e.CONTRACT_HISTORY_LIMIT,
    },
    account: {
      complaintDueMs: { low: e.ACCOUNT_COMPLAINT_DUE_LOW, medium: e.ACCOUNT_COMPLAINT_DUE_MEDIUM, high: e.ACCOUNT_COMPLAINT_DUE_HIGH },
      complaintsToDissatisfied: e.ACCOUNT_COMPLAINTS_TO_DISSATISFIED,
      complaintWindowMs: e.ACCOUNT_COMPLAINT_WINDOW,
      commitmentReminderBeforeMs: e.ACCOUNT_COMMITMENT_REMINDER_BEFORE,
      reviewEveryMs: {
        key: e.ACCOUNT_REVIEW_EVERY_KEY,
        gold: e.ACCOUNT_REVIEW_EVERY_GOLD,
        regular: e.ACCOUNT_REVIEW_EVERY_REGULAR,
        low: e.ACCOUNT_REVIEW_EVERY_LOW,
      },
      lowSatisfaction: e.ACCOUNT_LOW_SATISFACTION,
      stageDeadlineMs: {
        dissatisfied: e.ACCOUNT_DISSATISFIED_DEADLINE,
        adversarial: e.ACCOUNT_ADVERSARIAL_DEADLINE,
        ultimatum: e.ACCOUNT_ULTIMATUM_DEADLINE,
        arbitration: e.ACCOUNT_ARBITRATION_DEADLINE,
      },
      watchPeriodMs: e.ACCOUNT_WATCH_PERIOD,
      historyLimit: e.CONTRACT_HISTORY_LIMIT,
      maxOpenComplaints: e.ACCOUNT_MAX_OPEN_COMPLAINTS,
      maxOpenCommitments: e.ACCOUNT_MAX_OPEN_COMMITMENTS,
    },
    company: {
      legalName: e.COMPANY_LEGAL_NAME,
      inn: e.COMPANY_INN,
      kpp: e.COMPANY_KPP,
      address: e.COMPANY_ADDRESS,
      bankName: e.COMPANY_BANK_NAME,
      bik: e.COMPANY_BIK,
      account: e.COMPANY_ACCOUNT,
      correspondentAccount: e.COMPANY_CORRESPONDENT_ACCOUNT,
      directorName: e.COMPANY_DIRECTOR_NAME,
      city: e.COMPANY_CITY,
    },
    delivery: deliveryConfig({
      mail: smtpUrl && mailFrom ? { url: smtpUrl, from: mailFrom, domain: mailDomainOf(mailFrom)! } : undefined,
      publicUrl: (e.PUBLIC_URL || `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
      mailRetryForMs: e.MAIL_RETRY_FOR,
      webhooks: {
        allowPrivate: e.WEBHOOK_ALLOW_PRIVATE === 'true',
        timeoutMs: e.WEBHOOK_TIMEOUT,
        retryForMs: e.WEBHOOK_RETRY_FOR,
        answerLimitBytes: e.WEBHOOK_ANSWER_LIMIT,
      },
      roundEveryMs: e.DELIVERY_ROUND_EVERY,
      concurrency: e.DELIVERY_CONCURRENCY,
      timeZone: e.TIME_ZONE,
    }),
    worker: Object.freeze({
      maxCachedWorkflows: e.WORKER_MAX_CACHED_WORKFLOWS,
      maxConcurrentWorkflowTaskExecutions: e.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
      maxConcurrentActivityTaskExecutions: e.WORKER_MAX_CONCURRENT_ACTIVITIES,
      maxConcurrentWorkflowTaskPolls: e.WORKER_WORKFLOW_POLLERS,
      maxConcurrentActivityTaskPolls: e.WORKER_ACTIVITY_POLLERS,
      stickyQueueScheduleToStartTimeoutMs: e.WORKER_STICKY_QUEUE_TIMEOUT,
    }),
  });
}

/** For entry points: print the problem and exit instead of a stack trace. */
export function loadConfigOrExit(opts: { requireAdminToken?: boolean } = {}): Config {
  try {
    return loadConfig(process.env, opts);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
}
