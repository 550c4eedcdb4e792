// Where time goes: per step and per person, how long the waits of the period were (median, 90th
// percentile) and how many kept their SLA, for the head of the team to see the bottleneck.
import { Router } from 'express';
import type { Pool } from 'pg';
import { z } from 'zod';
import { isoDate } from '../../domain/schemas';
import { PROCESS_TYPES } from '../../domain/processes';
import type { OverdueAfter } from '../../db/processes';
import { waitsReport } from '../../db/waits';
import { route } from '../described-routes';

/** The period when none is given: the last 30 days, today included. */
export const DEFAULT_WAITS_DAYS = 30;

const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

export const waitsQuerySchema = z
  .object({ from: isoDate.optional(), to: isoDate.optional(), type: z.enum(PROCESS_TYPES).optional() })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: 'must not be before from', path: ['to'] })
  .transform((q) => {
    const to = q.to ?? (q.from && q.from > day(Date.now()) ? q.from : day(Date.now()));
    const from = q.from ?? day(Date.parse(to) - (DEFAULT_WAITS_DAYS - 1) * 86_400_000);
    return { from, to, type: q.type };
  });

export function createWaitsRouter({ db, overdueAfter }: { db: Pool; overdueAfter: OverdueAfter }): Router {
  const router = Router();

  route(
    router,
    {
      method: 'get',
      path: '/analytics/waits',
      summary:
        'Where time goes: per step (task kind) and per person, the count, median and 90th-percentile wait and SLA compliance of the tasks opened in [from, to] (default: the last 30 days), of one process type or all',
      who: ['kam_head', 'director', 'admin'],
      rule: "an open task counts by its age so far; SLA: done by its due time, or (without one) within its type's overdue threshold",
      query: waitsQuerySchema,
      answers: {
        200: '{from, to, type, asOf, steps: [{type, kind, count, open, medianMs, p90Ms, maxMs, slaMet, slaShare}], people: [{staffId, name, role, …}], events: [{type, step, count, medianMs, p90Ms}], slowest}',
      },
      tag: 'analytics',
    },
    async (_req, res, { query }) => {
      res.json(await waitsReport(db, query(), overdueAfter));
    },
  );

  return router;
}
