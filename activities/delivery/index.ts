// The delivery activities: each mail and each webhook call sent once per notification and channel.
// A step's mails go in one activity and its webhook calls in another, side by side within it, so a
// burst of news costs Temporal two activities a step, not one per person and endpoint. Each send
// first takes its row's lease in Postgres (a sent one is never sent again: a retried activity finds
// it sent and sends only what is left), then sends, then marks it: a mail or call is repeated only
// when a worker dies between the send and the mark, and then with the same Message-ID or
// webhook-id, which the receiver can recognise. A refusal no retry changes (a 550, an address the
// policy refuses) fails that one at once; anything else is retried with backoff for its window.
import { ApplicationFailure } from '@temporalio/common';
import type { Pool } from 'pg';
import type { DeliveryConfig } from '../../config/env';
import {
  digestAttemptFailed,
  digestGivenUp,
  digestSent,
  makeDueDigests,
  mailAttemptFailed,
  mailGivenUp,
  mailSent,
  renewMailLeases,
  stepMailsGivenUp,
  takeDigest,
  takeStepMails,
  type MailToSend,
} from '../../db/delivery/mail';
import { stalledSteps, stepDeliveries } from '../../db/delivery/plan';
import {
  recordAttempt,
  stepWebhooksGivenUp,
  takeStepWebhookCalls,
  takeWebhookCall,
  webhookGivenUp,
  type WebhookCall,
} from '../../db/delivery/webhooks';
import { keptAlive } from './kept-alive';
import { postWebhook } from './webhook-request';
import type { DeliveryDispatcher, MailComposer, Mailer } from './types';

export interface DeliveryDeps {
  db: Pool;
  config: DeliveryConfig;
  /** Starts delivery workflows (the round's restarts, digests). */
  dispatcher?: DeliveryDispatcher;
  /** E-mail, when it is configured: the server and what each mail says. */
  mail?: { mailer: Mailer; composer: MailComposer };
}

/** A mail's lease, renewed while its send goes on (kept-alive.ts): a dead worker's expires within this. */
const MAIL_LEASE_MS = 20_000;
/** A step planned this long ago with nothing started is started again by the round (sooner when rounds are frequent). */
const NOT_STARTED_FOR_MS = 60_000;
/** A delivery with no attempt for longer than any pause between retries has lost its workflow. */
const SILENT_FOR_MS = 3 * 3_600_000;
/** Sends of one step at once: the mail pool's connections; endpoints are called more widely. */
const MAILS_AT_ONCE = 5;
const CALLS_AT_ONCE = 10;

/** Runs `work` over `items`, `limit` at a time. */
async function inTurn<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

/** The step's sends that are left (failed now, or held by another attempt): retried, saying why. */
function notYet(what: string, left: string[], waiting: number): void {
  if (left.length === 0 && waiting === 0) return;
  const held = waiting ? `${waiting} being sent by another attempt` : '';
  throw ApplicationFailure.create({
    type: 'NotYetDelivered',
    message: [left.length ? `${left.length} ${what} not sent: ${[...new Set(left)].slice(0, 3).join('; ')}` : '', held]
      .filter(Boolean)
      .join('; '),
  });
}

const isPermanent = (err: unknown): boolean => err instanceof ApplicationFailure && err.nonRetryable === true;

export function createDeliveryActivities({ db, config, dispatcher, mail }: DeliveryDeps) {
  const mailOrFail = () => {
    if (!mail) throw ApplicationFailure.create({ type: 'MailOff', message: 'e-mail is not configured (SMTP_URL)', nonRetryable: true });
    return mail;
  };

  /** One call and its record; what failed and may pass later goes into `failures`, to be tried again. */
  async function call(target: WebhookCall, failures: string[]): Promise<void> {
    const attempt = await postWebhook(target, config.webhooks);
    await recordAttempt(db, target, attempt);
    if (attempt.outcome === 'delivered') return;
    // An address refused by policy stays refused; everything else may pass later.
    if (attempt.outcome === 'refused') await webhookGivenUp(db, target.deliveryId, attempt.error ?? 'refused');
    else failures.push(attempt.error ?? attempt.outcome);
  }

  return {
    async stepDeliveries(stepKey: string): Promise<{ mail: number; webhooks: number }> {
      return stepDeliveries(db, stepKey);
    },

    /** Every mail of the step still to send, each once. */
    async sendStepMails(stepKey: string): Promise<{ sent: number }> {
      const { mailer, composer } = mailOrFail();
      const { taken, waiting } = await takeStepMails(db, stepKey, MAIL_LEASE_MS);
      const sending = new Set(taken.map((m) => m.id));
      const failures: string[] = [];
      let sent = 0;
      const send = async ({ id, messageId, reader, notice }: MailToSend) => {
        try {
          await mailer.send({ to: { name: reader.name, address: reader.address }, messageId, mail: composer.notice(reader, notice) });
          await mailSent(db, id);
          sent++;
        } catch (err) {
          if (isPermanent(err)) await mailGivenUp(db, id, (err as Error).message);
          else {
            await mailAttemptFailed(db, id, (err as Error).message);
            failures.push((err as Error).message);
          }
        } finally {
          sending.delete(id);
        }
      };
      await keptAlive(inTurn(taken, MAILS_AT_ONCE, send), () => renewMailLeases(db, 'mail_deliveries', [...sending], MAIL_LEASE_MS));
      notYet('mails', failures, waiting);
      return { sent };
    },

    async stepMailsGivenUp(stepKey: string, why: string): Promise<void> {
      await stepMailsGivenUp(db, stepKey, why);
    },

    /** Every webhook call of the step still to make, each once. */
    async callStepWebhooks(stepKey: string): Promise<{ called: number }> {
      // The call ends by its own deadline, so its lease need not be renewed.
      const { taken, waiting } = await takeStepWebhookCalls(db, stepKey, config.webhooks.timeoutMs + 5_000);
      const failures: string[] = [];
      await keptAlive(inTurn(taken, CALLS_AT_ONCE, (target) => call(target, failures)));
      notYet('webhook calls', failures, waiting);
      return { called: taken.length };
    },

    async stepWebhooksGivenUp(stepKey: string, why: string): Promise<void> {
      await stepWebhooksGivenUp(db, stepKey, why);
    },

    /** One delivery an administrator asked to send again. */
    async callWebhook(id: string): Promise<'delivered' | 'done'> {
      const lease = await takeWebhookCall(db, id, config.webhooks.timeoutMs + 5_000);
      if (lease.state === 'busy') notYet('webhook calls', [], 1);
      if (lease.state !== 'taken') return 'done';
      const failures: string[] = [];
      await keptAlive(call(lease.item, failures));
      notYet('webhook calls', failures, 0);
      return 'delivered';
    },

    async webhookGivenUp(id: string, why: string): Promise<void> {
      await webhookGivenUp(db, id, why);
    },

    async sendDigestMail(id: string): Promise<'sent' | 'done'> {
      const { mailer, composer } = mailOrFail();
      const lease = await takeDigest(db, id, MAIL_LEASE_MS);
      if (lease.state === 'busy') notYet('digests', [], 1);
      if (lease.state !== 'taken') return 'done';
      const { messageId, day, reader, notices, total } = lease.item;
      if (notices.length > 0) {
        try {
          await keptAlive(
            mailer.send({
              to: { name: reader.name, address: reader.address },
              messageId,
              mail: composer.digest(reader, day, notices, total),
            }),
            () => renewMailLeases(db, 'mail_digests', [id], MAIL_LEASE_MS),
          );
        } catch (err) {
          await digestAttemptFailed(db, id, (err as Error).message);
          throw err;
        }
      }
      await digestSent(db, id);
      return 'sent';
    },

    async digestGivenUp(id: string, why: string): Promise<void> {
      await digestGivenUp(db, id, why);
    },

    /** The digests due now, started; and the steps whose delivery lost its start, started again. */
    async runDeliveryRound(): Promise<{ digests: number; restarted: number }> {
      if (!dispatcher) return { digests: 0, restarted: 0 };
      const digests = mail ? await makeDueDigests(db, config.timeZone, config.mail!.domain) : [];
      for (const id of digests) await dispatcher.digest(id);
      const stalled = await stalledSteps(db, {
        notStartedForMs: Math.min(NOT_STARTED_FOR_MS, config.roundEveryMs),
        silentForMs: SILENT_FOR_MS,
        limit: 500,
      });
      for (const stepKey of stalled) await dispatcher.stepNews(stepKey);
      return { digests: digests.length, restarted: stalled.length };
    },
  };
}
