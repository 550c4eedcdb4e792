// One-time links where a person sets their password. Only the SHA-256 of a link's secret is kept.
import { randomBytes } from 'node:crypto';
import { hashToken } from './staff';
import { queryOne, type Queryable } from './pool';

export interface Invitation {
  /** Null for the first administrator's link: that person names themself. */
  staffId: string | null;
  name: string | null;
  email: string | null;
  expiresAt: Date;
}

/** A new link's secret, valid for `validForMs`; it is returned once. */
export async function createInvitation(
  db: Queryable,
  staffId: string | null,
  createdBy: string,
  validForMs: number,
): Promise<{ secret: string; expiresAt: Date }> {
  const secret = randomBytes(32).toString('base64url');
  const { expiresAt } = (await queryOne<{ expiresAt: Date }>(
    db,
    `INSERT INTO invitations (token_hash, staff_id, created_by, expires_at)
     VALUES ($1, $2, $3, now() + $4 * interval '1 millisecond') RETURNING expires_at AS "expiresAt"`,
    [hashToken(secret), staffId, createdBy, validForMs],
  ))!;
  return { secret, expiresAt };
}

/** The invitation while it is unused and not expired (and its person not disabled). */
export async function findOpenInvitation(db: Queryable, secret: string): Promise<Invitation | undefined> {
  return queryOne<Invitation>(
    db,
    `SELECT i.staff_id AS "staffId", s.name, s.email, i.expires_at AS "expiresAt"
     FROM invitations i LEFT JOIN staff s ON s.id = i.staff_id
     WHERE i.token_hash = $1 AND i.used_at IS NULL AND i.expires_at > now()
       AND (i.staff_id IS NULL OR s.disabled_at IS NULL)`,
    [hashToken(secret)],
  );
}

/**
 * Marks the link used, exactly once: of two requests with the same link only one gets it back.
 * Called in the transaction that sets the password, so a failure leaves the link usable.
 */
export async function useInvitation(tx: Queryable, secret: string): Promise<Invitation | undefined> {
  return queryOne<Invitation>(
    tx,
    `UPDATE invitations i SET used_at = now()
     WHERE i.token_hash = $1 AND i.used_at IS NULL AND i.expires_at > now()
     RETURNING i.staff_id AS "staffId", NULL::text AS name, NULL::text AS email, i.expires_at AS "expiresAt"`,
    [hashToken(secret)],
  );
}

/** Whether anyone could still sign in as an administrator, or a first administrator's link is open. */
export async function firstAdministratorNeeded(db: Queryable): Promise<boolean> {
  const row = await queryOne<{ needed: boolean }>(
    db,
    `SELECT NOT EXISTS (SELECT 1 FROM staff WHERE 'admin' = ANY(roles) AND password_hash IS NOT NULL AND disabled_at IS NULL) AS needed`,
  );
  return row!.needed;
}
