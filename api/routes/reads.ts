// Lists for the caller: their open tasks and their notifications. Every list is a keyset page: `?limit=&cursor=` → `{items, nextCursor}`.
import { Router } from 'express';
import type { Pool } from 'pg';
import { markReadSchema, notificationsQuerySchema, tasksQuerySchema, uuid } from '../../domain/schemas';
import { markNotificationsRead, notificationsPage, openTasksPage } from '../../db/inbox';
import { route } from '../described-routes';
import { notFound } from '../errors';

export function createReadsRouter({ db }: { db: Pool }): Router {
  const router = Router();

  route(
    router,
    {
      method: 'get',
      path: '/tasks',
      summary: "The caller's open tasks: theirs and their roles', oldest first",
      who: 'anyone',
      query: tasksQuerySchema,
      answers: {
        200: '{items: [{id, process, clientId, contractNumber, kind, title, assigneeStaffId, assigneeName, assigneeRole, openedAt, dueAt}], nextCursor}',
      },
      tag: 'tasks',
    },
    async (_req, res, { actor, query }) => {
      const { limit, cursor } = query();
      res.json(await openTasksPage(db, actor.staffId, actor.roles, { limit, after: cursor }));
    },
  );

  route(
    router,
    {
      method: 'get',
      path: '/notifications',
      summary: "The caller's notifications, newest first; unread=true for the unread ones",
      who: 'anyone',
      query: notificationsQuerySchema,
      answers: { 200: '{items: [… readAt], nextCursor}' },
      tag: 'notifications',
    },
    async (_req, res, { actor, query }) => {
      const { limit, cursor, unread } = query();
      res.json(await notificationsPage(db, actor, { limit, after: cursor, unread }));
    },
  );

  route(
    router,
    {
      method: 'post',
      path: '/notifications/read',
      summary: "Mark the caller's notifications read: the given ids (others' are skipped), or all of them",
      who: 'anyone',
      body: markReadSchema,
      answers: { 200: '{items: [{id, readAt}]}' },
      tag: 'notifications',
    },
    async (_req, res, { actor, body }) => {
      const { ids } = body();
      const items = await markNotificationsRead(db, actor, ids);
      res.json({ items });
    },
  );

  route(
    router,
    {
      method: 'post',
      path: '/notifications/:id/read',
      summary: "Mark one of the caller's notifications read; anyone else's is a 404",
      who: 'anyone',
      answers: { 200: '{id, readAt}' },
      tag: 'notifications',
    },
    async (req, res, { actor }) => {
      const id = uuid.safeParse(req.params.id);
      const [marked] = id.success ? await markNotificationsRead(db, actor, [id.data]) : [];
      // Someone else's notification is as unknown to the caller as one that does not exist.
      if (!marked) throw notFound(`notification ${req.params.id}`);
      res.json(marked);
    },
  );

  return router;
}
