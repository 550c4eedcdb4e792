// Signed-in browsers. The cookie holds a random secret; only its SHA-256 is kept here.
import { randomBytes } from 'node:crypto';
import type { Role } from '../domain/people';
import { hashToken } from './staff';
import { queryOne, type Queryable } from './pool';

export interface SessionPerson {
  staffId: string;
  name: string;
  email: string;
  roles: Role[];
  /** The token every form of this session carries. */
  csrfToken: string;
}

const secret = (): string => randomBytes(32).toString('base64url');

/** Starts a session for the person; the returned secret goes into the cookie and is never stored. */
export async function startSession(db: Queryable, staffId: string, lifetimeMs: number): Promise<{ secret: string; csrfToken: string }> {
  const session = { secret: secret(), csrfToken: secret() };
  await db.query(
    `INSERT INTO sessions (id_hash, staff_id, csrf_token, expires_at) VALUES ($1, $2, $3, now() + $4 * interval '1 millisecond')`,
    [hashToken(session.secret), staffId, session.csrfToken, lifetimeMs],
  );
  return session;
}

/** Who the session is, while it is not ended or expired and its person is not disabled. */
export async function findSessionPerson(db: Queryable, sessionSecret: string): Promise<SessionPerson | undefined> {
  return queryOne<SessionPerson>(
    db,
    `SELECT s.id AS "staffId", s.name, s.email, s.roles, x.csrf_token AS "csrfToken"
     FROM sessions x JOIN staff s ON s.id = x.staff_id
     WHERE x.id_hash = $1 AND x.ended_at IS NULL AND x.expires_at > now() AND s.disabled_at IS NULL`,
    [hashToken(sessionSecret)],
  );
}

export async function endSession(db: Queryable, sessionSecret: string): Promise<void> {
  await db.query('UPDATE sessions SET ended_at = now() WHERE id_hash = $1 AND ended_at IS NULL', [hashToken(sessionSecret)]);
}

/** Ends every session of a person (a new password, a disabling). */
export async function endSessionsOf(db: Queryable, staffId: string): Promise<void> {
  await db.query('UPDATE sessions SET ended_at = now() WHERE staff_id = $1 AND ended_at IS NULL', [staffId]);
}
