// The production entry points and the migration runner, as an operator runs them.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../config/paths';
import { loadMigrations, migrate } from '../../db/migrate';
import { testDatabase } from '../support/env';

const run = promisify(execFile);
const entry = (name: string) => path.join(repoRoot(), 'dist', name);

async function exitOf(file: string, env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  try {
    await run(process.execPath, [file], { env: { PATH: process.env.PATH!, ...env }, timeout: 30_000 });
    return { code: 0, stderr: '' };
  } catch (err) {
    const e = err as { code: number; stderr: string };
    return { code: e.code, stderr: e.stderr };
  }
}

describe('entry points with bad configuration', () => {
  it('the API names the bad variable and exits 1', async () => {
    const { code, stderr } = await exitOf(entry('api/main.js'), {
      DATABASE_URL: 'postgres://x@127.0.0.1/x',
      PORT: 'eighty',
      ADMIN_TOKEN: 'short',
    });
    expect(code).toBe(1);
    expect(stderr).toContain('PORT');
    expect(stderr).toContain('ADMIN_TOKEN');
    expect(stderr).not.toContain('    at '); // a message, not a stack trace
  });

  it('the worker and the migration job refuse a missing DATABASE_URL', async () => {
    for (const file of ['worker/main.js', 'scripts/migrate.js']) {
      const { code, stderr } = await exitOf(entry(file), { SLA_REMINDER_AFTER: 'soon' });
      expect(code, file).toBe(1);
      expect(stderr, file).toContain('DATABASE_URL');
    }
  });
});

describe('migrations', () => {
  it('apply once, record themselves, and tolerate two runners at once', async () => {
    const url = await testDatabase();
    const [a, b] = await Promise.all([migrate(url), migrate(url)]);
    // Two runners at once: every migration is applied once, by one of them.
    expect([...a, ...b].sort()).toEqual(loadMigrations().map((m) => m.version));
    expect(await migrate(url)).toEqual([]);
    const { code, stderr } = await exitOf(entry('scripts/migrate.js'), { DATABASE_URL: url });
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  });
});
