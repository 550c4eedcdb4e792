// Benchmark of delivery: contracts taken to active over HTTP while every notification is mailed to
// a real SMTP server (smtp-server, in this process) and every event is called to webhook endpoints
// (HTTP receivers here that verify each signature). Fan-out makes the load: the signature task is the
// directors' role's, so each contract mails every director; every endpoint hears every event.
// Prints mails and webhook calls per minute, the delay from a step to its mail and its call (p50,
// p95, from the step's own time to the arrival), the steps' latencies beside it (delivery must not
// slow them), and fails when a target is missed.
//   npm run bench:delivery   (BENCH_CONTRACTS=60 BENCH_CONCURRENCY=8 BENCH_DIRECTORS=20 BENCH_ENDPOINTS=5)
import { Pool } from 'pg';
import { percentile, benchOn } from './stack';
import { startMailServer } from '../test/support/mail-server';
import { startWebhookReceiver, type WebhookReceiver } from '../test/support/webhook-receiver';

const CONTRACTS = Number(process.env.BENCH_CONTRACTS ?? 60);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const DIRECTORS = Number(process.env.BENCH_DIRECTORS ?? 20);
const ENDPOINTS = Number(process.env.BENCH_ENDPOINTS ?? 5);
const TARGETS = {
  mailDelayP95Ms: Number(process.env.BENCH_TARGET_MAIL_DELAY_P95_MS ?? 5_000),
  callDelayP95Ms: Number(process.env.BENCH_TARGET_CALL_DELAY_P95_MS ?? 5_000),
  mailsPerMinute: Number(process.env.BENCH_TARGET_MAILS_PER_MINUTE ?? 600),
  callsPerMinute: Number(process.env.BENCH_TARGET_CALLS_PER_MINUTE ?? 300),
  // Every step shares two cores with 38 mails and calls a contract (npm run bench has 1 s and 2 s without them).
  stepP95Ms: Number(process.env.BENCH_TARGET_STEP_P95_MS ?? 1_500),
  /** The PDF is rendered on the same two cores that send 38 mails and calls per contract. */
  signatureP95Ms: Number(process.env.BENCH_TARGET_SIGNATURE_P95_MS ?? 4_000),
  rssMb: Number(process.env.BENCH_TARGET_RSS_MB ?? 800),
};
const SIGNATURE = 'signature (with PDF)';

async function main(): Promise<void> {
  const smtp = await startMailServer(0, { light: true });
  const receivers: WebhookReceiver[] = [];
  for (let i = 0; i < ENDPOINTS; i++) receivers.push(await startWebhookReceiver());
  let databaseUrl = '';
  try {
    await benchOn(
      {
        SMTP_URL: smtp.url,
        MAIL_FROM: 'Клиентский сервис <noreply@bench.test>',
        PUBLIC_URL: 'https://service.bench.test',
        WEBHOOK_ALLOW_PRIVATE: 'true',
      },
      async (stack) => {
        databaseUrl = stack.databaseUrl;
        const [ops, manager, lawyer] = await Promise.all([
          stack.person('ops', ['ops']),
          stack.person('manager', ['manager']),
          stack.person('lawyer', ['lawyer']),
        ]);
        const directors: { id: string; token: string }[] = [];
        for (let i = 0; i < DIRECTORS; i++) directors.push(await stack.person(`director-${i}`, ['director']));
        for (const receiver of receivers) {
          const endpoint = await stack.call('register', stack.adminToken, 'POST', '/api/webhooks', {
            url: receiver.url,
            events: ['contract.signed', 'contract.sent', 'contract.active'],
          });
          receiver.secret = endpoint.secret;
        }
        const client = await stack.newClient(ops.token, 'ООО «Бенчмарк»');

        const contractToActive = (suffix: string) => async (i: number) => {
          const created = await stack.call(`create${suffix}`, ops.token, 'POST', '/api/contracts', {
            clientId: client.id,
            managerId: manager.id,
            terms: {
              subject: 'перевозка',
              amount: 1000,
              currency: 'RUB',
              startDate: '2026-01-01',
              endDate: '2030-12-31',
              paymentTermsDays: 30,
            },
            deviations: [],
          });
          const n = created.number as string;
          await stack.call(`${SIGNATURE}${suffix}`, directors[i % DIRECTORS]!.token, 'POST', `/api/contracts/${n}/signature`);
          await stack.call(`dispatch${suffix}`, manager.token, 'POST', `/api/contracts/${n}/dispatch`, { channel: 'courier' });
          await stack.call(`original${suffix}`, manager.token, 'POST', `/api/contracts/${n}/original`);
          await stack.call(`client-record${suffix}`, lawyer.token, 'POST', `/api/contracts/${n}/client-record`);
        };
        const seconds = await stack.run(CONTRACTS, CONCURRENCY, contractToActive(''));
        console.log(`\n${CONTRACTS} contracts to active, ${CONCURRENCY} at a time: ${seconds.toFixed(1)} s`);

        const db = new Pool({ connectionString: databaseUrl });
        try {
          const planned = Number((await db.query('SELECT count(*)::int AS n FROM mail_deliveries')).rows[0].n);
          const events = Number((await db.query('SELECT count(*)::int AS n FROM webhook_deliveries')).rows[0].n);
          const deadline = Date.now() + 300_000;
          const calls = () => receivers.reduce((sum, r) => sum + r.events.size, 0);
          while ((smtp.received.length < planned || calls() < events) && Date.now() < deadline)
            await new Promise((r) => setTimeout(r, 200));

          // The step's moment for each mail (its notification) and each call (its event).
          const noticeAt = new Map(
            (
              await db.query(`SELECT d.message_id, n.created_at FROM mail_deliveries d JOIN notifications n ON n.id = d.notification_id`)
            ).rows.map((r) => [r.message_id as string, (r.created_at as Date).getTime()]),
          );
          const eventAt = new Map(
            (await db.query(`SELECT 'msg_' || replace(id::text, '-', '') AS id, occurred_at FROM webhook_events`)).rows.map((r) => [
              r.id as string,
              (r.occurred_at as Date).getTime(),
            ]),
          );
          const mailDelays = smtp.received.map((m) => m.at - (noticeAt.get(m.messageId) ?? m.at));
          const callTimes = receivers.flatMap((r) => r.calls.filter((c) => c.verified));
          const callDelays = callTimes.map((c) => c.at - (eventAt.get(c.webhookId) ?? c.at));
          const span = (times: number[]) => (Math.max(...times) - Math.min(...times)) / 60_000;
          const mailsPerMinute = smtp.received.length / span(smtp.received.map((m) => m.at));
          const callsPerMinute = callTimes.length / span(callTimes.map((c) => c.at));
          const repeats = receivers.reduce((sum, r) => sum + r.repeats, 0);

          console.log(`mails: ${smtp.received.length} of ${planned} planned, ${mailsPerMinute.toFixed(0)} per minute`);
          console.log(
            `  step → mail delay: p50 ${percentile(mailDelays, 50)} ms, p95 ${percentile(mailDelays, 95)} ms, max ${Math.max(...mailDelays)} ms`,
          );
          console.log(
            `webhook calls: ${callTimes.length} of ${events} planned (${repeats} repeats), ${callsPerMinute.toFixed(0)} per minute`,
          );
          console.log(
            `  step → call delay: p50 ${percentile(callDelays, 50)} ms, p95 ${percentile(callDelays, 95)} ms, max ${Math.max(...callDelays)} ms`,
          );
          console.log(`  every call verified: ${receivers.every((r) => r.calls.every((c) => c.verified))}`);

          // Then every channel fails: the mail server is gone and every endpoint answers 500. The
          // steps must go as fast as before, their mails and calls left to be retried.
          await smtp.stop();
          for (const receiver of receivers) receiver.mode = { answer: 'status', status: 500 };
          const more = Math.ceil(CONTRACTS / 2);
          const failingSeconds = await stack.run(more, CONCURRENCY, contractToActive(' (channels down)'));
          console.log(
            `${more} more contracts to active with the mail server down and every endpoint answering 500: ${failingSeconds.toFixed(1)} s`,
          );
          const waiting = (await db.query(`SELECT count(*)::int AS n FROM mail_deliveries WHERE status = 'pending'`)).rows[0].n;
          const retrying = (await db.query(`SELECT count(*)::int AS n FROM webhook_deliveries WHERE status IN ('pending', 'retrying')`))
            .rows[0].n;
          console.log(`  left to retry: ${waiting} mails, ${retrying} webhook calls`);

          const misses = stack.report((step) =>
            step === 'staff' || step === 'client' || step === 'register'
              ? undefined
              : step.startsWith(SIGNATURE)
                ? TARGETS.signatureP95Ms
                : TARGETS.stepP95Ms,
          );
          const rssMb = stack.peakRssMb();
          console.log(`peak RSS (worker + API + SMTP server + receivers + bench client): ${rssMb.toFixed(0)} MB`);
          if (smtp.received.length !== planned) misses.push(`${smtp.received.length} mails arrived of ${planned}`);
          if (callTimes.length - repeats !== events) misses.push(`${callTimes.length - repeats} events delivered of ${events}`);
          if (percentile(mailDelays, 95) > TARGETS.mailDelayP95Ms) misses.push(`mail delay p95 > ${TARGETS.mailDelayP95Ms} ms`);
          if (percentile(callDelays, 95) > TARGETS.callDelayP95Ms) misses.push(`call delay p95 > ${TARGETS.callDelayP95Ms} ms`);
          if (mailsPerMinute < TARGETS.mailsPerMinute) misses.push(`${mailsPerMinute.toFixed(0)} mails/min < ${TARGETS.mailsPerMinute}`);
          if (callsPerMinute < TARGETS.callsPerMinute) misses.push(`${callsPerMinute.toFixed(0)} calls/min < ${TARGETS.callsPerMinute}`);
          if (rssMb > TARGETS.rssMb) misses.push(`peak RSS ${rssMb.toFixed(0)} MB > ${TARGETS.rssMb} MB`);
          return misses;
        } finally {
          await db.end();
        }
      },
    );
  } finally {
    for (const receiver of receivers) await receiver.close();
    await smtp.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
