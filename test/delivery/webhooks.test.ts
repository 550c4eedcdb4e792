// Webhooks to another system, end to end on real Temporal and Postgres and an HTTP receiver that
// verifies every call with the Standard Webhooks library: each process's events arrive signed and
// once each; a replayed call is refused by the receiver; an endpoint that answers 500, hangs or is
// down is retried and then marked failed, visibly, while the contract goes to active on time; a
// failed delivery is sent again on request, once however many ask at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import {
  EVERY_REQUIRED_ANSWER,
  castAndClient,
  clientBody,
  contractBody,
  freightQuestionnaireId,
  stepOk,
  type Cast,
} from '../support/fixtures';
import { ADMIN_TOKEN, eventually, startHarness, type Harness } from '../support/harness';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver';
import { keepHistory } from '../support/histories';

let h: Harness;
let cast: Cast;

// Short windows: a call has 1.5 s, a delivery is retried for 6 s.
beforeAll(async () => {
  h = await startHarness({ delivery: { webhooks: { allowPrivate: true, timeoutMs: 1_500, retryForMs: 6_000 } } });
  cast = await castAndClient(h);
});
afterAll(() => h?.close());

const receivers: WebhookReceiver[] = [];
afterAll(async () => {
  for (const r of receivers) await r.close();
});

/** A receiver registered for `events`, with the secret it was given. */
async function endpoint(events: string[], secret?: string): Promise<{ id: string; receiver: WebhookReceiver }> {
  const receiver = await startWebhookReceiver();
  receivers.push(receiver);
  const created = await h.request('POST', '/api/webhooks', {
    token: ADMIN_TOKEN,
    body: { url: receiver.url, events, description: 'CRM', ...(secret ? { secret } : {}) },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  receiver.secret = created.body.secret;
  return { id: created.body.id, receiver };
}

async function newContract(clientId = cast.clientId): Promise<string> {
  const created = await h.request('POST', '/api/contracts', { token: cast.ops.token, body: contractBody(clientId, cast.manager.id) });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.number;
}

/** Takes a contract from signature to active, timing each step. */
async function toActive(number: string): Promise<number[]> {
  const took: number[] = [];
  const timed = async (step: () => Promise<unknown>) => {
    const started = Date.now();
    await step();
    took.push(Date.now() - started);
  };
  await timed(() => stepOk(h, cast.director, 'POST', `/api/contracts/${number}/signature`));
  await timed(() => stepOk(h, cast.manager, 'POST', `/api/contracts/${number}/dispatch`, { channel: 'courier', trackingRef: 'CDEK-1' }));
  await timed(() => stepOk(h, cast.manager, 'POST', `/api/contracts/${number}/original`));
  await timed(() => stepOk(h, cast.lawyer, 'POST', `/api/contracts/${number}/client-record`, {}));
  return took;
}

const eventsOf = (receiver: WebhookReceiver, count: number) =>
  eventually(async () => (receiver.events.size >= count ? [...receiver.events.entries()] : undefined), 30_000, `${count} events`);

const deliveries = async (endpointId: string, query = '') => {
  const page = await h.request('GET', `/api/webhooks/${endpointId}/deliveries${query}`, { token: ADMIN_TOKEN });
  expect(page.status, JSON.stringify(page.body)).toBe(200);
  return page.body.items as any[];
};

const settle = () => new Promise((resolve) => setTimeout(resolve, 1_500));

describe('a contract’s events', () => {
  it('reach the endpoint that hears them, signed, as {type, timestamp, data}, once each', async () => {
    const { id, receiver } = await endpoint(['contract.signed', 'contract.sent', 'contract.active']);
    const other = await endpoint(['client.lost']);
    const number = await newContract();
    await toActive(number);
    const events = await eventsOf(receiver, 3);
    await settle();
    expect(receiver.events.size).toBe(3);
    expect(receiver.repeats).toBe(0);
    expect(receiver.calls).toHaveLength(3);
    expect(receiver.calls.every((c) => c.verified)).toBe(true);
    expect(other.receiver.calls).toEqual([]);

    const byType = Object.fromEntries(events.map(([webhookId, e]) => [e.type, { webhookId, ...e }]));
    expect(Object.keys(byType).sort()).toEqual(['contract.active', 'contract.sent', 'contract.signed']);
    const [registry] = (await h.db.query('SELECT workflow_id, client_id FROM contract_registry WHERE number = $1', [number])).rows;
    expect(byType['contract.sent']).toMatchObject({
      type: 'contract.sent',
      data: {
        process: 'contract',
        id: number,
        number,
        workflowId: registry.workflow_id,
        clientId: registry.client_id,
        contractNumber: number,
        step: 'dispatch',
        from: 'ready_to_send',
        to: 'sent',
        actor: { staffId: cast.manager.id, name: cast.manager.name },
        details: { channel: 'courier', trackingRef: 'CDEK-1' },
      },
    });
    expect(byType['contract.signed'].data.details.documentId).toMatch(/^[0-9a-f-]{36}$/);
    for (const e of Object.values(byType)) {
      expect(e.webhookId).toMatch(/^msg_[0-9a-f]{32}$/);
      expect(Date.parse(e.timestamp)).not.toBeNaN();
    }
    const call = receiver.calls[0]!;
    expect(call.headers['content-type']).toBe('application/json');
    expect(Math.abs(Number(call.timestamp) * 1000 - call.at)).toBeLessThan(5_000);

    const log = await deliveries(id);
    expect(log).toHaveLength(3);
    await keepHistory(h.temporal, `deliver:${registry.workflow_id}:2`, 'delivery-step-webhooks');
    expect(log.every((d) => d.status === 'delivered' && d.attempts === 1 && d.log.length === 1 && d.log[0].statusCode === 204)).toBe(true);
  });

  it('a replay of a delivered call is refused by a receiver that verifies: another timestamp, or an old one re-signed', async () => {
    const { receiver } = await endpoint(['contract.signed']);
    await stepOk(h, cast.director, 'POST', `/api/contracts/${await newContract()}/signature`);
    await eventsOf(receiver, 1);
    const call = receiver.calls[0]!;
    const headers = { 'webhook-id': call.webhookId, 'webhook-timestamp': call.timestamp, 'webhook-signature': call.signature };
    // The timestamp moved to now: the signature no longer matches.
    const now = String(Math.floor(Date.now() / 1000) + 30);
    expect(await receiver.replay(call.body, { ...headers, 'webhook-timestamp': now })).toBe(401);
    // Signed again for a moment ten minutes ago: outside the convention's tolerance.
    const old = new Date(Date.now() - 10 * 60_000);
    const resigned = new Webhook(receiver.secret).sign(call.webhookId, old, call.body);
    expect(
      await receiver.replay(call.body, {
        ...headers,
        'webhook-timestamp': String(Math.floor(old.getTime() / 1000)),
        'webhook-signature': resigned,
      }),
    ).toBe(401);
    // A body changed under its signature.
    expect(await receiver.replay(call.body.replace('contract.signed', 'contract.active'), headers)).toBe(401);
    expect(receiver.events.size).toBe(1);
  });

  it('an endpoint given its own secret gets calls signed with it', async () => {
    const secret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    const { receiver } = await endpoint(['contract.signed'], secret);
    expect(receiver.secret).toBe(secret);
    await stepOk(h, cast.director, 'POST', `/api/contracts/${await newContract()}/signature`);
    await eventsOf(receiver, 1);
    expect(receiver.calls[0]!.verified).toBe(true);
  });
});

describe('an endpoint that fails', () => {
  it('answering 500 is retried with backoff, then marked failed with its last answer, while the contract reaches active on time', async () => {
    const { id, receiver } = await endpoint(['contract.signed', 'contract.sent', 'contract.active']);
    receiver.mode = { answer: 'status', status: 500 };
    const number = await newContract();
    const took = await toActive(number);
    expect(Math.max(...took)).toBeLessThan(3_000);

    const failed = await eventually(
      async () => {
        const log = await deliveries(id, '?status=failed');
        return log.length === 3 ? log : undefined;
      },
      40_000,
      'three failed deliveries',
    );
    for (const d of failed) {
      expect(d.attempts).toBeGreaterThanOrEqual(3);
      expect(d.log).toHaveLength(d.attempts);
      expect(d.log.every((a: any) => a.outcome === 'http_error' && a.statusCode === 500)).toBe(true);
      expect(d.lastStatus).toBe(500);
      expect(d.lastAnswer).toBe('no thanks (500)');
      // Backed off, within the window: a fixed 200 ms pause would have made some thirty attempts in 6 s.
      expect(d.attempts).toBeLessThan(12);
      expect(Date.parse(d.log.at(-1).at) - Date.parse(d.log[0].at)).toBeLessThan(6_000 + 1_500);
    }
    const listed = (await h.request('GET', '/api/webhooks', { token: ADMIN_TOKEN })).body.items.find((e: { id: string }) => e.id === id);
    expect(listed).toMatchObject({ failed: 3, retrying: 0 });
    const [failedStep] = (await h.db.query('SELECT step_key FROM webhook_deliveries WHERE id = $1', [failed[0].id])).rows;
    await keepHistory(h.temporal, `deliver:${failedStep.step_key}`, 'delivery-step-webhooks-given-up');
    expect(listed.secret).toBeUndefined();
    expect(receiver.events.size).toBe(0);

    // Sent again on request, with the same body and webhook-id, now that the endpoint answers.
    receiver.mode = { answer: 'ok' };
    const target = failed[0];
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => h.request('POST', `/api/webhooks/${id}/deliveries/${target.id}/redeliver`, { token: ADMIN_TOKEN })),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([202, ...Array(19).fill(409)]);
    await eventsOf(receiver, 1);
    await settle();
    expect([...receiver.events.keys()]).toEqual([target.webhookId]);
    const after = (await deliveries(id)).find((d) => d.id === target.id);
    expect(after).toMatchObject({ status: 'delivered', redeliveries: 1, attempts: target.attempts + 1 });
    expect(after.log.at(-1)).toMatchObject({ outcome: 'delivered', statusCode: 204 });
    await keepHistory(h.temporal, `redeliver:${target.id}:1`, 'delivery-redelivered');
    // Asked again at once, it is refused; after the pause, sent again.
    const soon = await h.request('POST', `/api/webhooks/${id}/deliveries/${target.id}/redeliver`, { token: ADMIN_TOKEN });
    expect(soon.status).toBe(409);
    expect(soon.body.error.code).toBe('just_redelivered');
    await h.db.query(`UPDATE webhook_deliveries SET redelivered_at = redelivered_at - interval '11 seconds' WHERE id = $1`, [target.id]);
    const again = await h.request('POST', `/api/webhooks/${id}/deliveries/${target.id}/redeliver`, { token: ADMIN_TOKEN });
    expect(again.status).toBe(202);
    await eventually(async () => (receiver.repeats === 1 ? true : undefined), 20_000, 'the second redelivery');
  });

  it('hanging or down is retried and marked failed; a slow one within the deadline is delivered', async () => {
    const hanging = await endpoint(['contract.signed']);
    hanging.receiver.mode = { answer: 'hang' };
    const slow = await endpoint(['contract.signed']);
    slow.receiver.mode = { answer: 'slow', ms: 700 };
    const down = await endpoint(['contract.signed']);
    await down.receiver.close();
    const started = Date.now();
    await stepOk(h, cast.director, 'POST', `/api/contracts/${await newContract()}/signature`);
    expect(Date.now() - started).toBeLessThan(3_000);

    await eventsOf(slow.receiver, 1);
    const [hung, refused] = await Promise.all(
      [hanging.id, down.id].map((id) =>
        eventually(
          async () => {
            const [d] = await deliveries(id);
            return d?.status === 'failed' ? d : undefined;
          },
          40_000,
          'a failed delivery',
        ),
      ),
    );
    expect(hung.log.every((a: any) => a.outcome === 'timeout' && a.durationMs >= 1_400)).toBe(true);
    expect(refused.log.every((a: any) => a.outcome === 'network' && /ECONNREFUSED/.test(a.error))).toBe(true);
    expect((await deliveries(slow.id))[0]).toMatchObject({ status: 'delivered', attempts: 1 });
  });

  it('disabled, hears nothing more and its retries stop; deleted, takes its log with it', async () => {
    const { id, receiver } = await endpoint(['contract.signed', 'contract.sent']);
    receiver.mode = { answer: 'status', status: 503 };
    const number = await newContract();
    await stepOk(h, cast.director, 'POST', `/api/contracts/${number}/signature`);
    await eventually(async () => ((await deliveries(id))[0]?.status === 'retrying' ? true : undefined), 20_000, 'a retrying delivery');
    const disabled = await h.request('PATCH', `/api/webhooks/${id}`, { token: ADMIN_TOKEN, body: { disabled: true } });
    expect(disabled.status).toBe(200);
    expect(disabled.body.disabledAt).not.toBeNull();
    await stepOk(h, cast.manager, 'POST', `/api/contracts/${number}/dispatch`, { channel: 'post' });
    const [given] = await eventually(async () => {
      const log = await deliveries(id);
      return log[0]?.status === 'failed' ? log : undefined;
    });
    expect(given.lastError).toBe('answered 503');
    await settle();
    expect(await deliveries(id)).toHaveLength(1);
    const redeliver = await h.request('POST', `/api/webhooks/${id}/deliveries/${given.id}/redeliver`, { token: ADMIN_TOKEN });
    expect(redeliver.status).toBe(409);
    expect(redeliver.body.error.code).toBe('endpoint_disabled');

    expect((await h.request('DELETE', `/api/webhooks/${id}`, { token: ADMIN_TOKEN })).status).toBe(204);
    expect((await h.request('GET', `/api/webhooks/${id}`, { token: ADMIN_TOKEN })).status).toBe(404);
    expect((await h.request('DELETE', `/api/webhooks/${id}`, { token: ADMIN_TOKEN })).status).toBe(404);
    expect((await h.db.query('SELECT count(*)::int AS n FROM webhook_deliveries WHERE endpoint_id = $1', [id])).rows[0].n).toBe(0);
  });
});

describe('the other processes’ events', () => {
  it('an onboarding declined, a client’s churn stage changed and lost, an amendment in force', async () => {
    const { receiver } = await endpoint(['onboarding.declined', 'client.stage_changed', 'client.lost', 'amendment.in_force']);

    const client = clientBody();
    client.requisites.legalName = 'ООО «Не наш профиль»';
    const questionnaireId = await freightQuestionnaireId(h, cast.ops);
    const onboarding = await h.request('POST', '/api/onboardings', {
      token: cast.ops.token,
      body: { client, lineOfBusiness: 'freight-logistics', questionnaireId, answers: EVERY_REQUIRED_ANSWER },
    });
    expect(onboarding.status, JSON.stringify(onboarding.body)).toBe(201);
    await eventually(async () => {
      const now = await h.request('GET', `/api/onboardings/${onboarding.body.id}`, { token: cast.ops.token });
      return now.body.stage === 'qualification' ? true : undefined;
    });
    const decline = await h.request('POST', `/api/onboardings/${onboarding.body.id}/qualification`, {
      token: cast.kamHead.token,
      body: { segment: 'low', supplierPosition: 'independent', expectedAnnualRevenue: 0, decision: 'decline', reason: 'не наш профиль' },
    });
    expect(decline.status, JSON.stringify(decline.body)).toBe(200);

    const complaint = await h.request('POST', `/api/clients/${cast.clientId}/complaints`, {
      token: cast.ops.token,
      body: { summary: 'Машина опоздала', category: 'delivery', severity: 'high', reportedBy: 'логист клиента' },
    });
    expect(complaint.status, JSON.stringify(complaint.body)).toBe(201);
    const escalated = await h.request('POST', `/api/clients/${cast.clientId}/escalation`, {
      token: cast.kamHead.token,
      body: { stage: 'adversarial', evidence: 'жалобы в соцсетях' },
    });
    expect(escalated.status, JSON.stringify(escalated.body)).toBe(200);

    const number = await newContract();
    await toActive(number);
    const amendment = await h.request('POST', `/api/contracts/${number}/amendments`, {
      token: cast.manager.token,
      body: { changes: { amount: 1_500_000 }, reason: 'рост объёма' },
    });
    expect(amendment.status, JSON.stringify(amendment.body)).toBe(201);
    const base = `/api/amendments/${amendment.body.id}`;
    await stepOk(h, cast.director, 'POST', `${base}/signature`);
    await stepOk(h, cast.manager, 'POST', `${base}/dispatch`, { channel: 'email' });
    await stepOk(h, cast.manager, 'POST', `${base}/original`);
    await stepOk(h, cast.lawyer, 'POST', `${base}/archive`, {});

    const lost = await h.request('POST', `/api/clients/${cast.clientId}/loss`, {
      token: cast.director.token,
      body: { reason: 'service', competitor: 'ООО «ТрансЛидер»', note: 'срывы подачи машин' },
    });
    expect(lost.status, JSON.stringify(lost.body)).toBe(200);

    const events = (await eventsOf(receiver, 5)).map(([, e]) => e);
    await settle();
    expect(receiver.events.size).toBe(5);
    const of = (type: string) => events.filter((e) => e.type === type);
    expect(of('onboarding.declined')[0].data).toMatchObject({ process: 'onboarding', id: onboarding.body.id, to: 'declined' });
    expect(of('client.stage_changed').map((e) => [e.data.from, e.data.to])).toEqual([
      ['healthy', 'adversarial'],
      ['adversarial', 'lost'],
    ]);
    expect(of('client.lost')[0].data).toMatchObject({
      process: 'account',
      clientId: cast.clientId,
      details: { reason: 'service', competitor: 'ООО «ТрансЛидер»' },
    });
    expect(of('amendment.in_force')[0].data).toMatchObject({
      process: 'amendment',
      number: `${number}/ДС-1`,
      parent: { process: 'contract', id: number, number },
      details: { changes: { amount: 1_500_000 } },
    });
  });
});
