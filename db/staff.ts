// Staff accounts and their bearer tokens (kept only as SHA-256: a token is random, so a fast hash is enough).
import { createHash, randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import type { Role } from '../domain/people';
import { queryOne, queryRows, withTransaction, type Queryable } from './pool';

export interface StaffMember {
  id: string;
  name: string;
  email: string;
  roles: Role[];
}

/** A person as the administrator sees them. */
export interface StaffRecord extends StaffMember {
  createdAt: Date;
  /** Set while the person is disabled: none of their tokens is accepted. */
  disabledAt: Date | null;
}

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

const newToken = (): string => `ce_${randomBytes(32).toString('base64url')}`;

export class DuplicateEmailError extends Error {}

/** Creates a person with a fresh token; the token is returned once and never stored in clear. */
export async function insertStaff(
  db: Pool,
  staff: { name: string; email: string; roles: Role[] },
  createdBy: string,
): Promise<{ id: string; token: string }> {
  const token = newToken();
  try {
    return await withTransaction(db, async (tx) => {
      const { id } = (await queryOne<{ id: string }>(
        tx,
        'INSERT INTO staff (name, email, roles, created_by) VALUES ($1, $2, $3, $4) RETURNING id',
        [staff.name, staff.email, staff.roles, createdBy],
      ))!;
      await tx.query('INSERT INTO api_tokens (token_hash, staff_id) VALUES ($1, $2)', [hashToken(token), id]);
      return { id, token };
    });
  } catch (err) {
    if ((err as { code?: string }).code === '23505') throw new DuplicateEmailError(`${staff.email} already has an account`);
    throw err;
  }
}

export async function findStaffByToken(db: Queryable, token: string): Promise<StaffMember | undefined> {
  return queryOne<StaffMember>(
    db,
    `SELECT s.id, s.name, s.email, s.roles FROM api_tokens t JOIN staff s ON s.id = t.staff_id
     WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND s.disabled_at IS NULL`,
    [hashToken(token)],
  );
}

export async function findStaff(db: Queryable, id: string): Promise<StaffMember | undefined> {
  return queryOne<StaffMember>(db, 'SELECT id, name, email, roles FROM staff WHERE id = $1', [id]);
}

/** A manager who may be given contracts: holds the role and is not disabled. */
export async function findActiveManager(db: Queryable, id: string): Promise<StaffMember | undefined> {
  return queryOne<StaffMember>(
    db,
    `SELECT id, name, email, roles FROM staff WHERE id = $1 AND 'manager' = ANY(roles) AND disabled_at IS NULL`,
    [id],
  );
}

/** A person who may be given work: exists and is not disabled. */
export async function findActiveStaff(db: Queryable, id: string): Promise<StaffMember | undefined> {
  return queryOne<StaffMember>(db, 'SELECT id, name, email, roles FROM staff WHERE id = $1 AND disabled_at IS NULL', [id]);
}

const RECORD_COLUMNS = 'id, name, email, roles, created_at AS "createdAt", disabled_at AS "disabledAt"';

export async function listStaff(db: Queryable): Promise<StaffRecord[]> {
  return queryRows<StaffRecord>(db, `SELECT ${RECORD_COLUMNS} FROM staff ORDER BY created_at, id`);
}

export interface StaffPatch {
  name?: string;
  roles?: Role[];
  /** true disables (keeping the first disabling time), false re-enables. */
  disabled?: boolean;
}

/** Applies the fields given; undefined when there is no such person. */
export async function updateStaff(db: Queryable, id: string, patch: StaffPatch): Promise<StaffRecord | undefined> {
  return queryOne<StaffRecord>(
    db,
    `UPDATE staff SET
       name = COALESCE($2, name),
       roles = COALESCE($3, roles),
       disabled_at = CASE WHEN $4::boolean IS NULL THEN disabled_at
                          WHEN $4 THEN COALESCE(disabled_at, now())
                          ELSE NULL END
     WHERE id = $1
     RETURNING ${RECORD_COLUMNS}`,
    [id, patch.name ?? null, patch.roles ?? null, patch.disabled ?? null],
  );
}

/**
 * A new token for the person, every older one revoked in the same transaction; the token is
 * returned once and stored only hashed. Undefined when there is no such person.
 */
export async function issueToken(db: Pool, staffId: string): Promise<{ id: string; token: string } | undefined> {
  return withTransaction(db, async (tx) => {
    // The row lock makes concurrent issues take turns, so exactly one token is left live.
    const person = await queryOne<{ id: string }>(tx, 'SELECT id FROM staff WHERE id = $1 FOR UPDATE', [staffId]);
    if (!person) return undefined;
    await tx.query('UPDATE api_tokens SET revoked_at = now() WHERE staff_id = $1 AND revoked_at IS NULL', [staffId]);
    const token = newToken();
    await tx.query('INSERT INTO api_tokens (token_hash, staff_id) VALUES ($1, $2)', [hashToken(token), staffId]);
    return { id: staffId, token };
  });
}

/** The person an e-mail signs in as, with their password hash (never leaves the sign-in code). */
export async function findSignInByEmail(
  db: Queryable,
  email: string,
): Promise<(StaffMember & { passwordHash: string | null; disabled: boolean }) | undefined> {
  return queryOne(
    db,
    `SELECT id, name, email, roles, password_hash AS "passwordHash", disabled_at IS NOT NULL AS disabled
     FROM staff WHERE lower(email) = lower($1)`,
    [email],
  );
}

export async function setPasswordHash(db: Queryable, staffId: string, passwordHash: string): Promise<void> {
  await db.query('UPDATE staff SET password_hash = $2 WHERE id = $1', [staffId, passwordHash]);
}

/** The first administrator, who names themself on the link `npm start` printed. */
export async function insertAdministrator(
  db: Queryable,
  person: { name: string; email: string; passwordHash: string },
): Promise<StaffMember> {
  try {
    return (await queryOne<StaffMember>(
      db,
      `INSERT INTO staff (name, email, roles, created_by, password_hash) VALUES ($1, $2, '{admin}', 'first-administrator-link', $3)
       RETURNING id, name, email, roles`,
      [person.name, person.email, person.passwordHash],
    ))!;
  } catch (err) {
    if ((err as { code?: string }).code === '23505') throw new DuplicateEmailError(`${person.email} already has an account`);
    throw err;
  }
}
