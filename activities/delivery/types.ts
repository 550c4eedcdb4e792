// What the delivery activities are given: how to start delivery workflows, how to send mail, and
// what a mail says, which the pages write (people read mail as they read pages, in their
// language) and the worker hands over, so these activities need no page code of their own.
import type { NoticeFacts, Reader } from '../../db/delivery/mail';
import type { PlannedNews } from '../../db/delivery/plan';

export interface ComposedMail {
  subject: string;
  text: string;
  html: string;
}

export interface MailComposer {
  /** One notification's mail: what happened, where to act, how to change what one receives. */
  notice(reader: Reader, notice: NoticeFacts): ComposedMail;
  /** A day's notifications in one mail, oldest first: `notices` of the `total` it gathers. */
  digest(reader: Reader, day: string, notices: readonly NoticeFacts[], total: number): ComposedMail;
}

export interface OutgoingMail {
  to: { name: string; address: string };
  messageId: string;
  mail: ComposedMail;
}

/** Sends one mail or fails; a refusal no retry can change (a 5xx answer) fails non-retryable. */
export interface Mailer {
  send(message: OutgoingMail): Promise<void>;
  close(): void;
}

/** Starts a delivery workflow; a start of one already running is no error. */
export interface DeliveryDispatcher {
  /** A step's news; `planned` (when the caller knows it) spares the workflow asking what there is. */
  stepNews(stepKey: string, planned?: PlannedNews): Promise<void>;
  digest(digestId: string): Promise<void>;
}
