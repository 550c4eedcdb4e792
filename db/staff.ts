// Staff accounts and their bearer tokens (kept only as SHA-256: a token is random, so a fast hash is enough).
import { createHash, randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import type { Role } from '../domain/contract';
import { queryOne, withTransaction, type Queryable } from './pool';

export interface StaffMember {
  id: string;
  name: string;
  email: string;
  roles: Role[];
}

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

export class DuplicateEmailError extends Error {}

/** Creates a person with a fresh token; the token is returned once and never stored in clear. */
export async function insertStaff(
  db: Pool,
  staff: { name: string; email: string; roles: Role[] },
  createdBy: string,
): Promise<{ id: string; token: string }> {
  const token = `ce_${randomBytes(32).toString('base64url')}`;
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
