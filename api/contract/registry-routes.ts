// The contract registration registry: a page, or every matching row as CSV.
import { Router } from 'express';
import type { Pool } from 'pg';
import { listRegistry, registryPage } from '../../db/contract/registry';
import { REGISTRY_CSV_COLUMNS } from '../../db/contract/registry-fields';
import { toCsv } from '../csv';
import { route } from '../described-routes';
import { registryFilterSchema } from './schemas';

export function createRegistryRouter({ db }: { db: Pool }): Router {
  const router = Router();

  route(
    router,
    {
      method: 'get',
      path: '/registry',
      summary:
        'The contract registration registry, filtered by status, manager and registration dates; a page, or every matching row as CSV',
      who: 'anyone',
      query: registryFilterSchema,
      answers: { 200: '{items, nextCursor}; with format=csv, every matching row (unpaged) as contract-registry.csv' },
      produces: 'json-or-csv',
      tag: 'registry',
    },
    async (_req, res, { query }) => {
      const { format, limit, cursor, ...filter } = query();
      if (format === 'csv') {
        // An export is the whole registry as filtered; a page of it would silently drop rows.
        res.type('text/csv; charset=utf-8').set('Content-Disposition', 'attachment; filename="contract-registry.csv"');
        res.send(toCsv(await listRegistry(db, filter), REGISTRY_CSV_COLUMNS));
        return;
      }
      res.json(await registryPage(db, filter, { limit, after: cursor }));
    },
  );

  return router;
}
