// Who is looking at a page: the session behind the http-only cookie, and the CSRF token every form
// carries. A signed-in person's forms carry their session's token (kept with the session in
// Postgres); the forms before sign-in (sign-in, setting a password) carry a random value that must
// equal an http-only cookie set with the form (double submit), so another site cannot post them.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { parse as parseCookies, serialize } from 'cookie';
import type { Request, RequestHandler, Response } from 'express';
import type { Pool } from 'pg';
import { findSessionPerson, type SessionPerson } from '../db/sessions';
import { withTimeout } from '../api/deadline';
import { AUTH_LOOKUP_TIMEOUT_MS } from '../api/auth';
import { HttpError } from '../api/errors';

export const SESSION_COOKIE = 'ce_session';
const FORM_COOKIE = 'ce_form';
export const LANGUAGE_COOKIE = 'ce_lang';

declare module 'express-serve-static-core' {
  interface Request {
    person?: SessionPerson;
    /** The session's secret, to call the API as this person. */
    sessionSecret?: string;
  }
}

export const cookiesOf = (req: Request): Record<string, string | undefined> => parseCookies(req.headers.cookie ?? '');

/** `Secure` when the page was asked for over HTTPS (directly, or through a proxy Express trusts). */
const cookieOptions = (req: Request, maxAgeSeconds?: number) => ({
  httpOnly: true,
  sameSite: 'lax' as const,
  secure: req.secure,
  path: '/',
  ...(maxAgeSeconds === undefined ? {} : { maxAge: maxAgeSeconds }),
});

export function setCookie(req: Request, res: Response, name: string, value: string, maxAgeSeconds?: number): void {
  res.append('Set-Cookie', serialize(name, value, cookieOptions(req, maxAgeSeconds)));
}

export function clearCookie(req: Request, res: Response, name: string): void {
  res.append('Set-Cookie', serialize(name, '', { ...cookieOptions(req), maxAge: 0 }));
}

/** Reads the session cookie; `req.person` is set while the session is valid. */
export function readSession(db: Pool): RequestHandler {
  return async (req, _res, next) => {
    const secret = cookiesOf(req)[SESSION_COOKIE];
    if (secret && /^[A-Za-z0-9_-]{20,100}$/.test(secret)) {
      const person = await withTimeout(findSessionPerson(db, secret), AUTH_LOOKUP_TIMEOUT_MS, 'postgres');
      if (person) {
        req.person = person;
        req.sessionSecret = secret;
      }
    }
    next();
  };
}

const same = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** The token a form of this page carries: the session's, or (signed out) the form cookie's value, set now if missing. */
export function formToken(req: Request, res: Response): string {
  if (req.person) return req.person.csrfToken;
  let value = cookiesOf(req)[FORM_COOKIE];
  if (!value || !/^[A-Za-z0-9_-]{43}$/.test(value)) {
    value = randomBytes(32).toString('base64url');
    setCookie(req, res, FORM_COOKIE, value);
  }
  return value;
}

/** Every form post must carry its token: the session's when signed in, the form cookie's otherwise. */
export const checkFormToken: RequestHandler = (req, _res, next) => {
  const sent = typeof req.body?._csrf === 'string' ? (req.body._csrf as string) : '';
  const expected = req.person ? req.person.csrfToken : cookiesOf(req)[FORM_COOKIE];
  if (!sent || !expected || !same(sent, expected)) {
    throw new HttpError(403, 'csrf', 'the form has expired or did not come from this site; reload the page and try again');
  }
  next();
};
