// The rules behind what an operator reads: which X-Request-Id a caller may set, and that no
// credential survives into a log line, whatever shape it is logged in.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../config/logger';
import { REDACTED, redact, redactText } from '../../config/log-redaction';
import { REQUEST_ID_MAX_LENGTH, saneRequestId } from '../../domain/request-id';

describe('saneRequestId', () => {
  it('keeps 1–128 visible ASCII characters', () => {
    for (const id of ['a', 'req-123', '0f8fad5b-d9cb-469f-a165-70867728950e', 'trace:abc/def=1', '!~', 'x'.repeat(REQUEST_ID_MAX_LENGTH)]) {
      expect(saneRequestId(id)).toBe(id);
    }
  });

  it('refuses what could forge, split or flood a log line', () => {
    const refused: unknown[] = [
      undefined,
      null,
      42,
      ['a'],
      '',
      ' ',
      'two words',
      ' leading',
      'x'.repeat(REQUEST_ID_MAX_LENGTH + 1),
      'line\nbreak',
      'carriage\rreturn',
      'tab\there',
      'nul\u0000',
      'del\u007f',
      'café',
      'запрос-1',
      '\u{1F600}',
      'a\u2028b',
    ];
    for (const value of refused) expect(saneRequestId(value), JSON.stringify(value)).toBeUndefined();
  });
});

describe('redaction', () => {
  it('replaces the values of credential keys at any depth, whatever their case', () => {
    const out = redact({
      req: { headers: { authorization: 'Bearer staff-token-1', Cookie: 'sid=abc', 'set-cookie': ['sid=abc; HttpOnly'] } },
      config: { smtpUrl: 'smtp://u:p@h', SMTP_URL: 'smtp://u:p@h', adminToken: 'admin-token-1', password: 'hunter2' },
      list: [{ webhookSecret: 'whsec_AAAA', apiKey: 'k', 'x-api-key': 'k2', credentials: { user: 'u' } }],
      'idempotency-key': 'key-1',
      requestId: 'req-1',
      workflowId: 'contract-1',
    }) as any;
    expect(out.req.headers).toEqual({ authorization: REDACTED, Cookie: REDACTED, 'set-cookie': REDACTED });
    expect(out.config).toEqual({ smtpUrl: REDACTED, SMTP_URL: REDACTED, adminToken: REDACTED, password: REDACTED });
    expect(out.list[0]).toEqual({ webhookSecret: REDACTED, apiKey: REDACTED, 'x-api-key': REDACTED, credentials: REDACTED });
    // Idempotency keys, request ids and workflow ids are what an operator searches by.
    expect(out['idempotency-key']).toBe('key-1');
    expect(out.requestId).toBe('req-1');
    expect(out.workflowId).toBe('contract-1');
  });

  it('cuts credentials out of text: URL passwords, bearer and session credentials, webhook secrets', () => {
    expect(redactText('connect to smtps://mailer:s3cr%40t@mail.example:465 failed')).toBe(
      `connect to smtps://mailer:${REDACTED}@mail.example:465 failed`,
    );
    expect(redactText('postgres://engine:pw@db:5432/x')).toBe(`postgres://engine:${REDACTED}@db:5432/x`);
    expect(redactText('sent Authorization: Bearer abc.def-123, then')).toBe(`sent Authorization: Bearer ${REDACTED}, then`);
    expect(redactText('Session 0123456789abcdef')).toBe(`Session ${REDACTED}`);
    expect(redactText('secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw= here')).toBe(`secret ${REDACTED} here`);
    // Nothing else is touched.
    expect(redactText('http://example.test/api/contracts/2026-001 answered 404')).toBe(
      'http://example.test/api/contracts/2026-001 answered 404',
    );
  });

  it('flattens errors, their messages, stacks and causes redacted', () => {
    const cause = Object.assign(new Error('auth failed for smtp://u:topsecret@host'), { code: 'EAUTH' });
    const out = redact({ err: new Error('delivery failed', { cause }) }) as any;
    expect(out.err).toMatchObject({ type: 'Error', message: 'delivery failed', cause: { code: 'EAUTH' } });
    expect(JSON.stringify(out)).not.toContain('topsecret');
    expect(out.err.cause.message).toBe(`auth failed for smtp://u:${REDACTED}@host`);
  });

  it('stops at a bounded depth on cyclic objects', () => {
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    expect(() => JSON.stringify(redact(cyclic))).not.toThrow();
  });
});

describe('the logger', () => {
  function capture() {
    const lines: Record<string, any>[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const text of chunk.toString('utf8').split('\n')) if (text) lines.push(JSON.parse(text));
        done();
      },
    });
    return { lines, destination };
  }

  it('writes JSON lines with time, level word, component and fields, credentials redacted in fields and message', () => {
    const { lines, destination } = capture();
    const log = createLogger({ level: 'info', component: 'api', destination });
    log.info(
      { requestId: 'req-9', headers: { authorization: 'Bearer tok-1', cookie: 'session=tok-2', 'idempotency-key': 'key-9' } },
      'calling smtp://mailer:tok-3@mail.example',
    );
    log.error({ err: new Error('refused: postgres://engine:tok-4@db/x') }, 'a failure');
    log.debug('not written at info');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ level: 'info', component: 'api', requestId: 'req-9', headers: { 'idempotency-key': 'key-9' } });
    expect(typeof lines[0].time).toBe('string');
    expect(lines[0].msg).toBe(`calling smtp://mailer:${REDACTED}@mail.example`);
    expect(lines[1]).toMatchObject({ level: 'error', err: { type: 'Error' } });
    const text = JSON.stringify(lines);
    for (const secret of ['tok-1', 'tok-2', 'tok-3', 'tok-4']) expect(text).not.toContain(secret);
  });

  it("a child's lines carry its bindings (the request id) and are redacted the same", () => {
    const { lines, destination } = capture();
    createLogger({ level: 'debug', component: 'worker', destination }).child({ requestId: 'req-10' }).debug({ password: 'pw-1' }, 'step');
    expect(lines[0]).toMatchObject({ requestId: 'req-10', password: REDACTED, component: 'worker', level: 'debug' });
  });
});
