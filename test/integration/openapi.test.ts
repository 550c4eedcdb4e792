// The API describes itself, and the description is the API: every route the app serves is in the
// OpenAPI document (none undescribed, none described but not served), each with the roles that may
// call it (a person without them gets 403; with them, not 403) and the body schema the route
// really validates (an empty body to a route without ids is refused naming the schema's required
// fields). The reference page is served from the installed package, with a policy of its own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app';
import { servedApiRoutes } from '../../api/openapi';
import { ROLES, type Role } from '../../domain/people';
import { QUIET_CONTRACT_SLA, startHarness, ADMIN_TOKEN, type Harness, type Person } from '../support/harness';

let h: Harness;
let doc: any;
const people = new Map<Role, Person>();

beforeAll(async () => {
  h = await startHarness();
  for (const role of ROLES) people.set(role, await h.person(`Сотрудник ${role}`, [role]));
  const res = await h.request('GET', '/api/openapi.json');
  expect(res.status).toBe(200);
  doc = res.body;
});
afterAll(() => h?.close());

interface Operation {
  method: string;
  path: string;
  roles: string[];
  body?: { required?: string[] };
  public: boolean;
}

const operations = (): Operation[] =>
  Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({
      method,
      path,
      roles: op['x-roles'],
      body: op.requestBody?.content?.['application/json']?.schema,
      public: Array.isArray(op.security) && op.security.length === 0,
    })),
  );

/** GET and HEAD carry no body. */
const bodyFor = (op: Operation) => (op.method === 'get' ? {} : { body: {} });
const UUID = '3f1c1f64-2d5a-4a57-9b0e-6f1f3c1b2a10';
/** A path with every id filled in by one that names nothing. */
const concrete = (path: string) =>
  path.replace(/\{(\w+)\}/g, (_m, name: string) => (name === 'number' ? 'CT-2026-99999' : name === 'item' ? 'training' : UUID));

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1, served without a token, and lists every route the app serves, and only those', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc['x-undescribed']).toBeUndefined();
    const app = createApp({
      db: h.db,
      temporal: h.temporal,
      config: {
        adminToken: ADMIN_TOKEN,
        contract: QUIET_CONTRACT_SLA,
        temporal: { address: h.temporalAddress, namespace: 'default', taskQueue: h.taskQueue, callTimeoutMs: 2_000 },
      },
    });
    const served = servedApiRoutes(app).map((r) => `${r.method.toUpperCase()} ${r.path.replace(/:(\w+)/g, '{$1}')}`);
    const documented = operations().map((o) => `${o.method.toUpperCase()} ${o.path}`);
    expect(
      served.filter((r) => !documented.includes(r)),
      'served but not described',
    ).toEqual([]);
    expect(
      documented.filter((r) => !served.includes(r)),
      'described but not served',
    ).toEqual([]);
    expect(served.length).toBeGreaterThan(60);
  });

  it('names the roles of each route: a person without them gets 403, one with them does not', async () => {
    let checked = 0;
    for (const op of operations()) {
      if (op.public || op.roles.includes('anyone')) continue;
      const outsider = ROLES.find((r) => !op.roles.includes(r));
      if (outsider) {
        const refused = await h.request(op.method.toUpperCase(), concrete(op.path), { token: people.get(outsider)!.token, ...bodyFor(op) });
        expect(refused.status, `${op.method} ${op.path} as ${outsider}: ${JSON.stringify(refused.body)}`).toBe(403);
      }
      const insider = op.roles[0] as Role;
      const allowed = await h.request(op.method.toUpperCase(), concrete(op.path), { token: people.get(insider)!.token, ...bodyFor(op) });
      expect(allowed.status, `${op.method} ${op.path} as ${insider}: ${JSON.stringify(allowed.body)}`).not.toBe(403);
      expect(allowed.status).toBeLessThan(500);
      checked++;
    }
    expect(checked).toBeGreaterThan(30);
  });

  it('gives each body the schema the route validates with: an empty body is refused naming its required fields', async () => {
    let checked = 0;
    for (const op of operations()) {
      if (!op.body?.required?.length || op.path.includes('{')) continue;
      const role = op.roles.includes('anyone') ? 'admin' : (op.roles[0] as Role);
      const res = await h.request(op.method.toUpperCase(), op.path, {
        token: role === 'admin' ? ADMIN_TOKEN : people.get(role)!.token,
        body: {},
      });
      expect(res.status, `${op.method} ${op.path}: ${JSON.stringify(res.body)}`).toBe(400);
      const named = (res.body.error.issues as { path: string }[]).map((i) => i.path.split('.')[0]);
      for (const field of op.body.required) expect(named, `${op.method} ${op.path} names ${field}`).toContain(field);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(4);
  });

  it('is readable at /api/docs, from the installed package, with a policy that lets only that page run its script', async () => {
    const page = await h.request('GET', '/api/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.body).toContain('/api/docs/assets/swagger-ui-bundle.js');
    expect(page.body).not.toMatch(/https?:\/\//);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const bundle = await h.request('GET', '/api/docs/assets/swagger-ui-bundle.js');
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get('content-type')).toMatch(/javascript/);
    // Every other answer keeps the API's own policy.
    const health = await h.request('GET', '/api/health');
    expect(health.headers.get('content-security-policy')).toMatch(/^default-src 'none'/);
    expect((await h.request('GET', '/api/docs/assets/no-such-file.js')).status).toBe(404);
  });
});
