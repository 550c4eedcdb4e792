import { Router } from 'express';
import type { Pool } from 'pg';
import { newClientSchema, timelineQuerySchema } from '../../domain/schemas';
import { clientTimelinePage } from '../../db/contracts';
import { accountOf, healthOfAccount } from '../../db/accounts';
import { findClient, insertClient } from '../../db/clients';
import { actorOf, allow } from '../auth';
import { foundByUuid } from '../errors';

export function createClientsRouter({ db }: { db: Pool }): Router {
  const router = Router();

  router.post('/clients', allow('ops', 'manager'), async (req, res) => {
    const client = newClientSchema.parse(req.body);
    res.status(201).json(await insertClient(db, client, actorOf(req).staffId));
  });

  // The client with where its relationship stands: its churn stage and health (healthy, 100, before it has one).
  router.get('/clients/:id', async (req, res) => {
    const client = await foundByUuid(req.params.id, (id) => findClient(db, id), 'client');
    const account = await accountOf(db, client.id);
    res.json({ ...client, stage: account?.stage ?? 'healthy', health: healthOfAccount(account), account: account ?? null });
  });

  // The client's one timeline: its onboarding, its contracts, its relationship's events, in order, each step with its actor and wait.
  router.get('/clients/:id/timeline', async (req, res) => {
    const client = await foundByUuid(req.params.id, (id) => findClient(db, id), 'client');
    const { limit, cursor } = timelineQuerySchema.parse(req.query);
    res.json({ clientId: client.id, ...(await clientTimelinePage(db, client.id, { limit, after: cursor })) });
  });

  return router;
}
