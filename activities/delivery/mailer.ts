// E-mail over SMTP with nodemailer, configured by SMTP_URL (smtp://user:pass@host:port, or
// smtps:// for TLS from the start) and MAIL_FROM. Connections are pooled; every wait has a
// deadline, so a server that accepts a connection and then says nothing fails the attempt
// instead of holding it.
import { createTransport } from 'nodemailer';
import { ApplicationFailure } from '@temporalio/common';
import type { Mailer, OutgoingMail } from './types';

export interface MailerSettings {
  url: string;
  from: string;
}

export function createMailer({ url, from }: MailerSettings): Mailer {
  const transport = createTransport({
    url,
    pool: true,
    maxConnections: 5,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  return {
    async send({ to, messageId, mail }: OutgoingMail) {
      try {
        await transport.sendMail({
          from,
          to,
          subject: mail.subject,
          text: mail.text,
          html: mail.html,
          messageId,
          // An automatic message (RFC 3834): no out-of-office replies to it.
          headers: { 'Auto-Submitted': 'auto-generated' },
        });
      } catch (err) {
        const code = (err as { responseCode?: number }).responseCode;
        // 5xx: the server refuses this mail for good (no such mailbox, refused sender); 4xx and
        // connection failures may pass later, and are retried.
        if (typeof code === 'number' && code >= 500) {
          throw ApplicationFailure.create({ type: 'MailRefused', message: (err as Error).message, nonRetryable: true });
        }
        throw err;
      }
    },
    close: () => transport.close(),
  };
}
