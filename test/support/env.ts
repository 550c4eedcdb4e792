// Per-file isolation on the shared servers: a fresh database and a unique task queue.
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { createDatabase } from '../../scripts/embedded-postgres';

const suffix = () => randomBytes(5).toString('hex');

export async function testDatabase(): Promise<string> {
  return createDatabase(inject('postgresAdminUrl'), `test_${suffix()}`);
}

export function testTaskQueue(prefix: string): string {
  return `${prefix}-${suffix()}`;
}
