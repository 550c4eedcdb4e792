// All SQL goes through here: one pool per process, parameterised queries, explicit transactions.
import { Pool, type PoolClient, type QueryResultRow } from 'pg';

export type Db = Pool;
export type Queryable = Pick<PoolClient, 'query'>;

export interface PoolOptions {
  max?: number;
  /** How long taking a connection may wait (a new connection or a free one): a down server fails fast. */
  connectionTimeoutMs?: number;
  /** Server side: a statement running longer is cancelled (SQLSTATE 57014). */
  statementTimeoutMs?: number;
  /** Client side: a query whose answer does not arrive (a frozen server, a lost network) fails. */
  queryTimeoutMs?: number;
}

export const POOL_DEFAULTS = {
  max: 10,
  connectionTimeoutMs: 2_000,
  statementTimeoutMs: 15_000,
  queryTimeoutMs: 20_000,
} as const satisfies Required<PoolOptions>;

/** `createPool(url)`, `createPool(url, 5)` (max connections) or `createPool(url, { ...timeouts })`. */
export function createPool(databaseUrl: string, options: number | PoolOptions = {}): Pool {
  const opts = { ...POOL_DEFAULTS, ...(typeof options === 'number' ? { max: options } : options) };
  const pool = new Pool({
    connectionString: databaseUrl,
    max: opts.max,
    connectionTimeoutMillis: opts.connectionTimeoutMs,
    statement_timeout: opts.statementTimeoutMs,
    query_timeout: opts.queryTimeoutMs,
    // A transaction left open by a crashed caller must not hold its locks for ever.
    idle_in_transaction_session_timeout: opts.queryTimeoutMs,
    // Notices a peer that vanished without closing the socket (a killed VM, a cut network).
    keepAlive: true,
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  // 57P01 is the server shutting down (npm start stops its embedded Postgres on Ctrl+C): expected.
  pool.on('error', (err: Error & { code?: string }) => {
    if (err.code !== '57P01') console.error('postgres pool:', err.message);
  });
  return pool;
}

export async function withTransaction<T>(pool: Pool, work: (tx: PoolClient) => Promise<T>): Promise<T> {
  const tx = await pool.connect();
  let broken: Error | undefined;
  // A checked-out client whose server dies between two queries emits 'error' on itself (the pool
  // listens only to idle ones); unheard, that would crash the process. Heard, the client is thrown
  // away on release and the failing query reports the outage to the caller.
  const onError = (err: Error) => (broken = err);
  tx.on('error', onError);
  try {
    await tx.query('BEGIN');
    const result = await work(tx);
    await tx.query('COMMIT');
    return result;
  } catch (err) {
    await tx.query('ROLLBACK').catch((rollbackErr: Error) => (broken = rollbackErr));
    throw err;
  } finally {
    // A connection that could not even roll back (the server went away) is thrown away, not reused.
    tx.off('error', onError);
    tx.release(broken);
  }
}

export async function queryRows<T extends QueryResultRow>(db: Queryable, sql: string, params: unknown[] = []): Promise<T[]> {
  const result = await db.query<T>(sql, params);
  return result.rows;
}

export async function queryOne<T extends QueryResultRow>(db: Queryable, sql: string, params: unknown[] = []): Promise<T | undefined> {
  const rows = await queryRows<T>(db, sql, params);
  return rows[0];
}
