// Every process of every type, as one list from Postgres: its stage, owner, age, and what it
// waits on now and since when. `?overdue=true` keeps those with a task open past their type's
// step reminder delay, or an open escalation.
import { Router } from 'express';
import type { Pool } from 'pg';
import { z } from 'zod';
import { LIMITS, pageQuerySchema, uuid } from '../../domain/schemas';
import { PROCESS_TYPES } from '../../domain/processes';
import { processesPage, type OverdueAfter } from '../../db/processes';
import { route } from '../described-routes';
import { ALL_STAGES as STAGES, processUrl } from '../process-apis';

export const processesQuerySchema = pageQuerySchema(
  z
    .string()
    .max(LIMITS.cursor)
    .regex(/^[A-Za-z0-9-]{1,64}$/),
).extend({
  type: z.enum(PROCESS_TYPES).optional(),
  stage: z
    .string()
    .refine((s) => STAGES.includes(s), `must be one of: ${STAGES.join(', ')}`)
    .optional(),
  managerId: uuid.optional(),
  clientId: uuid.optional(),
  overdue: z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .transform((v) => v === 'true')
    .optional(),
});

export function createProcessesRouter({ db, overdueAfter }: { db: Pool; overdueAfter: OverdueAfter }): Router {
  const router = Router();

  route(
    router,
    {
      method: 'get',
      path: '/processes',
      summary:
        'Every process of every type (contracts, onboardings, accounts, amendments…): its stage, owner, age and what it waits on now; overdue=true for the late ones',
      who: 'anyone',
      query: processesQuerySchema,
      answers: { 200: '{items: [{type, id, number, url, stage, …}], nextCursor}' },
      tag: 'processes',
    },
    async (_req, res, { query }) => {
      const { limit, cursor, ...filter } = query();
      const page = await processesPage(db, filter, overdueAfter, { limit, after: cursor });
      res.json({ ...page, items: page.items.map((item) => ({ ...item, url: processUrl(item.type, item.id) })) });
    },
  );

  return router;
}
