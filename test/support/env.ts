// Per-file isolation on the shared servers: a fresh database and a unique task queue.
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { createDatabase } from '../../scripts/embedded-postgres';

const suffix = () => randomBytes(5).toString('hex');

/** A new, empty database on the shared test server; the caller applies migrations. */
export async function testDatabase(): Promise<string> {
  return createDatabase(inject('postgresAdminUrl'), `${inject('testDatabasePrefix')}_${suffix()}`);
}

/** A task queue no other test file polls, so workers never steal each other's tasks. */
export function testTaskQueue(prefix: string): string {
  return `${prefix}-${suffix()}`;
}
