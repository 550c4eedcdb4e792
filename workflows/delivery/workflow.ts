// The delivery of notifications beyond the app: a step's mails (one activity) and webhook calls
// (another), each send in them keyed by its notification and channel; a person's digest; a
// redelivery; and the round that makes digests and restarts what lost its start. Each runs on the delivery task queue, apart from
// the processes, which never wait for it: a mail server that is down or an endpoint that hangs is
// retried here with backoff for its window, then marked failed, while the process goes on.
import { ActivityFailure, proxyActivities } from '@temporalio/workflow';
import type { createDeliveryActivities } from '../../activities/delivery';
import type { DeliveryWindows, StepNewsCount } from './starts';

type DeliveryActivities = ReturnType<typeof createDeliveryActivities>;

// Reads and marks in Postgres: short, retried until Postgres answers.
const bookkeeping = proxyActivities<DeliveryActivities>({
  startToCloseTimeout: '15 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/** Retries begin quickly and back off to a share of the window, so a short window (tests) still sees several attempts. */
function retryFor(windowMs: number, longestPauseMs: number) {
  return {
    initialInterval: Math.min(5_000, Math.max(200, Math.round(windowMs / 50))),
    backoffCoefficient: 2,
    maximumInterval: Math.min(longestPauseMs, Math.max(1_000, Math.round(windowMs / 4))),
  };
}

const mailing = (w: DeliveryWindows) =>
  proxyActivities<DeliveryActivities>({
    startToCloseTimeout: '1 minute',
    // A send heartbeats (activities/delivery/kept-alive.ts): one lost with its worker is retried within seconds.
    heartbeatTimeout: '10 seconds',
    scheduleToCloseTimeout: w.mailRetryForMs,
    retry: retryFor(w.mailRetryForMs, 10 * 60_000),
  });

const calling = (w: DeliveryWindows) =>
  proxyActivities<DeliveryActivities>({
    // The call's own deadline covers connecting, sending and reading the answer; the rest is Postgres.
    startToCloseTimeout: w.webhookTimeoutMs + 15_000,
    heartbeatTimeout: '10 seconds',
    scheduleToCloseTimeout: w.webhookRetryForMs,
    retry: retryFor(w.webhookRetryForMs, 60 * 60_000),
  });

/** Sends with its retries; when they are spent (or the failure is one no retry fixes), marks it failed with why. */
async function sendOrGiveUp(send: () => Promise<unknown>, giveUp: (why: string) => Promise<void>): Promise<void> {
  try {
    await send();
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    await giveUp(err.cause?.message ?? err.message);
  }
}

/** What one step tells the world: its mails and its webhook calls, side by side, each set in one activity. */
export async function deliverStepNews(input: { stepKey: string; windows: DeliveryWindows; planned?: StepNewsCount }): Promise<void> {
  const { stepKey, windows } = input;
  // Started again by the round (or a replay), it asks what is left; an activity finds what is sent.
  const planned = input.planned ?? (await bookkeeping.stepDeliveries(stepKey));
  await Promise.all([
    planned.mail > 0
      ? sendOrGiveUp(
          () => mailing(windows).sendStepMails(stepKey),
          (why) => bookkeeping.stepMailsGivenUp(stepKey, why),
        )
      : undefined,
    planned.webhooks > 0
      ? sendOrGiveUp(
          () => calling(windows).callStepWebhooks(stepKey),
          (why) => bookkeeping.stepWebhooksGivenUp(stepKey, why),
        )
      : undefined,
  ]);
}

/** A person's digest: one mail with everything they chose to hear once a day. */
export async function deliverDigest({ digestId, windows }: { digestId: string; windows: DeliveryWindows }): Promise<void> {
  await sendOrGiveUp(
    () => mailing(windows).sendDigestMail(digestId),
    (why) => bookkeeping.digestGivenUp(digestId, why),
  );
}

/** A delivery an administrator asked to send again: the same event, the same webhook-id, retried as the first was. */
export async function redeliverWebhook({ deliveryId, windows }: { deliveryId: string; windows: DeliveryWindows }): Promise<void> {
  await sendOrGiveUp(
    () => calling(windows).callWebhook(deliveryId),
    (why) => bookkeeping.webhookGivenUp(deliveryId, why),
  );
}

/** Run by the delivery schedule: the digests now due, and the deliveries whose start was lost, started. */
export async function deliveryRound(): Promise<void> {
  await bookkeeping.runDeliveryRound();
}
