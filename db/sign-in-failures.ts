// Failed sign-ins, counted per account and per address over a sliding window.
import { queryOne, type Queryable } from './pool';

export async function recordSignInFailure(db: Queryable, email: string, address: string): Promise<void> {
  await db.query('INSERT INTO sign_in_failures (email, address) VALUES ($1, $2)', [email.toLowerCase(), address]);
}

/** Failures within the window, for the account and for the address, and when the oldest of them leaves it. */
export async function recentSignInFailures(
  db: Queryable,
  email: string,
  address: string,
  windowMs: number,
): Promise<{ account: number; address: number; accountFreeAt: Date | null; addressFreeAt: Date | null }> {
  const row = await queryOne<{ account: number; address: number; accountFreeAt: Date | null; addressFreeAt: Date | null }>(
    db,
    `WITH w AS (SELECT now() - $3 * interval '1 millisecond' AS since)
     SELECT
       (SELECT count(*)::int FROM sign_in_failures, w WHERE email = $1 AND at > w.since) AS account,
       (SELECT count(*)::int FROM sign_in_failures, w WHERE address = $2 AND at > w.since) AS address,
       (SELECT min(at) + $3 * interval '1 millisecond' FROM sign_in_failures, w WHERE email = $1 AND at > w.since) AS "accountFreeAt",
       (SELECT min(at) + $3 * interval '1 millisecond' FROM sign_in_failures, w WHERE address = $2 AND at > w.since) AS "addressFreeAt"`,
    [email.toLowerCase(), address, windowMs],
  );
  return row!;
}

/** A successful sign-in forgets the account's failures (its address's stay counted). */
export async function forgetSignInFailures(db: Queryable, email: string): Promise<void> {
  await db.query('DELETE FROM sign_in_failures WHERE email = $1', [email.toLowerCase()]);
}
