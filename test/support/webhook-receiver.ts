// Another system's webhook endpoint for the tests: an HTTP server on 127.0.0.1 that verifies every
// call with the Standard Webhooks library (signature and timestamp tolerance), counts each
// webhook-id once (a repeat is acknowledged, not counted again), and can answer 500, hang, or be slow.
import http, { type IncomingHttpHeaders } from 'node:http';
import { Webhook } from 'standardwebhooks';

export interface ReceivedCall {
  webhookId: string;
  timestamp: string;
  signature: string;
  body: string;
  headers: IncomingHttpHeaders;
  /** Passed the library's verification (signature with the secret, timestamp within its tolerance). */
  verified: boolean;
  error?: string;
  at: number;
}

export type ReceiverMode = { answer: 'ok' } | { answer: 'status'; status: number } | { answer: 'hang' } | { answer: 'slow'; ms: number };

export interface WebhookReceiver {
  readonly url: string;
  /** Every call that came, verified or not. */
  readonly calls: ReceivedCall[];
  /** The first verified call of each webhook-id, in order: the deliveries, once each. */
  readonly events: Map<string, { type: string; timestamp: string; data: any }>;
  /** Verified calls of an id already counted. */
  readonly repeats: number;
  secret: string;
  mode: ReceiverMode;
  /** Sends a request as a replay would: the given headers and body, as they are. */
  replay(body: string, headers: Record<string, string>): Promise<number>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(secret = ''): Promise<WebhookReceiver> {
  const calls: ReceivedCall[] = [];
  const events = new Map<string, { type: string; timestamp: string; data: any }>();
  let repeats = 0;
  const hanging = new Set<http.ServerResponse>();
  const receiver = {
    secret,
    mode: { answer: 'ok' } as ReceiverMode,
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const call: ReceivedCall = {
        webhookId: String(req.headers['webhook-id'] ?? ''),
        timestamp: String(req.headers['webhook-timestamp'] ?? ''),
        signature: String(req.headers['webhook-signature'] ?? ''),
        body,
        headers: req.headers,
        verified: false,
        at: Date.now(),
      };
      calls.push(call);
      let payload: any;
      try {
        payload = new Webhook(receiver.secret).verify(body, req.headers as Record<string, string>);
        call.verified = true;
      } catch (err) {
        call.error = (err as Error).message;
        res.writeHead(401, { 'content-type': 'text/plain' }).end(call.error);
        return;
      }
      const mode = receiver.mode;
      if (mode.answer === 'hang') {
        hanging.add(res);
        return;
      }
      if (mode.answer === 'status') {
        res.writeHead(mode.status, { 'content-type': 'text/plain' }).end(`no thanks (${mode.status})`);
        return;
      }
      const accept = () => {
        if (events.has(call.webhookId)) repeats++;
        else events.set(call.webhookId, payload);
        res.writeHead(204).end();
      };
      if (mode.answer === 'slow') setTimeout(accept, mode.ms);
      else accept();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const url = `http://127.0.0.1:${port}/hooks/crm`;
  return {
    get secret() {
      return receiver.secret;
    },
    set secret(value: string) {
      receiver.secret = value;
    },
    get mode() {
      return receiver.mode;
    },
    set mode(value: ReceiverMode) {
      receiver.mode = value;
    },
    url,
    calls,
    events,
    get repeats() {
      return repeats;
    },
    async replay(body: string, headers: Record<string, string>) {
      const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
      await res.arrayBuffer();
      return res.status;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
