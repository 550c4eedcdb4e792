// Webhooks to another system, end to end on real Temporal, Postgres and an HTTP receiver that
// verifies every call with the Standard Webhooks library.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { castAndClient, contractBody, stepOk, type Cast } from '../support/fixtures';
import { ADMIN_TOKEN, eventually, startHarness, type Harness } from '../support/harness';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver';

let h: Harness;
let cast: Cast;
let receiver: WebhookReceiver;

beforeAll(async () => {
  h = await startHarness({ delivery: { webhooks: { allowPrivate: true, timeoutMs: 2_000, retryForMs: 8_000 } } });
  cast = await castAndClient(h);
  receiver = await startWebhookReceiver();
});
afterAll(async () => {
  await receiver?.close();
  await h?.close();
});

async function toActive(): Promise<string> {
  const created = await h.request('POST', '/api/contracts', { token: cast.ops.token, body: contractBody(cast.clientId, cast.manager.id) });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const { number } = created.body;
  await stepOk(h, cast.director, 'POST', `/api/contracts/${number}/signature`);
  await stepOk(h, cast.manager, 'POST', `/api/contracts/${number}/dispatch`, { channel: 'courier' });
  await stepOk(h, cast.manager, 'POST', `/api/contracts/${number}/original`);
  await stepOk(h, cast.lawyer, 'POST', `/api/contracts/${number}/client-record`, {});
  return number;
}

describe('webhooks', () => {
  it('deliver a contract’s signed, sent and active events, signed and once each', async () => {
    const created = await h.request('POST', '/api/webhooks', {
      token: ADMIN_TOKEN,
      body: { url: receiver.url, events: ['contract.signed', 'contract.sent', 'contract.active'] },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.secret).toMatch(/^whsec_/);
    receiver.secret = created.body.secret;
    const number = await toActive();
    const events = await eventually(
      async () => (receiver.events.size >= 3 ? [...receiver.events.values()] : undefined),
      30_000,
      'three events',
    );
    expect(events.map((e) => e.type).sort()).toEqual(['contract.active', 'contract.sent', 'contract.signed']);
    expect(events.every((e) => e.data.number === number)).toBe(true);
    expect(receiver.calls.every((c) => c.verified)).toBe(true);
  });
});
