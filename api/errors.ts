// One error funnel: every failure becomes a status and a JSON body; only 5xx are logged.
import type { ErrorRequestHandler } from 'express';
import { ZodError } from 'zod';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues?: { path: string; message: string }[],
    /** Extra response headers, such as Retry-After on a 503. */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new HttpError(404, 'not_found', `${what} does not exist`);
export const forbidden = (message: string) => new HttpError(403, 'forbidden', message);
export const conflict = (message: string) => new HttpError(409, 'step_out_of_order', message);
export const badRequest = (message: string, issues?: { path: string; message: string }[]) =>
  new HttpError(400, 'invalid_request', message, issues);

/** A dependency did not answer in time: the caller may try again after `retryAfterSeconds`. */
export const serviceUnavailable = (message: string, retryAfterSeconds = 5) =>
  new HttpError(503, 'unavailable', message, undefined, { 'Retry-After': String(retryAfterSeconds) });

export function zodIssues(err: ZodError): { path: string; message: string }[] {
  return err.issues.map((issue) => ({ path: issue.path.join('.') || '(body)', message: issue.message }));
}

export const errorFunnel: ErrorRequestHandler = (err, _req, res, _next) => {
  if (err instanceof ZodError) {
    res.status(400).json({ error: { code: 'invalid_request', message: 'the request is not valid', issues: zodIssues(err) } });
    return;
  }
  if (err instanceof HttpError) {
    if (err.headers) res.set(err.headers);
    res.status(err.status).json({ error: { code: err.code, message: err.message, ...(err.issues ? { issues: err.issues } : {}) } });
    return;
  }
  // body-parser's own errors (malformed JSON, too large) carry a 4xx status.
  const status = typeof err?.status === 'number' && err.status >= 400 && err.status < 500 ? err.status : 500;
  if (status < 500) {
    res.status(status).json({ error: { code: 'invalid_request', message: err.message } });
    return;
  }
  console.error('api:', err);
  res.status(500).json({ error: { code: 'internal', message: 'internal error' } });
};
