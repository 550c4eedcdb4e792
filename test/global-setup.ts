// Once per test run: a Temporal dev server (in memory), a Postgres server, and the workflow
// bundle, shared by every test file through vitest's provide/inject.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { Client } from 'pg';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../scripts/embedded-postgres';
import { ensureTemporalCli, startTemporalDevServer } from '../scripts/temporal-cli';
import { ensureTemporalServer, startTemporalCluster } from '../scripts/temporal-cluster';
import { ensureChromium } from '../scripts/chromium';

declare module 'vitest' {
  export interface ProvidedContext {
    /** host:port of the shared Temporal dev server; namespace `default`. */
    temporalAddress: string;
    /** Superuser URL on a server where tests may CREATE DATABASE (see test/support/env.ts). */
    postgresAdminUrl: string;
    /** The workflows bundled once, for `Worker.create({ workflowBundle: { codePath } })`. */
    workflowBundlePath: string;
    /** Names this run's databases, so teardown can drop them from a shared TEST_DATABASE_URL server. */
    testDatabasePrefix: string;
  }
}

// Webpack resolves the folder to index.ts; Node's require.resolve would not find a .ts index.
const WORKFLOWS = path.join(__dirname, '..', 'workflows');

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = Date.now();
  const log = (msg: string) => console.log(`[test setup +${((Date.now() - started) / 1000).toFixed(1)}s] ${msg}`);
  if (!existsSync(path.join(WORKFLOWS, 'index.ts'))) throw new Error(`no workflows to bundle: ${WORKFLOWS}/index.ts is missing`);
  // The page tests' browser, before any server starts (an install takes a minute, once).
  ensureChromium(log);
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'contract-engine-test-'));
  // Teardown does not run when vitest is killed by a signal; the servers' own exit hooks do, and so does this.
  const removeScratch = () => rmSync(scratch, { recursive: true, force: true });
  process.once('exit', removeScratch);
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch((err) => console.error('[test teardown]', err));
    stops.length = 0;
  };
  try {
    const cli = await ensureTemporalCli(log);
    // The real server for the fault tests on the production topology: built here, once, so a first
    // build (minutes) does not count against a test's timeout.
    await ensureTemporalServer(log);
    // Started side by side; whatever did start is stopped again if another part fails.
    const track = <T extends { stop(): Promise<void> }>(server: T): T => {
      stops.push(() => server.stop());
      return server;
    };
    const external = process.env.TEST_DATABASE_URL;
    const testDatabasePrefix = `test_${randomBytes(3).toString('hex')}`;
    // An embedded server is thrown away whole; on someone's own server only this run's databases go.
    if (external) stops.push(() => dropDatabases(external, testDatabasePrefix));
    const postgresReady = external
      ? Promise.resolve(external)
      : startEmbeddedPostgres({ dataDir: path.join(scratch, 'postgres'), persistent: false, log })
          .then(track)
          .then((pg) => pg.url);
    // TEST_TEMPORAL=cluster: every test against the real server on Postgres (the production
    // topology, README "Production and scale") instead of the dev server.
    const onCluster = process.env.TEST_TEMPORAL === 'cluster';
    const [temporal, postgresAdminUrl, bundle] = await Promise.all([
      onCluster
        ? postgresReady
            .then((postgresUrl) =>
              startTemporalCluster({
                postgresUrl,
                databasePrefix: `${testDatabasePrefix}_temporal`,
                dir: path.join(scratch, 'cluster'),
                log,
              }),
            )
            .then(track)
        : startTemporalDevServer({ cli, headless: true, logFile: path.join(scratch, 'temporal.log'), log }).then(track),
      postgresReady,
      bundleWorkflowCode({ workflowsPath: WORKFLOWS, logger: quietLogger }),
    ]);
    const workflowBundlePath = path.join(scratch, 'workflow-bundle.js');
    writeFileSync(workflowBundlePath, bundle.code);
    project.provide('temporalAddress', temporal.address);
    project.provide('postgresAdminUrl', postgresAdminUrl);
    project.provide('workflowBundlePath', workflowBundlePath);
    project.provide('testDatabasePrefix', testDatabasePrefix);
    log(
      `ready: Temporal ${temporal.address}${onCluster ? ' (on Postgres)' : ''}, Postgres ${external ? 'from TEST_DATABASE_URL' : 'embedded'}, workflows bundled`,
    );
  } catch (err) {
    await stopAll();
    removeScratch();
    throw err;
  }
  return async () => {
    await stopAll();
    removeScratch();
  };
}

async function dropDatabases(adminUrl: string, prefix: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE starts_with(datname, $1)', [
      `${prefix}_`,
    ]);
    // FORCE: a test that did not close its pool must not keep its database alive.
    for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

// The bundler's progress lines would drown the test output; warnings and errors still show.
const quietLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};
