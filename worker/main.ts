// Production entry point: `node dist/worker/main.js`, configured by environment variables.
import { loadConfigOrExit } from '../config/env';
import { createPool } from '../db/pool';
import { installWorkerLogging, startContractWorker } from './create-worker';

export async function runWorker(): Promise<void> {
  const config = loadConfigOrExit();
  installWorkerLogging(config.logLevel);
  const db = createPool(config.databaseUrl);
  try {
    const { running } = await startContractWorker(config, db);
    console.log(`worker: polling task queue "${config.temporal.taskQueue}" on ${config.temporal.address}`);
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
