import { Router } from 'express';
import type { Pool } from 'pg';
import { registryFilterSchema } from '../../domain/schemas';
import { listRegistry, notificationsFor, openTasksFor, type RegistryEntry } from '../../db/contracts';
import { actorOf } from '../auth';
import { toCsv } from '../csv';

const REGISTRY_CSV_COLUMNS: (keyof RegistryEntry)[] = [
  'number', 'status', 'clientCode', 'clientName', 'managerName', 'subject', 'amount', 'currency', 'startDate', 'endDate',
  'registeredAt', 'signedAt', 'sentDate', 'dispatchChannel', 'trackingRef', 'scanReceivedDate', 'returnedDate', 'archiveRef',
  'closedAt', 'closeReason',
];

export function createReadsRouter({ db }: { db: Pool }): Router {
  const router = Router();

  router.get('/registry', async (req, res) => {
    const { format, ...filter } = registryFilterSchema.parse(req.query);
    const entries = await listRegistry(db, filter);
    if (format === 'csv') {
      res.type('text/csv; charset=utf-8').set('Content-Disposition', 'attachment; filename="contract-registry.csv"');
      res.send(toCsv(entries, REGISTRY_CSV_COLUMNS));
      return;
    }
    res.json({ items: entries });
  });

  router.get('/tasks', async (req, res) => {
    const actor = actorOf(req);
    res.json({ items: await openTasksFor(db, actor.staffId, actor.roles) });
  });

  router.get('/notifications', async (req, res) => {
    const actor = actorOf(req);
    res.json({ items: await notificationsFor(db, actor.staffId, actor.roles) });
  });

  return router;
}
