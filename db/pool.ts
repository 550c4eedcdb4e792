// All SQL goes through here: one pool per process, parameterised queries, explicit transactions.
import { Pool, type PoolClient, type QueryResultRow } from 'pg';

export type Db = Pool;
export type Queryable = Pick<PoolClient, 'query'>;

export function createPool(databaseUrl: string, max = 10): Pool {
  const pool = new Pool({ connectionString: databaseUrl, max });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  // 57P01 is the server shutting down (npm start stops its embedded Postgres on Ctrl+C): expected.
  pool.on('error', (err: Error & { code?: string }) => {
    if (err.code !== '57P01') console.error('postgres pool:', err.message);
  });
  return pool;
}

export async function withTransaction<T>(pool: Pool, work: (tx: PoolClient) => Promise<T>): Promise<T> {
  const tx = await pool.connect();
  try {
    await tx.query('BEGIN');
    const result = await work(tx);
    await tx.query('COMMIT');
    return result;
  } catch (err) {
    await tx.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    tx.release();
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
