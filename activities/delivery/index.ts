// The delivery activities: each mail and each webhook call sent once per notification and channel.
// Each send first takes its row's lease in Postgres (a sent one is never sent again, a retried
// activity finds it sent), then sends, then marks it: a mail or call is repeated only when a worker
// dies between the send and the mark, and then with the same Message-ID or webhook-id, which the
// receiver can recognise. A send that fails leaves the lease for the next attempt and says why.
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
  renewMailLease,
  takeDigest,
  takeMail,
} from '../../db/delivery/mail';
import { stalledSteps, stepDeliveries } from '../../db/delivery/plan';
import { recordAttempt, takeWebhookCall, webhookGivenUp } from '../../db/delivery/webhooks';
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

const busy = (what: string) => new Error(`${what} is being sent by another attempt`);

export function createDeliveryActivities({ db, config, dispatcher, mail }: DeliveryDeps) {
  const mailOrFail = () => {
    if (!mail) throw ApplicationFailure.create({ type: 'MailOff', message: 'e-mail is not configured (SMTP_URL)', nonRetryable: true });
    return mail;
  };

  return {
    async stepDeliveries(stepKey: string): Promise<{ mail: string[]; webhooks: string[] }> {
      return stepDeliveries(db, stepKey);
    },

    async sendNoticeMail(id: string): Promise<'sent' | 'done'> {
      const { mailer, composer } = mailOrFail();
      const lease = await takeMail(db, id, MAIL_LEASE_MS);
      if (lease.state === 'busy') throw busy(`mail ${id}`);
      if (lease.state !== 'taken') return 'done';
      const { messageId, reader, notice } = lease.item;
      try {
        await keptAlive(
          mailer.send({ to: { name: reader.name, address: reader.address }, messageId, mail: composer.notice(reader, notice) }),
          () => renewMailLease(db, 'mail_deliveries', id, MAIL_LEASE_MS),
        );
      } catch (err) {
        await mailAttemptFailed(db, id, (err as Error).message);
        throw err;
      }
      await mailSent(db, id);
      return 'sent';
    },

    async mailGivenUp(id: string, why: string): Promise<void> {
      await mailGivenUp(db, id, why);
    },

    async sendDigestMail(id: string): Promise<'sent' | 'done'> {
      const { mailer, composer } = mailOrFail();
      const lease = await takeDigest(db, id, MAIL_LEASE_MS);
      if (lease.state === 'busy') throw busy(`digest ${id}`);
      if (lease.state !== 'taken') return 'done';
      const { messageId, day, reader, notices } = lease.item;
      if (notices.length > 0) {
        try {
          await keptAlive(
            mailer.send({ to: { name: reader.name, address: reader.address }, messageId, mail: composer.digest(reader, day, notices) }),
            () => renewMailLease(db, 'mail_digests', id, MAIL_LEASE_MS),
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

    async callWebhook(id: string): Promise<'delivered' | 'done'> {
      // The call ends by its own deadline, so its lease need not be renewed.
      const lease = await takeWebhookCall(db, id, config.webhooks.timeoutMs + 5_000);
      if (lease.state === 'busy') throw busy(`webhook delivery ${id}`);
      if (lease.state !== 'taken') return 'done';
      const attempt = await keptAlive(postWebhook(lease.item, config.webhooks));
      await recordAttempt(db, lease.item, attempt);
      if (attempt.outcome === 'delivered') return 'delivered';
      throw ApplicationFailure.create({
        type: attempt.outcome === 'refused' ? 'WebhookRefused' : 'WebhookNotDelivered',
        message: attempt.error ?? attempt.outcome,
        // An address refused by policy stays refused; everything else may pass later.
        nonRetryable: attempt.outcome === 'refused',
      });
    },

    async webhookGivenUp(id: string, why: string): Promise<void> {
      await webhookGivenUp(db, id, why);
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
