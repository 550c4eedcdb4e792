// Versioned SQL migrations: db/migrations/NNN_name.sql, applied in order, each in its own
// transaction, recorded in schema_migrations; an advisory lock lets several processes start at once.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { repoRoot } from '../config/paths';

const MIGRATION_FILE = /^(\d{3,})_([\w-]+)\.sql$/;
const LOCK_KEY = 727_001; // any constant shared by every instance of this product

export interface Migration {
  version: string;
  name: string;
  sql: string;
}

export function loadMigrations(dir = path.join(repoRoot(), 'db', 'migrations')): Migration[] {
  return readdirSync(dir)
    .map((file) => ({ file, match: MIGRATION_FILE.exec(file) }))
    .filter((entry): entry is { file: string; match: RegExpExecArray } => entry.match !== null)
    .map(({ file, match }) => ({ version: match[1]!, name: match[2]!, sql: readFileSync(path.join(dir, file), 'utf8') }))
    .sort((a, b) => a.version.localeCompare(b.version));
}

/** Applies what is missing; returns the versions applied now. */
export async function migrate(databaseUrl: string, migrations = loadMigrations()): Promise<string[]> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version text PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Set((await client.query<{ version: string }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version));
    const applied: string[] = [];
    for (const migration of migrations.filter((m) => !done.has(m.version))) {
      try {
        await client.query('BEGIN');
        await client.query(migration.sql);
        await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${migration.version}_${migration.name} failed: ${(err as Error).message}`, { cause: err });
      }
      applied.push(migration.version);
    }
    return applied;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]).catch(() => undefined);
    await client.end();
  }
}
