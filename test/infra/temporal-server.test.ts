// The shared infrastructure the global set-up provides answers: Temporal, Postgres, the bundle.
import { existsSync } from 'node:fs';
import { Connection } from '@temporalio/client';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { testDatabase, testTaskQueue } from '../support/env';

describe('test infrastructure', () => {
  let connection: Connection;

  beforeAll(async () => {
    connection = await Connection.connect({ address: inject('temporalAddress') });
  });
  afterAll(async () => {
    await connection?.close();
  });

  it('reaches the Temporal dev server', async () => {
    const info = await connection.workflowService.getSystemInfo({});
    expect(info.serverVersion).toMatch(/^\d+\.\d+/);
    const ns = await connection.workflowService.describeNamespace({ namespace: 'default' });
    expect(ns.namespaceInfo?.name).toBe('default');
  });

  it('gives each caller a fresh database it can write to', async () => {
    const [first, second] = [await testDatabase(), await testDatabase()];
    expect(first).not.toBe(second);
    const client = new Client({ connectionString: first });
    await client.connect();
    try {
      const { rows } = await client.query<{ version: string; db: string }>('SELECT version(), current_database() AS db');
      expect(rows[0].version).toMatch(/^PostgreSQL \d+/);
      expect(first).toContain(`/${rows[0].db}`);
      await client.query('CREATE TABLE probe (id int PRIMARY KEY)');
      await client.query('INSERT INTO probe VALUES (1)');
    } finally {
      await client.end();
    }
  });

  it('hands out unique task queues and a bundle on disk', () => {
    expect(testTaskQueue('q')).not.toBe(testTaskQueue('q'));
    expect(testTaskQueue('processes')).toMatch(/^processes-/);
    expect(existsSync(inject('workflowBundlePath'))).toBe(true);
  });
});
