// The HTTP API: a thin layer that checks who is asking and what they send, then reads Postgres
// or hands the step to the contract's workflow.
import express, { type Express } from 'express';
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import type { Config } from '../config/env';
import { authenticate } from './auth';
import { createContractService } from './contract-service';
import { errorFunnel, notFound } from './errors';
import { createClientsRouter } from './routes/clients';
import { createContractReadsRouter } from './routes/contract-reads';
import { createContractsRouter } from './routes/contracts';
import { createReadsRouter } from './routes/reads';
import { createStaffRouter } from './routes/staff';

export interface AppDeps {
  db: Pool;
  temporal: Client;
  config: Pick<Config, 'adminToken' | 'sla' | 'temporal'>;
}

export function createApp({ db, temporal, config }: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '1mb' }));

  // Health answers without a token so load balancers and compose can use it.
  app.get('/api/health', async (_req, res) => {
    const [postgres, temporalServer] = await Promise.all([
      db.query('SELECT 1').then(() => true, () => false),
      temporal.workflowService.getSystemInfo({}).then(() => true, () => false),
    ]);
    res.status(postgres && temporalServer ? 200 : 503).json({ postgres, temporal: temporalServer });
  });

  const contracts = createContractService({ db, temporal, taskQueue: config.temporal.taskQueue, sla: config.sla });
  const api = express.Router();
  api.use(authenticate(db, config.adminToken));
  api.use(createStaffRouter({ db }));
  api.use(createClientsRouter({ db }));
  api.use(createContractsRouter({ contracts }));
  api.use(createContractReadsRouter({ db }));
  api.use(createReadsRouter({ db }));
  app.use('/api', api);

  app.use((req) => {
    throw notFound(`${req.method} ${req.path}`);
  });
  app.use(errorFunnel);
  return app;
}
