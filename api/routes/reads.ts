// Lists for the caller: the registry (a page, or every matching row as CSV), their open tasks
// and their notifications. Every list is a keyset page: `?limit=&cursor=` → `{items, nextCursor}`.
import { Router } from 'express';
import type { Pool } from 'pg';
import { markReadSchema, notificationsQuerySchema, registryFilterSchema, tasksQuerySchema, uuid } from '../../domain/schemas';
import { listRegistry, markNotificationsRead, notificationsPage, openTasksPage, registryPage } from '../../db/contracts';
import { actorOf } from '../auth';
import { toCsv } from '../csv';
import { REGISTRY_CSV_COLUMNS } from '../../db/registry-fields';
import { notFound } from '../errors';

export function createReadsRouter({ db }: { db: Pool }): Router {
  const router = Router();

  router.get('/registry', async (req, res) => {
    const { format, limit, cursor, ...filter } = registryFilterSchema.parse(req.query);
    if (format === 'csv') {
      // An export is the whole registry as filtered; a page of it would silently drop rows.
      res.type('text/csv; charset=utf-8').set('Content-Disposition', 'attachment; filename="contract-registry.csv"');
      res.send(toCsv(await listRegistry(db, filter), REGISTRY_CSV_COLUMNS));
      return;
    }
    res.json(await registryPage(db, filter, { limit, after: cursor }));
  });

  router.get('/tasks', async (req, res) => {
    const { limit, cursor } = tasksQuerySchema.parse(req.query);
    const actor = actorOf(req);
    res.json(await openTasksPage(db, actor.staffId, actor.roles, { limit, after: cursor }));
  });

  router.get('/notifications', async (req, res) => {
    const { limit, cursor, unread } = notificationsQuerySchema.parse(req.query);
    res.json(await notificationsPage(db, actorOf(req), { limit, after: cursor, unread }));
  });

  router.post('/notifications/read', async (req, res) => {
    const { ids } = markReadSchema.parse(req.body ?? {});
    const items = await markNotificationsRead(db, actorOf(req), ids);
    res.json({ items });
  });

  router.post('/notifications/:id/read', async (req, res) => {
    const id = uuid.safeParse(req.params.id);
    const [marked] = id.success ? await markNotificationsRead(db, actorOf(req), [id.data]) : [];
    // Someone else's notification is as unknown to the caller as one that does not exist.
    if (!marked) throw notFound(`notification ${req.params.id}`);
    res.json(marked);
  });

  return router;
}
