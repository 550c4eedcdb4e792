// The sender killed (SIGKILL) and started again while it is delivering: contracts go to active
// under the real worker as a child process, against a webhook receiver that answers slowly (so
// calls are in flight at each kill) and an SMTP server. Every event reaches the receiver under one
// webhook-id, verified; every mail planned arrives, none that was not planned; a repeat is only
// ever the same webhook-id or Message-ID again, which the receiver recognises.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveryRoundScheduleId } from '../../workflows/delivery/starts';
import { castAndClient, contractBody, stepReaches, type Cast } from '../support/fixtures';
import { ADMIN_TOKEN, eventually, startHarness, type Harness } from '../support/harness';
import { startMailServer, type MailServer } from '../support/mail-server';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver';
import { spawnWorker, workerEnvOf, type WorkerProcess } from '../support/worker-process';

const CONTRACTS = 6;
let h: Harness;
let cast: Cast;
let worker: WorkerProcess | undefined;
let receiver: WebhookReceiver;
let smtp: MailServer;

beforeAll(async () => {
  smtp = await startMailServer();
  receiver = await startWebhookReceiver();
  h = await startHarness({ worker: false, delivery: { webhooks: { allowPrivate: true } } });
  cast = await castAndClient(h);
  const created = await h.request('POST', '/api/webhooks', {
    token: ADMIN_TOKEN,
    body: { url: receiver.url, events: ['contract.signed', 'contract.sent', 'contract.active'] },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  receiver.secret = created.body.secret;
});
afterAll(async () => {
  await worker?.kill('SIGTERM');
  await h?.temporal.schedule
    .getHandle(deliveryRoundScheduleId(h.taskQueue))
    .delete()
    .catch(() => undefined);
  await h?.close();
  await receiver?.close();
  await smtp?.stop();
});

const workerEnv = () =>
  workerEnvOf(h, {
    SMTP_URL: smtp.url,
    MAIL_FROM: 'Клиентский сервис <noreply@service.example.test>',
    PUBLIC_URL: 'https://service.example.test',
    WEBHOOK_ALLOW_PRIVATE: 'true',
    WEBHOOK_TIMEOUT: '3s',
    WEBHOOK_RETRY_FOR: '5m',
    MAIL_RETRY_FOR: '5m',
    DELIVERY_ROUND_EVERY: '3s',
  });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a sender killed mid-delivery', () => {
  it('delivers every event under one webhook-id and every planned mail, nothing unplanned', async () => {
    receiver.mode = { answer: 'slow', ms: 400 };
    worker = await spawnWorker(workerEnv());
    const numbers: string[] = [];
    for (let i = 0; i < CONTRACTS; i++) {
      const created = await h.request('POST', '/api/contracts', {
        token: cast.ops.token,
        body: contractBody(cast.clientId, cast.manager.id),
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      numbers.push(created.body.number);
    }
    const flows = numbers.map(async (number) => {
      await stepReaches(h, cast.director, 'POST', `/api/contracts/${number}/signature`, {}, 'ready_to_send');
      await stepReaches(h, cast.manager, 'POST', `/api/contracts/${number}/dispatch`, { channel: 'courier' }, 'sent');
      await stepReaches(h, cast.manager, 'POST', `/api/contracts/${number}/original`, {}, 'original_received');
      return stepReaches(h, cast.lawyer, 'POST', `/api/contracts/${number}/client-record`, {}, 'active');
    });
    // Killed twice while calls are in flight (each takes 400 ms at the receiver).
    for (const pause of [2_500, 2_000]) {
      await eventually(async () => (receiver.calls.length > 0 ? true : undefined), 60_000, 'a first call');
      await sleep(pause);
      await worker.kill('SIGKILL');
      await sleep(300);
      worker = await spawnWorker(workerEnv());
    }
    expect(await Promise.all(flows)).toEqual(numbers.map(() => 'active'));

    const expectedEvents = CONTRACTS * 3;
    await eventually(async () => (receiver.events.size >= expectedEvents ? true : undefined), 120_000, `${expectedEvents} events`);
    const planned = (await h.db.query(`SELECT message_id FROM mail_deliveries`)).rows.map((r) => r.message_id as string);
    await eventually(
      async () => (new Set(smtp.received.map((m) => m.messageId)).size >= planned.length ? true : undefined),
      120_000,
      `${planned.length} mails`,
    );
    // A call or mail made just before a kill is marked once its attempt is retried (and repeated).
    const open = async () =>
      (
        await h.db.query(
          `SELECT (SELECT count(*) FROM webhook_deliveries WHERE status <> 'delivered') + (SELECT count(*) FROM mail_deliveries WHERE status <> 'sent') AS n`,
        )
      ).rows[0].n as string;
    await eventually(async () => ((await open()) === '0' ? true : undefined), 120_000, 'every delivery marked');
    await sleep(2_000);

    // Each (process, event) once, under one webhook-id; every call verified.
    const byEvent = new Map<string, Set<string>>();
    for (const [webhookId, event] of receiver.events) {
      const key = `${event.data.workflowId} ${event.type}`;
      byEvent.set(key, (byEvent.get(key) ?? new Set()).add(webhookId));
    }
    expect(byEvent.size).toBe(expectedEvents);
    expect([...byEvent.values()].every((ids) => ids.size === 1)).toBe(true);
    expect(receiver.calls.every((c) => c.verified)).toBe(true);
    const undelivered = await h.db.query(`SELECT count(*)::int AS n FROM webhook_deliveries WHERE status <> 'delivered'`);
    expect(undelivered.rows[0].n).toBe(0);

    // Every mail planned arrived; none arrived that was not planned.
    const arrived = new Set(smtp.received.map((m) => m.messageId));
    expect([...arrived].sort()).toEqual([...new Set(planned)].sort());
    const unsent = await h.db.query(`SELECT count(*)::int AS n FROM mail_deliveries WHERE status <> 'sent'`);
    expect(unsent.rows[0].n).toBe(0);

    console.log(
      `kill test: ${receiver.events.size} events in ${receiver.calls.length} calls (${receiver.repeats} repeated after a kill); ` +
        `${arrived.size} mails in ${smtp.received.length} messages`,
    );
  });
});
