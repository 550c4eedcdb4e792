// Production entry point: `node dist/worker/main.js`, configured by environment variables.
import { loadConfigOrExit } from '../config/env';
import { createPool } from '../db/pool';
import { installWorkerLogging, startProcessWorker } from './create-worker';

export async function runWorker(): Promise<void> {
  const config = loadConfigOrExit();
  installWorkerLogging(config.logLevel);
  const db = createPool(config.databaseUrl);
  try {
    const { running, worker } = await startProcessWorker(config, db);
    const [taskQueue, ...legacy] = worker.taskQueues;
    const legacyNote = legacy.length
      ? ` and legacy task queue${legacy.length > 1 ? 's' : ''} ${legacy.map((q) => `"${q}"`).join(', ')}`
      : '';
    console.log(`worker: polling task queue "${taskQueue}"${legacyNote} on ${config.temporal.address}`);
    // The worker stops on SIGINT/SIGTERM once in-flight tasks are done.
    await running;
  } finally {
    await db.end();
  }
}

if (require.main === module) {
  runWorker().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
