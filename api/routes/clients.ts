import { Router } from 'express';
import type { Pool } from 'pg';
import { newClientSchema, timelineQuerySchema } from '../../domain/schemas';
import { clientTimelinePage } from '../../db/timelines';
import { accountOf, healthOfAccount } from '../../db/account/accounts';
import { findClient, insertClient } from '../../db/clients';
import { route } from '../described-routes';
import { foundByUuid } from '../errors';

export function createClientsRouter({ db }: { db: Pool }): Router {
  const router = Router();

  route(
    router,
    {
      method: 'post',
      path: '/clients',
      summary: 'Register a client: its requisites (the INN check digits verified) and its contacts with their decision roles',
      who: ['ops', 'manager'],
      body: newClientSchema,
      answers: { 201: '{id, code}' },
      tag: 'clients',
    },
    async (_req, res, { actor, body }) => {
      const client = body();
      res.status(201).json(await insertClient(db, client, actor.staffId));
    },
  );

  // The client with where its relationship stands: its churn stage and health (healthy, 100, before it has one).
  route(
    router,
    {
      method: 'get',
      path: '/clients/:id',
      summary: 'A client with its contacts and where its relationship stands: its stage and health',
      who: 'anyone',
      answers: { 200: 'the client with contacts, stage (healthy before it has an account), health and account (or null)' },
      tag: 'clients',
    },
    async (req, res) => {
      const client = await foundByUuid(req.params.id, (id) => findClient(db, id), 'client');
      const account = await accountOf(db, client.id);
      res.json({ ...client, stage: account?.stage ?? 'healthy', health: healthOfAccount(account), account: account ?? null });
    },
  );

  // The client's one timeline: its onboarding, its contracts, its relationship's events, in order, each step with its actor and wait.
  route(
    router,
    {
      method: 'get',
      path: '/clients/:id/timeline',
      summary: "The client's one timeline: the steps of its onboarding, contracts and relationship in order, a keyset page",
      who: 'anyone',
      query: timelineQuerySchema,
      answers: { 200: '{clientId, items: [{process, workflowId, contractNumber, step, actor, waited ms, …}], nextCursor}' },
      tag: 'clients',
    },
    async (req, res, { query }) => {
      const client = await foundByUuid(req.params.id, (id) => findClient(db, id), 'client');
      const { limit, cursor } = query();
      res.json({ clientId: client.id, ...(await clientTimelinePage(db, client.id, { limit, after: cursor })) });
    },
  );

  return router;
}
