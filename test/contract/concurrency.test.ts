// Steps thrown at a contract all at once, as a double-clicking user or a retrying client would:
// exactly one of identical steps is taken, conflicting steps never both act, and every timeline
// stays a path through the state diagram with the registry equal to the workflow.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectConsistent } from '../support/contract-checks';
import { castAndClient, contractBody, stepOk, type Cast } from '../support/fixtures';
import { eventually, startHarness, type Harness } from '../support/harness';

const DAY = 86_400_000;
let h: Harness;
let cast: Cast;

beforeAll(async () => {
  h = await startHarness({ contractSla: { followUpAfterMs: 1_500 } });
  cast = await castAndClient(h);
});
afterAll(() => h?.close());

const all = <T>(n: number, make: (i: number) => Promise<T>) => Promise.all(Array.from({ length: n }, (_, i) => make(i)));
const statusCounts = (statuses: number[]) => statuses.reduce<Record<number, number>>((acc, s) => ({ ...acc, [s]: (acc[s] ?? 0) + 1 }), {});

async function created(body = contractBody(cast.clientId, cast.manager.id), on: { h: Harness; cast: Cast } = { h, cast }): Promise<string> {
  const res = await on.h.request('POST', '/api/contracts', { token: on.cast.ops.token, body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.number;
}

async function sent(): Promise<string> {
  const number = await created();
  await stepOk(h, cast.director, 'POST', `/api/contracts/${number}/signature`);
  await stepOk(h, cast.manager, 'POST', `/api/contracts/${number}/dispatch`, { channel: 'courier' });
  return number;
}

const count = async (sql: string, number: string) => (await h.db.query(sql, [number])).rows[0].n as number;

describe('identical steps at once', () => {
  it('twenty signatures of one contract: one is taken, the rest answer 409, one signature and one PDF', async () => {
    for (let trial = 0; trial < 4; trial++) {
      const number = await created();
      const answers = await all(20, () =>
        h.request('POST', `/api/contracts/${number}/signature`, { token: cast.director.token, body: {} }),
      );
      expect(statusCounts(answers.map((a) => a.status)), JSON.stringify(answers.find((a) => a.status >= 500)?.body)).toEqual({
        200: 1,
        409: 19,
      });
      const { events } = await expectConsistent(h, cast.manager, number);
      expect(events.filter((e) => e.step === 'signature')).toHaveLength(1);
      expect(await count('SELECT count(*)::int AS n FROM documents WHERE contract_number = $1', number)).toBe(1);
      expect(await count("SELECT count(*)::int AS n FROM tasks WHERE contract_number = $1 AND kind = 'dispatch'", number)).toBe(1);
    }
  });

  it('twenty signed scans and twenty originals: one of each', async () => {
    const number = await sent();
    const scans = await all(20, () => h.request('POST', `/api/contracts/${number}/signed-scan`, { token: cast.manager.token, body: {} }));
    expect(statusCounts(scans.map((a) => a.status))).toEqual({ 200: 1, 409: 19 });
    const originals = await all(20, () => h.request('POST', `/api/contracts/${number}/original`, { token: cast.manager.token, body: {} }));
    expect(statusCounts(originals.map((a) => a.status))).toEqual({ 200: 1, 409: 19 });
    const { events } = await expectConsistent(h, cast.manager, number);
    expect(events.map((e) => e.step).filter((s) => s === 'signed_scan' || s === 'original_received')).toEqual([
      'signed_scan',
      'original_received',
    ]);
    expect(await count('SELECT count(*)::int AS n FROM clients_base WHERE contract_number = $1', number)).toBe(1);
  });
});

describe('conflicting steps at once', () => {
  it('sign ‖ cancel: a cancelled contract is never signed back to life', async () => {
    const outcomes: string[] = [];
    for (let trial = 0; trial < 10; trial++) {
      const number = await created();
      const [sign, cancel] = await Promise.all([
        h.request('POST', `/api/contracts/${number}/signature`, { token: cast.director.token, body: {} }),
        h.request('POST', `/api/contracts/${number}/cancel`, { token: cast.manager.token, body: { reason: 'клиент передумал' } }),
      ]);
      expect([200, 409]).toContain(sign.status);
      expect(cancel.status).toBe(200);
      const { status, events } = await expectConsistent(h, cast.manager, number);
      expect(status).toBe('cancelled');
      expect(events.at(-1)!.step).toBe('cancellation');
      outcomes.push(sign.status === 200 ? 'signed, then cancelled' : 'cancelled first');
    }
    // Both orders are legitimate; what matters is that each one is a clean path.
    expect(outcomes).toHaveLength(10);
  });

  it('dispatch ‖ cancel ‖ signed scan ‖ original, many times: every timeline is a path and matches the registry', async () => {
    for (let trial = 0; trial < 6; trial++) {
      const number = await created();
      await stepOk(h, cast.director, 'POST', `/api/contracts/${number}/signature`);
      const paths = ['dispatch', 'signed-scan', 'original', 'cancel', 'dispatch', 'original'];
      const bodies: Record<string, unknown> = { dispatch: { channel: 'post' }, cancel: { reason: 'гонка' } };
      const answers = await Promise.all(
        paths.map((p) => h.request('POST', `/api/contracts/${number}/${p}`, { token: cast.manager.token, body: bodies[p] ?? {} })),
      );
      for (const a of answers) expect([200, 409], JSON.stringify(a.body)).toContain(a.status);
      await expectConsistent(h, cast.manager, number);
    }
  });

  it('a follow-up timer ‖ a signed scan: no call task is left open after the scan', async () => {
    for (let trial = 0; trial < 4; trial++) {
      const number = await sent();
      // The follow-up falls due 1.5 s after dispatch; the scan arrives around the same moment.
      await new Promise((resolve) => setTimeout(resolve, 1_300 + trial * 100));
      await stepOk(h, cast.manager, 'POST', `/api/contracts/${number}/signed-scan`);
      await new Promise((resolve) => setTimeout(resolve, 800));
      const { events } = await expectConsistent(h, cast.manager, number);
      const openFollowUps = await count(
        "SELECT count(*)::int AS n FROM tasks WHERE contract_number = $1 AND kind = 'follow_up' AND closed_at IS NULL",
        number,
      );
      expect(openFollowUps, JSON.stringify(events)).toBe(0);
      await stepOk(h, cast.manager, 'POST', `/api/contracts/${number}/cancel`, { reason: 'тест' });
    }
  });

  it('renewal ‖ expiry: a renewal after the expiry is due answers 409, and a renewed contract does not expire', async () => {
    // Its own product, whose contracts ending today expire 25 s from now.
    const today = new Date().toISOString().slice(0, 10);
    const expiresAt = Date.now() + 25_000;
    const h2 = await startHarness({ contractSla: { expiryAfterEndDateMs: expiresAt - Date.parse(today), renewalNoticeMs: 400 * DAY } });
    try {
      const cast2 = await castAndClient(h2);
      const lastMonth = new Date(Date.now() - 30 * DAY).toISOString().slice(0, 10);
      const nextYear = new Date(Date.now() + 365 * DAY).toISOString().slice(0, 10);
      const numbers = await all(8, async () => {
        const body = contractBody(cast2.clientId, cast2.manager.id);
        body.terms = { ...body.terms, startDate: lastMonth, endDate: today };
        const number = await created(body, { h: h2, cast: cast2 });
        await stepOk(h2, cast2.director, 'POST', `/api/contracts/${number}/signature`);
        await stepOk(h2, cast2.manager, 'POST', `/api/contracts/${number}/dispatch`, { channel: 'courier' });
        await stepOk(h2, cast2.manager, 'POST', `/api/contracts/${number}/original`);
        await stepOk(h2, cast2.lawyer, 'POST', `/api/contracts/${number}/client-record`);
        return number;
      });
      expect(Date.now()).toBeLessThan(expiresAt - 1_000);
      // Renewals spread from 400 ms before the expiry to 300 ms after it.
      const answers = await all(numbers.length, async (i) => {
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt - 400 + i * 100 - Date.now())));
        const sentAt = Date.now();
        const res = await h2.request('POST', `/api/contracts/${numbers[i]}/renewal`, {
          token: cast2.manager.token,
          body: { endDate: nextYear },
        });
        return { number: numbers[i]!, status: res.status, sentAt };
      });
      for (const a of answers) {
        expect([200, 409]).toContain(a.status);
        if (a.sentAt >= expiresAt + 100) expect(a.status).toBe(409);
      }
      for (const a of answers) {
        if (a.status === 409) {
          await eventually(
            async () =>
              (await h2.request('GET', `/api/contracts/${a.number}`, { token: cast2.manager.token })).body.status === 'expired'
                ? true
                : undefined,
            10_000,
            'expiry',
          );
        }
        const { status, events } = await expectConsistent(h2, cast2.manager, a.number);
        if (a.status === 200) {
          expect(status).toBe('active');
          expect(events.map((e) => e.step)).not.toContain('expiry');
        } else {
          expect(events.map((e) => e.step)).not.toContain('renewal');
        }
      }
    } finally {
      await h2.close();
    }
  });
});
