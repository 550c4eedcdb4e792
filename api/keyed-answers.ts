// A request retried with its Idempotency-Key gets the answer the first one got: the same status,
// body and Location, read back from Postgres (`step_answers`), whatever has happened to the
// process since. Only final answers are kept: what a step answered (200, 201) and what its process
// refused (403, 409, 422 decided by the workflow). A 400, a role refusal, a 503 or a 202 is not
// an answer to the step, so a retry after one of those is sent again: the same Temporal update
// id, and a step recorded under it is recognised by the service (`ProcessSteps.taken`).
// The same key with another body is a 422, never someone else's answer.
import { createHash, randomUUID } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import type { Pool } from 'pg';
import { findStoredAnswer, storeAnswer } from '../db/step-answers';
import { actorOf } from './auth';
import { badRequest, HttpError } from './errors';

/** An Idempotency-Key: 1–200 visible ASCII characters, on every keyed request (POST /api/contracts included). */
export const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

const MUTATIONS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Answers the error funnel marks as the process's own decision about the step. */
const FINAL_REFUSALS = new Set([403, 409, 422]);

declare module 'express-serve-static-core' {
  interface Locals {
    /** Set by the error funnel when the process itself refused the step (a StepRefusal). */
    refusedByProcess?: boolean;
  }
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * A UUID named by (scope, key): the same Idempotency-Key names the same row, so a retry after a
 * crash (the answer never stored) finds what the first attempt made; without a key, a new id.
 */
export function idFor(scope: string, key: string | undefined): string {
  if (!key) return randomUUID();
  const hex = sha256(`${scope}\n${key}`);
  // Shaped as a version-8 (name-based, custom) RFC 9562 UUID.
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** What names one keyed request: the person, the method and path, and their key, hashed. */
export const requestKeyOf = (staffId: string, method: string, path: string, key: string): string =>
  sha256(`${staffId}\n${method} ${path}\n${key}`);

/**
 * Deeper than any body a route takes (a questionnaire's definition, the deepest, nests four). A
 * body's fingerprint is made by walking it, so a deeper one is refused before, not by a stack overflow.
 */
export const MAX_BODY_DEPTH = 32;

/** How deeply objects and arrays nest in a parsed body, counted level by level (no recursion), up to `limit + 1`. */
export function nestingDepth(value: unknown, limit = MAX_BODY_DEPTH): number {
  let depth = 0;
  let level: unknown[] = [value];
  while (depth <= limit) {
    const next: unknown[] = [];
    for (const v of level) if (v && typeof v === 'object') for (const child of Object.values(v)) next.push(child);
    if (!level.some((v) => v && typeof v === 'object')) break;
    depth++;
    level = next;
  }
  return depth;
}

/** A body's fingerprint, independent of key order and whitespace; 400 for a body nested deeper than any route takes. */
export function bodyHash(body: unknown): string {
  if (nestingDepth(body) > MAX_BODY_DEPTH) {
    throw badRequest('the request is not valid', [{ path: '(body)', message: `must not nest deeper than ${MAX_BODY_DEPTH} levels` }]);
  }
  const canonical = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canonical)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v as object)
              .sort()
              .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
          )
        : v;
  return sha256(JSON.stringify(canonical(body ?? {})));
}

/**
 * @param exempt requests with an idempotency of their own (POST /api/contracts binds its key to
 *   one contract and answers it as it is now), by method and path under /api.
 */
export function answerKeyedRequestsOnce(db: Pool, exempt: (method: string, path: string) => boolean): RequestHandler {
  return async (req, res, next) => {
    const key = req.get('Idempotency-Key');
    if (key === undefined || !MUTATIONS.has(req.method) || exempt(req.method, req.path)) return next();
    if (!IDEMPOTENCY_KEY.test(key)) {
      throw badRequest('the request is not valid', [{ path: 'Idempotency-Key', message: 'must be 1 to 200 visible ASCII characters' }]);
    }
    const actor = actorOf(req);
    const path = req.baseUrl + req.path;
    const requestKey = requestKeyOf(actor.staffId, req.method, path, key);
    const requestHash = bodyHash(req.body);

    const stored = await findStoredAnswer(db, requestKey);
    if (stored) {
      if (stored.requestHash !== requestHash) {
        throw new HttpError(
          422,
          'idempotency_key_reused',
          'this Idempotency-Key was already used for a different request; use a new key for a new step',
        );
      }
      if (stored.location) res.set('Location', stored.location);
      res.set('Idempotent-Replayed', 'true');
      res.status(stored.status).json(stored.body);
      return;
    }

    keepFinalAnswer(res, async (status, body) => {
      const location = res.get('Location');
      await storeAnswer(db, {
        requestKey,
        staffId: actor.staffId,
        method: req.method,
        path,
        requestHash,
        status,
        body,
        location: location ?? null,
      });
    });
    next();
  };
}

/** Stores a final answer before it is sent, so a retry that follows it at once finds it. */
function keepFinalAnswer(res: Response, store: (status: number, body: unknown) => Promise<void>): void {
  const json = res.json.bind(res);
  res.json = ((body: unknown) => {
    const final =
      res.statusCode === 200 || res.statusCode === 201 || (FINAL_REFUSALS.has(res.statusCode) && res.locals.refusedByProcess === true);
    if (!final) return json(body);
    // The step is done whether or not its answer can be kept: a store that fails (Postgres gone
    // this instant) only means a retry is sent again and recognised by its update id.
    store(res.statusCode, body).then(
      () => json(body),
      (err: Error) => {
        console.warn(`api: the answer to a keyed request was not kept: ${err.message}`);
        json(body);
      },
    );
    return res;
  }) as Response['json'];
}
