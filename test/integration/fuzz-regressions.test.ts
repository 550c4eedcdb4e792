// Each 500 the endpoint fuzz (endpoint-fuzz.test.ts) found, kept as the request that showed it:
// it must now be a 400 naming what is wrong, and write nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { ADMIN_TOKEN, startHarness, type Harness } from '../support/harness';
import { fingerprinter, type Fingerprinter } from '../support/table-fingerprint';

let h: Harness;
let prints: Fingerprinter;

beforeAll(async () => {
  h = await startHarness({ worker: false });
  prints = await fingerprinter(h.db);
});
afterAll(() => h?.close());

const issuePaths = (res: { body: any }): string[] => (res.body?.error?.issues ?? []).map((i: { path: string }) => i.path);

/** `{"a":{"a":…1…}}`, `depth` objects deep, as text (JSON.stringify could not write it). */
const nested = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

describe('a body nested deeper than any route takes', () => {
  it('is a 400 naming the body, not a stack overflow, when an Idempotency-Key makes its fingerprint', async () => {
    const manager = await h.person('Мария Менеджерова', ['manager']);
    const before = await prints.take();
    const cases: [token: string, path: string, body: string][] = [
      // A step's key is kept with a fingerprint of its body (api/keyed-answers.ts).
      [manager.token, `/api/notifications/${randomUUID()}/read`, nested(100_000)],
      [manager.token, '/api/notifications/read', `[${nested(5_000)}]`],
      [manager.token, '/api/contracts/CT-2026-00001/cancel', `{"reason":"x","x":${nested(50_000)}}`],
      [ADMIN_TOKEN, `/api/tasks/${randomUUID()}/done`, `[${'['.repeat(20_000)}${']'.repeat(20_000)}]`],
    ];
    for (const [token, path, body] of cases) {
      const res = await h.request('POST', path, { token, body, headers: { 'Idempotency-Key': `deep-${randomUUID()}` } });
      expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBe(400);
      expect(issuePaths(res)).toEqual(['(body)']);
      expect(res.body.error.issues[0].message).toMatch(/nest/);
    }
    expect(await prints.take()).toEqual(before);
    // A body nested as deep as the limit still has its key kept.
    const res = await h.request('POST', '/api/notifications/read', {
      token: manager.token,
      body: `{"ids":[],"x":${nested(30)}}`,
      headers: { 'Idempotency-Key': `deep-${randomUUID()}` },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  });
});
