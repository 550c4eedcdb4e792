// Every process of every type, as one list from Postgres: its stage, owner, age, and what it
// waits on now and since when. `?overdue=true` keeps those with a task open past their type's
// step reminder delay, or an open escalation.
import { Router } from 'express';
import type { Pool } from 'pg';
import { z } from 'zod';
import { CONTRACT_STATUSES } from '../../domain/contract';
import { ONBOARDING_STAGES } from '../../domain/onboarding';
import { ACCOUNT_STAGES } from '../../domain/account';
import { LIMITS, pageQuerySchema, uuid } from '../../domain/schemas';
import { PROCESS_TYPES } from '../../domain/processes';
import { processesPage, type OverdueAfter } from '../../db/processes';
import { route } from '../described-routes';

const STAGES = [...new Set<string>([...CONTRACT_STATUSES, ...ONBOARDING_STAGES, ...ACCOUNT_STAGES])];

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
        'Every process of every type (contracts, onboardings, accounts): its stage, owner, age and what it waits on now; overdue=true for the late ones',
      who: 'anyone',
      query: processesQuerySchema,
      answers: { 200: '{items, nextCursor}' },
      tag: 'processes',
    },
    async (_req, res, { query }) => {
      const { limit, cursor, ...filter } = query();
      res.json(await processesPage(db, filter, overdueAfter, { limit, after: cursor }));
    },
  );

  return router;
}
