import { Router } from 'express';
import type { Pool } from 'pg';
import { newClientSchema, timelineQuerySchema, uuid } from '../../domain/schemas';
import { clientTimelinePage } from '../../db/contracts';
import { accountOf } from '../../db/accounts';
import { findClient, insertClient } from '../../db/clients';
import { actorOf, allow } from '../auth';
import { notFound } from '../errors';

export function createClientsRouter({ db }: { db: Pool }): Router {
  const router = Router();

  router.post('/clients', allow('ops', 'manager'), async (req, res) => {
    const client = newClientSchema.parse(req.body);
    res.status(201).json(await insertClient(db, client, actorOf(req).staffId));
  });

  // The client with where its relationship stands: its churn stage and health (healthy, 100, before it has one).
  router.get('/clients/:id', async (req, res) => {
    const id = uuid.safeParse(req.params.id);
    const client = id.success ? await findClient(db, id.data) : undefined;
    if (!client) throw notFound(`client ${req.params.id}`);
    const account = await accountOf(db, client.id);
    res.json({
      ...client,
      stage: account?.stage ?? 'healthy',
      health: account ? { score: account.health, reasons: account.healthReasons } : { score: 100, reasons: [] },
      account: account ?? null,
    });
  });

  // The client's one timeline: its onboarding, its contracts, its relationship's events, in order, each step with its actor and wait.
  router.get('/clients/:id/timeline', async (req, res) => {
    const id = uuid.safeParse(req.params.id);
    const client = id.success ? await findClient(db, id.data) : undefined;
    if (!client) throw notFound(`client ${req.params.id}`);
    const { limit, cursor } = timelineQuerySchema.parse(req.query);
    res.json({ clientId: client.id, ...(await clientTimelinePage(db, client.id, { limit, after: cursor })) });
  });

  return router;
}
