// The pages take every action through the API itself, as the signed-in person: the same route,
// role check, body schema, workflow update and answer as any other caller (no second path). The
// call goes over the loopback to the very server the page request came to, so it passes through
// everything an outside call does.
import http from 'node:http';
import type { Request } from 'express';

export interface ApiAnswer {
  status: number;
  body: any;
  headers: http.IncomingHttpHeaders;
  raw: Buffer;
}

export type ApiCall = (
  req: Request,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  body?: unknown,
  idempotencyKey?: string,
) => Promise<ApiAnswer>;

/** Kept-alive connections to ourselves: a page that makes several calls does not open one each. */
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/** Longer than any API deadline (each answers 503 within its own), so the API always answers first. */
const CALL_TIMEOUT_MS = 60_000;

export const callApi: ApiCall = (req, method, url, body, idempotencyKey) =>
  new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body), 'utf8');
    const headers: http.OutgoingHttpHeaders = { authorization: `Session ${req.sessionSecret ?? ''}`, accept: 'application/json' };
    if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
    if (payload) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = payload.length;
    }
    const call = http.request(
      { host: req.socket.localAddress, port: req.socket.localPort, method, path: url, headers, agent, timeout: CALL_TIMEOUT_MS },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('error', reject);
        answer.on('end', () => {
          const raw = Buffer.concat(chunks);
          let parsed: unknown;
          if (String(answer.headers['content-type'] ?? '').includes('json')) {
            try {
              parsed = JSON.parse(raw.toString('utf8'));
            } catch {
              parsed = undefined;
            }
          }
          resolve({ status: answer.statusCode ?? 502, body: parsed, headers: answer.headers, raw });
        });
      },
    );
    call.on('timeout', () => call.destroy(new Error('the API did not answer in time')));
    call.on('error', reject);
    call.end(payload);
  });
