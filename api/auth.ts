// Bearer tokens: ADMIN_TOKEN bootstraps; every other person has a token from POST /api/staff.
// The pages call the API as the signed-in person with `Authorization: Session <secret>` (the
// secret of their http-only cookie): one path for every action, whoever takes it.
import { timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import type { Pool } from 'pg';
import type { Actor, Role } from '../domain/people';
import { findStaffByToken } from '../db/staff';
import { findSessionPerson } from '../db/sessions';
import { withTimeout } from './deadline';
import { HttpError } from './errors';

/**
 * The token lookup is cut after this even when the pool has no free connection to give, so a
 * database that is down or stuck answers 503 (through the error funnel) instead of holding the request.
 */
export const AUTH_LOOKUP_TIMEOUT_MS = 3_000;

/** The administrator behind ADMIN_TOKEN has no staff row; events name it by this id. */
export const ADMIN_ACTOR: Actor = { staffId: 'admin', name: 'Administrator', roles: ['admin'] };

declare module 'express-serve-static-core' {
  interface Request {
    actor?: Actor;
  }
}

const sameSecret = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

export function authenticate(db: Pool, adminToken: string | undefined): RequestHandler {
  return async (req, _res, next) => {
    const session = /^Session\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (session) {
      const person = await withTimeout(findSessionPerson(db, session[1]!), AUTH_LOOKUP_TIMEOUT_MS, 'postgres');
      if (!person) throw new HttpError(401, 'unauthenticated', 'the session has ended; sign in again');
      req.actor = { staffId: person.staffId, name: person.name, roles: person.roles };
      return next();
    }
    const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (!match) throw new HttpError(401, 'unauthenticated', 'an Authorization: Bearer <token> header is required');
    const token = match[1]!;
    if (adminToken && sameSecret(token, adminToken)) {
      req.actor = ADMIN_ACTOR;
      return next();
    }
    const staff = await withTimeout(findStaffByToken(db, token), AUTH_LOOKUP_TIMEOUT_MS, 'postgres');
    if (!staff) throw new HttpError(401, 'unauthenticated', 'the token is not valid');
    req.actor = { staffId: staff.id, name: staff.name, roles: staff.roles };
    next();
  };
}

export function actorOf(req: Request): Actor {
  if (!req.actor) throw new HttpError(401, 'unauthenticated', 'not authenticated');
  return req.actor;
}

export function requireRole(actor: Actor, allowed: readonly Role[]): void {
  if (!actor.roles.some((role) => allowed.includes(role))) {
    throw new HttpError(403, 'forbidden', `this needs one of the roles: ${allowed.join(', ')}`, undefined, undefined, {
      kind: 'role',
      params: { roles: [...allowed] },
    });
  }
}

export function allow(...roles: Role[]): RequestHandler {
  return (req, _res, next) => {
    requireRole(actorOf(req), roles);
    next();
  };
}
