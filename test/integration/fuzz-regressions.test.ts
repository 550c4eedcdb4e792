// Each 500 the endpoint fuzz (endpoint-fuzz.test.ts) found, kept as the request that showed it:
// it must now be a 400 naming what is wrong, and write nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { castAndClient, contractBody, isoDay, stepOk, type Cast } from '../support/fixtures';
import { ADMIN_TOKEN, startHarness, type Harness } from '../support/harness';
import { fingerprinter, type Fingerprinter } from '../support/table-fingerprint';

let h: Harness;
let prints: Fingerprinter;

let cast: Cast;

beforeAll(async () => {
  h = await startHarness();
  prints = await fingerprinter(h.db);
  cast = await castAndClient(h);
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

/** A contract in force, signed, sent, returned and entered in the clients base. */
async function activeContract(): Promise<string> {
  const body = contractBody(cast.clientId, cast.manager.id);
  body.terms = { ...body.terms, startDate: isoDay(-30), endDate: isoDay(365) };
  const created = await h.request('POST', '/api/contracts', { token: cast.ops.token, body });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const number: string = created.body.number;
  await stepOk(h, cast.director, 'POST', `/api/contracts/${number}/signature`);
  await stepOk(h, cast.manager, 'POST', `/api/contracts/${number}/dispatch`, { channel: 'courier' });
  await stepOk(h, cast.manager, 'POST', `/api/contracts/${number}/original`);
  expect(await stepOk(h, cast.lawyer, 'POST', `/api/contracts/${number}/client-record`)).toBe('active');
  return number;
}

describe('revised terms its process refuses', () => {
  it('leave no draft of an amendment behind (a 409 wrote one into amendment_drafts)', async () => {
    const number = await activeContract();
    const amended = await h.request('POST', `/api/contracts/${number}/amendments`, {
      token: cast.manager.token,
      body: { changes: { amount: 1_500_000 }, reason: 'рост объёма' },
    });
    expect(amended.status, JSON.stringify(amended.body)).toBe(201);
    expect(amended.body.status).toBe('pending_signature');
    const before = await prints.take();
    // Revised text is for an amendment the lawyer sent back; this one waits for its signature.
    for (const person of [cast.kamHead, cast.manager]) {
      const res = await h.request('PUT', `/api/amendments/${amended.body.id}/terms`, {
        token: person.token,
        body: { changes: { paymentTermsDays: 0 }, reason: '!' },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(409);
    }
    expect(await prints.take()).toEqual(before);
  });

  it('leave no draft of a contract behind (a 409 wrote one into contract_drafts)', async () => {
    const created = await h.request('POST', '/api/contracts', {
      token: cast.ops.token,
      body: contractBody(cast.clientId, cast.manager.id),
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.status).toBe('pending_signature');
    const { terms, deviations } = contractBody(cast.clientId, cast.manager.id);
    const before = await prints.take();
    // Revised terms answer the lawyer's request for changes; this contract waits for its signature.
    for (const person of [cast.kamHead, cast.manager]) {
      const res = await h.request('PUT', `/api/contracts/${created.body.number}/terms`, {
        token: person.token,
        body: { terms, deviations },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(409);
    }
    expect(await prints.take()).toEqual(before);
  });
});
