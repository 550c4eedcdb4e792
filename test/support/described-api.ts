// The routes the endpoint fuzz must cover, read from the app itself before anything runs: every
// API operation from the OpenAPI document the route declarations make (api/openapi.ts), and every
// form post the pages serve. The app is built with a pool that never connects and no Temporal
// client (building it touches neither), so the list exists when vitest collects the tests and a
// route declared later gets its own test without anyone writing it down.
import type { Client } from '@temporalio/client';
import { createApp } from '../../api/app';
import { openApiDocument, servedRoutes } from '../../api/openapi';
import { createPool } from '../../db/pool';
import { pageSettingsFrom } from '../../pages/settings';
import { pageStepsOf, type PageStep } from '../../pages/steps';
import type { QueryParameter, Schema } from './arbitraries';

export interface Operation {
  /** `POST /api/contracts/{number}/approval`. */
  key: string;
  method: string;
  /** OpenAPI style: `/api/contracts/{number}/approval`. */
  path: string;
  pathParameters: string[];
  query: QueryParameter[];
  body?: Schema;
  keyed: boolean;
  /** Who may call it (`x-roles`): `anyone`, or roles. */
  roles: string[];
}

/** A form post of the pages: `POST /staff/:id` (Express style). */
export interface PageRoute {
  key: string;
  path: string;
  pathParameters: string[];
}

export interface DescribedApi {
  document: Record<string, any>;
  operations: Operation[];
  pageRoutes: PageRoute[];
  pageSteps: PageStep[];
}

/** The operations an OpenAPI document lists (the served one, or the one made here). */
export function operationsOf(document: Record<string, any>): Operation[] {
  return Object.entries(document.paths as Record<string, Record<string, any>>).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]): Operation => {
      const parameters = (op.parameters ?? []) as { name: string; in: string; schema: Schema }[];
      return {
        key: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        pathParameters: parameters.filter((p) => p.in === 'path').map((p) => p.name),
        query: parameters.filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: p.schema })),
        body: op.requestBody?.content?.['application/json']?.schema,
        keyed: parameters.some((p) => p.in === 'header' && p.name === 'Idempotency-Key'),
        roles: op['x-roles'] ?? [],
      };
    }),
  );
}

export function describedApi(): DescribedApi {
  const app = createApp({
    db: createPool('postgres://nobody@127.0.0.1:1/never'),
    temporal: {} as Client,
    config: {
      adminToken: 'never-used-0123456789',
      contract: {} as never,
      temporal: { address: '127.0.0.1:1', namespace: 'default', taskQueue: 'never', callTimeoutMs: 1_000 },
    },
    pages: pageSettingsFrom({}),
  });
  const document = openApiDocument(app);
  const pageRoutes = servedRoutes(app)
    .filter((r) => r.method === 'post' && !r.path.startsWith('/api'))
    .map((r) => ({ key: `POST ${r.path}`, path: r.path, pathParameters: [...r.path.matchAll(/:(\w+)/g)].map((m) => m[1]!) }));
  return { document, operations: operationsOf(document), pageRoutes, pageSteps: pageStepsOf(app) };
}
