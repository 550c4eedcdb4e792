// One error funnel: every failure becomes a status and a JSON body; only 5xx are logged.
// A dependency that is down or too slow (Postgres, Temporal) is a 503 with Retry-After, never a 500.
import type { ErrorRequestHandler } from 'express';
import { isGrpcServiceError, NamespaceNotFoundError, ServiceError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import { ZodError } from 'zod';
import { uuid } from '../domain/schemas';
import { DependencyTimeoutError, type Dependency } from './deadline';
import { currentRequest } from './observability/request-context';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues?: { path: string; message: string }[],
    /** Extra response headers, such as Retry-After on a 503. */
    readonly headers?: Record<string, string>,
    /** Why, as a kind a program (or a page, in its reader's language) can tell apart, with what it names. */
    readonly reason?: ErrorReason,
  ) {
    super(message);
  }

  /** On a 503: the dependency that was down or too slow, which the API's metrics count it under. */
  dependency?: Dependency;
}

/** `{kind: 'FourEyes'}`, `{kind: 'role', params: {roles: ['lawyer']}}`: the refusal's kind beside its English message. */
export interface ErrorReason {
  kind: string;
  params?: Record<string, string | string[]>;
}

/** A step its process refused (out of order, not yours, four eyes, not recordable): its final answer. */
export class StepRefusal extends HttpError {}

export const notFound = (what: string) => new HttpError(404, 'not_found', `${what} does not exist`);

/** The row a UUID in a path names, or 404 for an id that names none (a malformed one included). */
export async function foundByUuid<T>(id: string, find: (uuid: string) => Promise<T | undefined>, what: string): Promise<T> {
  const parsed = uuid.safeParse(id);
  const found = parsed.success ? await find(parsed.data) : undefined;
  if (found === undefined) throw notFound(`${what} ${id}`);
  return found;
}
export const forbidden = (message: string) => new HttpError(403, 'forbidden', message);
export const conflict = (message: string) => new HttpError(409, 'step_out_of_order', message);
export const badRequest = (message: string, issues?: { path: string; message: string }[]) =>
  new HttpError(400, 'invalid_request', message, issues);

/** A dependency did not answer in time: the caller may try again after `retryAfterSeconds`. */
export const serviceUnavailable = (message: string, retryAfterSeconds = 5, dependency?: Dependency) =>
  Object.assign(new HttpError(503, 'unavailable', message, undefined, { 'Retry-After': String(retryAfterSeconds) }), { dependency });

/** Temporal did not answer a start or a step in time (or failed under it): 503, counted as Temporal's. */
export const temporalUnavailable = (message: string) => serviceUnavailable(message, 5, 'temporal');

export function zodIssues(err: ZodError): { path: string; message: string }[] {
  return err.issues.map((issue) => ({ path: issue.path.join('.') || '(body)', message: issue.message }));
}

/** Seconds a caller is asked to wait before trying again when a dependency is down. */
export const RETRY_AFTER_SECONDS = 5;

export type { Dependency } from './deadline';

// Node's socket errors: the peer is not there, went away, or cannot be reached.
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
  'EAI_AGAIN',
]);
// SQLSTATE: 08 connection exceptions; 53 insufficient resources (53300 too many connections);
// 57P01–57P03 admin/crash shutdown and "cannot connect now"; 57014 a statement cancelled by statement_timeout.
const PG_UNAVAILABLE = /^(08...|53...|57P0[123]|57014)$/;
// node-postgres and pg-pool report these as plain errors, without a code.
const PG_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Query read timeout|connection error and is not queryable|Cannot use a pool after calling end|Client was closed and is not queryable/i;
// gRPC status codes: CANCELLED (our own deadline's abort), UNKNOWN, DEADLINE_EXCEEDED,
// RESOURCE_EXHAUSTED, INTERNAL, UNAVAILABLE. The Temporal frontend answers UNKNOWN or INTERNAL (its
// message masked) for a failure inside the server: the server's outage, not the request's fault.
const GRPC_UNAVAILABLE = new Set([1, 2, 4, 8, 13, 14]);

function causes(err: unknown): unknown[] {
  const seen: unknown[] = [];
  const queue = [err];
  while (queue.length && seen.length < 20) {
    const next = queue.shift();
    if (!next || typeof next !== 'object' || seen.includes(next)) continue;
    seen.push(next);
    const e = next as { cause?: unknown; errors?: unknown };
    queue.push(e.cause);
    if (Array.isArray(e.errors)) queue.push(...e.errors);
  }
  return seen;
}

/**
 * Which dependency an error says is down or too slow, if any: connection failures to Postgres
 * (refused, reset, terminated, pool or statement timeouts, shutdown SQLSTATEs) and to Temporal
 * (gRPC UNAVAILABLE / DEADLINE_EXCEEDED, a failed connect, an update call cut by its deadline).
 */
export function unavailableDependency(err: unknown): Dependency | undefined {
  for (const e of causes(err)) {
    if (e instanceof DependencyTimeoutError) return e.dependency;
    if (e instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return 'temporal';
    // The namespace the worker serves is "not found" while a Temporal server that lost its database
    // has not yet read its namespaces again (test/faults/cluster, Postgres killed): not ready yet.
    if (e instanceof NamespaceNotFoundError) return 'temporal';
    if (isGrpcServiceError(e)) {
      if (GRPC_UNAVAILABLE.has(e.code)) return 'temporal';
      continue;
    }
    // Connection.connect's own failure (its cause, when there is one, is checked next).
    if (e instanceof ServiceError && /Failed to connect/i.test(e.message)) return 'temporal';
    if (e instanceof HttpError) return undefined;
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && PG_UNAVAILABLE.test(code)) return 'postgres';
    if (typeof code === 'string' && SOCKET_CODES.has(code)) return 'postgres';
    if (typeof message === 'string' && PG_MESSAGES.test(message)) return 'postgres';
  }
  return undefined;
}

const DEPENDENCY_NAMES: Record<Dependency, string> = {
  postgres: 'the database (Postgres)',
  temporal: 'the workflow service (Temporal)',
};

/** The 503 for an error from a dependency that is down, or undefined for any other error. */
export function asUnavailable(err: unknown): HttpError | undefined {
  if (err instanceof HttpError) return err.status === 503 ? err : undefined;
  const dependency = unavailableDependency(err);
  if (!dependency) return undefined;
  return serviceUnavailable(`${DEPENDENCY_NAMES[dependency]} is not answering; try again shortly`, RETRY_AFTER_SECONDS, dependency);
}

// A dependency that is down makes every request fail the same way: one line per dependency every few seconds.
const lastLogged = new Map<string, number>();
function logUnavailable(err: unknown): void {
  const dependency = unavailableDependency(err) ?? 'dependency';
  const now = Date.now();
  if (now - (lastLogged.get(dependency) ?? 0) < 5_000) return;
  lastLogged.set(dependency, now);
  const e = err as { code?: unknown; message?: unknown };
  logOf().warn({ dependency }, `api: 503, ${dependency} unavailable: ${[e.code, e.message].filter(Boolean).join(' ')}`);
}

/** The request's logger (its lines carry its request id); the console outside a request. */
const logOf = () =>
  currentRequest()?.log ?? { warn: (_o: object, msg: string) => console.warn(msg), error: (_o: object, msg: string) => console.error(msg) };

export const errorFunnel: ErrorRequestHandler = (err, _req, res, next) => {
  // A failure after the answer started (a document half sent) can only end the connection.
  if (res.headersSent) return next(err);
  if (err instanceof ZodError) {
    res.status(400).json({ error: { code: 'invalid_request', message: 'the request is not valid', issues: zodIssues(err) } });
    return;
  }
  // body-parser's own errors (malformed JSON, too large, the client aborting) carry a 4xx status.
  if (typeof err?.status === 'number' && err.status >= 400 && err.status < 500 && !(err instanceof HttpError)) {
    res.status(err.status).json({ error: { code: 'invalid_request', message: err.message } });
    return;
  }
  const unavailable = asUnavailable(err);
  if (unavailable && !(err instanceof HttpError)) logUnavailable(err);
  const known = err instanceof HttpError ? err : unavailable;
  if (known) {
    if (known instanceof StepRefusal) res.locals.refusedByProcess = true;
    if (known.status === 503) res.locals.unavailableDependency = known.dependency ?? unavailableDependency(err);
    if (known.headers) res.set(known.headers);
    res.status(known.status).json({
      error: {
        code: known.code,
        message: known.message,
        ...(known.issues ? { issues: known.issues } : {}),
        ...(known.reason ? { reason: known.reason } : {}),
      },
    });
    return;
  }
  logOf().error({ err }, `api: ${err instanceof Error ? err.message : String(err)}`);
  res.status(500).json({ error: { code: 'internal', message: 'internal error' } });
};
