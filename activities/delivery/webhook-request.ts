// One webhook call as the Standard Webhooks convention has it: the event's stored body, POSTed
// with `webhook-id` (the event's, the same on every attempt), `webhook-timestamp` (this attempt's)
// and `webhook-signature` (HMAC-SHA256 by the `standardwebhooks` library, with the endpoint's
// secret). No redirect is followed; the whole call has one deadline; of the answer only so much is
// read; and unless private addresses are allowed, every address the host resolves to must be public.
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { isPrivateAddress, literalAddress } from '../../domain/webhook-urls';
import type { AttemptRecord, WebhookCall } from '../../db/delivery/webhooks';

export interface CallSettings {
  timeoutMs: number;
  answerLimitBytes: number;
  allowPrivate: boolean;
}

/** How much of an answer the log keeps. */
const ANSWER_KEPT = 1_000;

// Kept-alive connections per endpoint host, so a burst of events reuses them.
const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 20 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 20 }),
};

class RefusedAddress extends Error {
  code = 'EADDRNOTALLOWED';
}

/** DNS as usual, but a name resolving to a private address is refused (it may be public today and internal tomorrow). */
export const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, '', 0);
    const inside = addresses.find((a) => isPrivateAddress(a.address));
    if (inside) return callback(new RefusedAddress(`${hostname} resolves to ${inside.address}, a private address`), '', 0);
    if (options.all) return (callback as unknown as (e: null, all: dns.LookupAddress[]) => void)(null, addresses);
    const first = addresses[0];
    if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 0);
    callback(null, first.address, first.family);
  });
};

/** The answer's start as text Postgres can keep: valid UTF-8, no NUL, at most ANSWER_KEPT characters. */
export function answerExcerpt(bytes: Buffer): string {
  return bytes
    .toString('utf8')
    .replace(/\u0000/g, '\uFFFD')
    .slice(0, ANSWER_KEPT);
}

export async function postWebhook(call: WebhookCall, settings: CallSettings, now: () => Date = () => new Date()): Promise<AttemptRecord> {
  const started = now();
  const at = started;
  const elapsed = () => Math.max(0, Date.now() - started.getTime());
  const url = new URL(call.url);
  const literal = literalAddress(url.hostname);
  if (!settings.allowPrivate && literal !== undefined && isPrivateAddress(literal)) {
    return { at, durationMs: 0, outcome: 'refused', error: `${literal} is a private address` };
  }
  const signature = new Webhook(call.secret).sign(call.webhookId, started, call.payload);
  const body = Buffer.from(call.payload, 'utf8');
  const headers = {
    'content-type': 'application/json',
    'content-length': String(body.length),
    'user-agent': 'contract-engine-webhooks/1',
    'webhook-id': call.webhookId,
    'webhook-timestamp': String(Math.floor(started.getTime() / 1000)),
    'webhook-signature': signature,
  };
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise<AttemptRecord>((resolve) => {
    let settled = false;
    const finish = (record: Omit<AttemptRecord, 'at' | 'durationMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ at, durationMs: elapsed(), ...record });
    };
    const request = transport.request(url, {
      method: 'POST',
      headers,
      agent: agents[url.protocol as 'http:' | 'https:'],
      ...(settings.allowPrivate ? {} : { lookup: publicOnlyLookup }),
    });
    const timer = setTimeout(() => {
      finish({ outcome: 'timeout', error: `no complete answer within ${settings.timeoutMs} ms` });
      request.destroy();
    }, settings.timeoutMs);
    request.on('error', (err: Error & { code?: string }) => {
      finish(
        err instanceof RefusedAddress || err.code === 'EADDRNOTALLOWED'
          ? { outcome: 'refused', error: err.message }
          : { outcome: 'network', error: `${err.code ?? 'error'}: ${err.message}` },
      );
    });
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const done = () => {
        const status = response.statusCode ?? 0;
        const answer = answerExcerpt(Buffer.concat(chunks));
        finish(
          status >= 200 && status < 300
            ? { outcome: 'delivered', statusCode: status, answer }
            : { outcome: 'http_error', statusCode: status, answer, error: `answered ${status}` },
        );
        // What is left of an over-long answer is not read: the connection goes.
        if (!response.complete) response.destroy();
      };
      response.on('data', (chunk: Buffer) => {
        const room = settings.answerLimitBytes - size;
        size += chunk.length;
        chunks.push(room >= chunk.length ? chunk : chunk.subarray(0, Math.max(0, room)));
        if (size > settings.answerLimitBytes) done();
      });
      response.on('end', done);
      response.on('error', (err) => finish({ outcome: 'network', error: err.message }));
    });
    request.end(body);
  });
}
