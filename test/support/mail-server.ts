// A real SMTP server for the tests (smtp-server), on 127.0.0.1: it keeps every message it accepts,
// parsed (mailparser), and can be made to drop the connection in the middle of a message (after
// the message's data, before its answer) or be stopped and started again on its port.
import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';

export interface ReceivedMail {
  to: string;
  messageId: string;
  subject: string;
  text: string;
  html: string;
  headers: ParsedMail['headers'];
  at: number;
}

export interface MailServer {
  readonly port: number;
  /** What to give the product as SMTP_URL. */
  readonly url: string;
  /** Every message accepted (answered 250), in order. */
  readonly received: ReceivedMail[];
  /** Messages whose connection was dropped before their answer: each is, for its sender, not sent. */
  readonly dropped: number;
  /** The next `count` messages: their connection is cut once their data has arrived, before the answer. */
  dropNext(count: number): void;
  /** Refuses the next `count` messages for good (550). */
  refuseNext(count: number): void;
  /** Mails accepted for `address`. */
  to(address: string): ReceivedMail[];
  stop(): Promise<void>;
  start(): Promise<void>;
}

/**
 * `light`: only the envelope and the Message-ID are read, not the whole message (a benchmark's
 * server, which must not take the product's CPU parsing what it receives).
 */
export async function startMailServer(port = 0, { light = false }: { light?: boolean } = {}): Promise<MailServer> {
  const received: ReceivedMail[] = [];
  let dropping = 0;
  let refusing = 0;
  let dropped = 0;
  let server: SMTPServer | undefined;
  let boundPort = port;

  const make = () =>
    new SMTPServer({
      disabledCommands: ['STARTTLS', 'AUTH'],
      authOptional: true,
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          if (dropping > 0) {
            dropping--;
            dropped++;
            for (const connection of server!.connections) if (connection.id === session.id) connection._socket.destroy();
            return;
          }
          if (refusing > 0) {
            refusing--;
            return callback(Object.assign(new Error('mailbox unavailable'), { responseCode: 550 }));
          }
          const to = session.envelope.rcptTo.map((r) => r.address).join(',');
          if (light) {
            const head = Buffer.concat(chunks).subarray(0, 8_192).toString('latin1');
            const messageId = /^Message-ID:\s*(<[^>\r\n]+>)/im.exec(head)?.[1] ?? '';
            received.push({ to, messageId, subject: '', text: '', html: '', headers: new Map(), at: Date.now() });
            return callback();
          }
          void simpleParser(Buffer.concat(chunks)).then((mail) => {
            received.push({
              to,
              messageId: mail.messageId ?? '',
              subject: mail.subject ?? '',
              text: mail.text ?? '',
              html: typeof mail.html === 'string' ? mail.html : '',
              headers: mail.headers,
              at: Date.now(),
            });
            callback();
          }, callback);
        });
      },
    });

  const start = () =>
    new Promise<void>((resolve, reject) => {
      server = make();
      server.on('error', () => undefined);
      server.server.once('error', reject);
      server.listen(boundPort, '127.0.0.1', () => {
        boundPort = (server!.server.address() as { port: number }).port;
        resolve();
      });
    });

  await start();
  return {
    get port() {
      return boundPort;
    },
    get url() {
      return `smtp://127.0.0.1:${boundPort}`;
    },
    received,
    get dropped() {
      return dropped;
    },
    dropNext: (count) => void (dropping += count),
    refuseNext: (count) => void (refusing += count),
    to: (address) => received.filter((m) => m.to.toLowerCase() === address.toLowerCase()),
    stop: () =>
      new Promise<void>((resolve) => {
        const s = server;
        server = undefined;
        if (!s) return resolve();
        for (const connection of s.connections) connection._socket.destroy();
        s.close(() => resolve());
      }),
    start,
  };
}
