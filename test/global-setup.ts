// Once per test run: a Temporal dev server (in memory), a Postgres server, and the workflow
// bundle, shared by every test file through vitest's provide/inject.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../scripts/embedded-postgres';
import { ensureTemporalCli, startTemporalDevServer } from '../scripts/temporal-cli';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    postgresAdminUrl: string;
    workflowBundlePath: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const log = (msg: string) => console.log(`[test setup] ${msg}`);
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'contract-engine-test-'));
  const stops: (() => Promise<void>)[] = [];
  try {
    const cli = await ensureTemporalCli(log);
    // Started side by side; whatever did start is stopped again if another part fails.
    const started = <T extends { stop(): Promise<void> }>(server: T): T => {
      stops.push(server.stop);
      return server;
    };
    const [temporal, postgres, bundle] = await Promise.all([
      startTemporalDevServer({ cli, headless: true, logFile: path.join(scratch, 'temporal.log'), log }).then(started),
      process.env.TEST_DATABASE_URL
        ? { url: process.env.TEST_DATABASE_URL, stop: async () => undefined }
        : startEmbeddedPostgres({ dataDir: path.join(scratch, 'postgres'), persistent: false, log }).then(started),
      bundleWorkflowCode({ workflowsPath: path.join(__dirname, '..', 'workflows', 'index.ts'), logger: quietLogger }),
    ]);
    const workflowBundlePath = path.join(scratch, 'workflow-bundle.js');
    writeFileSync(workflowBundlePath, bundle.code);
    project.provide('temporalAddress', temporal.address);
    project.provide('postgresAdminUrl', postgres.url);
    project.provide('workflowBundlePath', workflowBundlePath);
  } catch (err) {
    for (const stop of stops) await stop().catch(() => undefined);
    throw err;
  }
  return async () => {
    for (const stop of stops) await stop().catch(() => undefined);
    rmSync(scratch, { recursive: true, force: true });
  };
}

const quietLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};
