import { Router } from 'express';
import type { Pool } from 'pg';
import { newClientSchema, uuid } from '../../domain/schemas';
import { findClient, insertClient } from '../../db/clients';
import { actorOf, allow } from '../auth';
import { notFound } from '../errors';

export function createClientsRouter({ db }: { db: Pool }): Router {
  const router = Router();

  router.post('/clients', allow('ops', 'manager'), async (req, res) => {
    const client = newClientSchema.parse(req.body);
    res.status(201).json(await insertClient(db, client, actorOf(req).staffId));
  });

  router.get('/clients/:id', async (req, res) => {
    const id = uuid.safeParse(req.params.id);
    const client = id.success ? await findClient(db, id.data) : undefined;
    if (!client) throw notFound(`client ${req.params.id}`);
    res.json(client);
  });

  return router;
}
