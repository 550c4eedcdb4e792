// Production entry point: `node dist/worker/main.js`, configured by environment variables.
import { NativeConnection } from '@temporalio/worker';
import { loadConfigOrExit } from '../config/env';
import { createPool } from '../db/pool';
import { createContractWorker, installWorkerLogging } from './create-worker';

export async function runWorker(): Promise<void> {
  const config = loadConfigOrExit();
  installWorkerLogging(config.logLevel);
  const db = createPool(config.databaseUrl);
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  try {
    const worker = await createContractWorker({
      connection,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      db,
      company: config.company,
    });
    console.log(`worker: polling task queue "${config.temporal.taskQueue}" on ${config.temporal.address}`);
    // Worker.run() resolves after SIGINT/SIGTERM once in-flight tasks are done.
    await worker.run();
  } finally {
    await connection.close();
    await db.end();
  }
}

if (require.main === module) {
  runWorker().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
