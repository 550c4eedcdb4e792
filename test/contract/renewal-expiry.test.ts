// Active contracts: the renewal task before the end date, renewal, and expiry.
// The end date is today and expiry is set to fall a few seconds from now, so no clock is faked.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { castAndClient, contractBody, stepOk, type Cast } from '../support/fixtures';
import { eventually, startHarness, type Harness } from '../support/harness';
import { keepHistory } from '../support/histories';

const DAY = 86_400_000;
const EXPIRES_IN_MS = 25_000;
let h: Harness;
let cast: Cast;
let today: string;

beforeAll(async () => {
  const now = Date.now();
  today = new Date(now).toISOString().slice(0, 10);
  const sinceMidnight = now - Date.parse(today);
  h = await startHarness({ contractSla: { expiryAfterEndDateMs: sinceMidnight + EXPIRES_IN_MS, renewalNoticeMs: 400 * DAY } });
  cast = await castAndClient(h);
});
afterAll(() => h?.close());

async function activeContract(): Promise<{ number: string; workflowId: string }> {
  const lastMonth = new Date(Date.now() - 30 * DAY).toISOString().slice(0, 10);
  const body = contractBody(cast.clientId, cast.manager.id);
  body.terms = { ...body.terms, startDate: lastMonth, endDate: today };
  const created = await h.request('POST', '/api/contracts', { token: cast.ops.token, body });
  const { number, workflowId } = created.body;
  await stepOk(h, cast.director, 'POST', `/api/contracts/${number}/signature`);
  await stepOk(h, cast.manager, 'POST', `/api/contracts/${number}/dispatch`, { channel: 'courier' });
  await stepOk(h, cast.manager, 'POST', `/api/contracts/${number}/original`);
  expect(await stepOk(h, cast.lawyer, 'POST', `/api/contracts/${number}/client-record`)).toBe('active');
  return { number, workflowId };
}

const openKinds = async (number: string) =>
  ((await h.request('GET', `/api/contracts/${number}`, { token: cast.manager.token })).body.openTasks as { kind: string }[]).map(
    (t) => t.kind,
  );
const statusOf = async (number: string) => (await h.request('GET', `/api/contracts/${number}`, { token: cast.manager.token })).body.status;

describe('an active contract near its end date', () => {
  it('gives the manager a renewal task; renewal extends it, otherwise it expires', async () => {
    const [renewed, lapsing] = [await activeContract(), await activeContract()];
    for (const { number } of [renewed, lapsing]) {
      await eventually(async () => ((await openKinds(number)).includes('renewal') ? true : undefined), 10_000, 'renewal task');
    }

    const notLater = await h.request('POST', `/api/contracts/${renewed.number}/renewal`, {
      token: cast.manager.token,
      body: { endDate: today },
    });
    expect(notLater.status).toBe(422);
    const nextYear = new Date(Date.now() + 365 * DAY).toISOString().slice(0, 10);
    expect(await stepOk(h, cast.manager, 'POST', `/api/contracts/${renewed.number}/renewal`, { endDate: nextYear })).toBe('active');
    const registry = (await h.request('GET', `/api/contracts/${renewed.number}`, { token: cast.manager.token })).body;
    expect(registry.endDate).toBe(nextYear);

    await eventually(async () => ((await statusOf(lapsing.number)) === 'expired' ? true : undefined), EXPIRES_IN_MS + 20_000, 'expiry');
    expect(await openKinds(lapsing.number)).toEqual([]);
    expect(await statusOf(renewed.number)).toBe('active');
    const events = (await h.request('GET', `/api/contracts/${lapsing.number}/timeline`, { token: cast.manager.token })).body.events;
    expect(events.at(-1)).toMatchObject({ step: 'expiry', from: 'active', to: 'expired' });
    await keepHistory(h.temporal, lapsing.workflowId, 'expired');

    expect(
      await stepOk(h, cast.manager, 'POST', `/api/contracts/${renewed.number}/cancel`, { reason: 'расторжение по соглашению сторон' }),
    ).toBe('cancelled');
    await keepHistory(h.temporal, renewed.workflowId, 'renewed-then-cancelled');
  });
});
