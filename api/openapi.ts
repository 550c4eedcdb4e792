// The API describes itself: an OpenAPI 3.1 document made from the routes as they are mounted,
// each from its declaration (api/described-routes.ts) and the zod schemas it validates with
// (zod's own JSON Schema, draft 2020-12, which OpenAPI 3.1 uses). A route mounted without a
// declaration is listed under `x-undescribed`, which a test keeps empty.
import type { Express, Router } from 'express';
import { z } from 'zod';
import { specOf, type Method, type RouteSpec } from './described-routes';
import { IDEMPOTENCY_KEY } from './keyed-answers';

export interface ServedRoute {
  method: Method;
  /** Express style, with the mount prefix: `/api/contracts/:number`. */
  path: string;
  spec?: RouteSpec;
}

interface Layer {
  rawPath?: string;
  route?: { path: string; methods: Record<string, boolean>; stack: { handle: unknown; method?: string }[] };
  handle?: { stack?: Layer[] };
}

/** Every route an app or router serves, its mounted routers' included, each with its declaration. */
export function servedRoutes(app: Express | Router): ServedRoute[] {
  const routes: ServedRoute[] = [];
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const method of Object.keys(layer.route.methods).filter((m) => m !== '_all') as Method[]) {
          const spec = layer.route.stack.map((l) => specOf(l.handle)).find(Boolean);
          routes.push({ method, path: prefix + layer.route.path, spec });
        }
      } else if (layer.handle?.stack) {
        const mount = layer.rawPath && layer.rawPath !== '/' ? layer.rawPath : '';
        walk(layer.handle.stack, prefix + mount);
      }
    }
  };
  const stack =
    'router' in app && app.router ? (app.router as unknown as { stack: Layer[] }).stack : (app as unknown as { stack: Layer[] }).stack;
  walk(stack, '');
  return routes;
}

/** The API's routes: what is served under /api (the pages beside it are for people, not programs). */
export const servedApiRoutes = (app: Express | Router): ServedRoute[] =>
  servedRoutes(app).filter((r) => r.path === '/api' || r.path.startsWith('/api/'));

const jsonSchema = (schema: z.ZodType) => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
};

const ERROR = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        issues: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } } },
        reason: {
          type: 'object',
          description: "the refusal's kind (role, StepOutOfOrder, FourEyes, NotYours, InvalidStep, StepFailed) and what it names",
          properties: { kind: { type: 'string' }, params: { type: 'object' } },
          required: ['kind'],
        },
      },
      required: ['code', 'message'],
    },
  },
  required: ['error'],
};
const errorAnswer = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

/** `/contracts/:number` → `/contracts/{number}`, and the path parameters. */
function openApiPath(path: string): { path: string; params: string[] } {
  const params: string[] = [];
  const converted = path.replace(/:([A-Za-z_]\w*)/g, (_m, name: string) => {
    params.push(name);
    return `{${name}}`;
  });
  return { path: converted, params };
}

function operation(spec: RouteSpec, params: string[]): Record<string, unknown> {
  const roles = spec.public ? 'anyone, without a token' : spec.who === 'anyone' ? 'anyone signed in' : spec.who.join(', ');
  const parameters: Record<string, unknown>[] = params.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } }));
  if (spec.query) {
    const query = jsonSchema(spec.query) as { properties?: Record<string, unknown>; required?: string[] };
    for (const [name, schema] of Object.entries(query.properties ?? {})) {
      parameters.push({ name, in: 'query', required: (query.required ?? []).includes(name), schema });
    }
  }
  if (spec.keyed) {
    parameters.push({
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      description: 'The same key (1–200 visible ASCII characters) makes a retried request the same request, answered as the first time',
      schema: { type: 'string', pattern: IDEMPOTENCY_KEY.source },
    });
  }
  const content =
    spec.produces === 'document'
      ? { 'application/pdf': { schema: { type: 'string', format: 'binary' } } }
      : spec.produces === 'json-or-csv'
        ? { 'application/json': { schema: { type: 'object' } }, 'text/csv': { schema: { type: 'string' } } }
        : { 'application/json': { schema: { type: 'object' } } };
  const responses: Record<string, unknown> = {};
  for (const [status, description] of Object.entries(spec.answers)) {
    responses[status] =
      status === '204'
        ? { description }
        : { description, content: status === '202' ? { 'application/json': { schema: { type: 'object' } } } : content };
  }
  Object.assign(responses, {
    ...(spec.body || spec.query ? { 400: errorAnswer('the body or query is not valid: each issue names its field') } : {}),
    ...(spec.public ? {} : { 401: errorAnswer('no valid token') }),
    ...(spec.who !== 'anyone' || spec.rule ? { 403: errorAnswer(`not for the caller: ${roles}${spec.rule ? `; ${spec.rule}` : ''}`) } : {}),
    ...(params.length ? { 404: errorAnswer('nothing has this id') } : {}),
    ...(spec.keyed
      ? {
          409: errorAnswer('the step is out of order, already taken, or its process has ended'),
          422: errorAnswer('the process refused the step (invalid_step, step_failed), or the Idempotency-Key was used with another body'),
        }
      : {}),
    503: errorAnswer('Postgres or Temporal did not answer in time (Retry-After)'),
  });
  return {
    summary: spec.summary,
    description: `Who: ${roles}${spec.rule ? `; ${spec.rule}` : ''}.`,
    tags: [spec.tag],
    'x-roles': spec.who === 'anyone' ? ['anyone'] : [...spec.who],
    ...(parameters.length ? { parameters } : {}),
    ...(spec.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(spec.body) } } } } : {}),
    responses,
    security: spec.public ? [] : [{ bearer: [] }],
  };
}

/** The OpenAPI 3.1 document of everything `app` serves. */
export function openApiDocument(app: Express | Router): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const undescribed: string[] = [];
  for (const served of servedApiRoutes(app)) {
    if (!served.spec) {
      undescribed.push(`${served.method.toUpperCase()} ${served.path}`);
      continue;
    }
    const { path, params } = openApiPath(served.path);
    (paths[path] ??= {})[served.method] = operation(served.spec, params);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Contract engine',
      version: '1',
      description:
        'Durable processes for serving corporate clients: the contract procedure, client onboarding and the account relationship. ' +
        'Errors are {"error": {"code", "message", "issues"?}}; a step out of order is 409, a refused process step 403 or 422.',
    },
    servers: [{ url: '/' }],
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } }, schemas: { Error: ERROR } },
    paths,
    ...(undescribed.length ? { 'x-undescribed': undescribed } : {}),
  };
}
