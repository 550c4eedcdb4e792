// Delivery's rules on their own: which addresses a webhook may reach (also when a name resolves
// inside the network), how much of an answer is read and kept, which steps raise which events,
// what the configuration demands, and what a mail says in each language.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config/env';
import { isPrivateAddress, webhookUrlProblem } from '../../domain/webhook-urls';
import { answerExcerpt, postWebhook, publicOnlyLookup } from '../../activities/delivery/webhook-request';
import { isWebhookSecret } from '../../api/delivery/schemas';
import { eventsOfStep } from '../../workflows/engine/process-events';
import { PROCESS_EVENTS } from '../../workflows/process-events';
import { createMailComposer } from '../../pages/mail';
import type { NoticeFacts } from '../../db/delivery/mail';

describe('where a webhook may go', () => {
  it('tells private, loopback, link-local and reserved addresses from public ones, in any notation', () => {
    for (const inside of [
      '127.0.0.1',
      '10.20.30.40',
      '172.31.0.1',
      '192.168.0.1',
      '169.254.169.254',
      '100.100.100.100',
      '0.0.0.0',
      '224.0.0.1',
    ])
      expect(isPrivateAddress(inside), inside).toBe(true);
    for (const inside of ['::1', '::', '::ffff:10.0.0.1', '::ffff:7f00:1', 'fc00::1', 'fe80::1%eth0', '2001:db8::5', '64:ff9b::a9fe:a9fe'])
      expect(isPrivateAddress(inside), inside).toBe(true);
    for (const outside of ['8.8.8.8', '1.1.1.1', '172.32.0.1', '2a00:1450:4001:82a::200e', '::ffff:8.8.8.8'])
      expect(isPrivateAddress(outside), outside).toBe(false);
    expect(isPrivateAddress('not an address')).toBe(true);
  });

  it('allows http and private addresses only when told to', () => {
    expect(webhookUrlProblem('https://crm.example.com/x', false)).toBeUndefined();
    expect(webhookUrlProblem('http://crm.example.com/x', false)).toMatch(/https/);
    expect(webhookUrlProblem('http://127.0.0.1:9000/x', true)).toBeUndefined();
    expect(webhookUrlProblem('https://u:p@127.0.0.1/x', true)).toMatch(/password/);
    expect(webhookUrlProblem('gopher://crm.example.com', true)).toMatch(/http or https/);
  });

  it('refuses a name that resolves inside the network when it connects, and calls nobody', async () => {
    const refused = await new Promise<NodeJS.ErrnoException | null>((resolve) =>
      publicOnlyLookup('localhost', { all: false }, (err) => resolve(err)),
    );
    expect(refused?.code).toBe('EADDRNOTALLOWED');
    expect(refused?.message).toMatch(/localhost resolves to .*a private address/);
  });
});

describe('a webhook call', () => {
  let server: http.Server;
  let port: number;
  let calls = 0;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      calls++;
      req.resume();
      if (req.url === '/huge') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('\u0000'.repeat(10) + 'y'.repeat(5_000_000));
        return;
      }
      res.writeHead(302, { location: 'http://169.254.169.254/latest' }).end('moved');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const call = (url: string) => ({
    deliveryId: 'd',
    attempt: 1,
    webhookId: 'msg_1',
    type: 'contract.signed',
    payload: '{"type":"contract.signed"}',
    url,
    secret: `whsec_${Buffer.alloc(24, 1).toString('base64')}`,
  });

  it('to a name resolving to loopback is refused when private addresses are not allowed', async () => {
    const before = calls;
    const attempt = await postWebhook(call(`http://localhost:${port}/hooks`), {
      timeoutMs: 2_000,
      answerLimitBytes: 65_536,
      allowPrivate: false,
    });
    expect(attempt).toMatchObject({ outcome: 'refused' });
    expect(calls).toBe(before);
    const literal = await postWebhook(call(`http://127.0.0.1:${port}/hooks`), {
      timeoutMs: 2_000,
      answerLimitBytes: 65_536,
      allowPrivate: false,
    });
    expect(literal).toMatchObject({ outcome: 'refused', error: '127.0.0.1 is a private address' });
    expect(calls).toBe(before);
  });

  it('follows no redirect, and reads only so much of an answer, keeping its start as storable text', async () => {
    const moved = await postWebhook(call(`http://127.0.0.1:${port}/moved`), {
      timeoutMs: 2_000,
      answerLimitBytes: 65_536,
      allowPrivate: true,
    });
    expect(moved).toMatchObject({ outcome: 'http_error', statusCode: 302, answer: 'moved' });
    const huge = await postWebhook(call(`http://127.0.0.1:${port}/huge`), {
      timeoutMs: 5_000,
      answerLimitBytes: 4_096,
      allowPrivate: true,
    });
    expect(huge.outcome).toBe('delivered');
    expect(huge.answer).toHaveLength(1_000);
    expect(huge.answer).not.toContain('\u0000');
    expect(answerExcerpt(Buffer.from([0xff, 0xfe, 0x41]))).toBe('\uFFFD\uFFFDA');
  });
});

describe('secrets and events', () => {
  it('takes a Standard Webhooks secret of 24 to 64 bytes', () => {
    expect(isWebhookSecret(`whsec_${Buffer.alloc(32, 9).toString('base64')}`)).toBe(true);
    expect(isWebhookSecret(`whsec_${Buffer.alloc(16, 9).toString('base64')}`)).toBe(false);
    expect(isWebhookSecret(`whsec_${Buffer.alloc(65, 9).toString('base64')}`)).toBe(false);
    expect(isWebhookSecret('whsec_not base64!')).toBe(false);
    expect(isWebhookSecret(Buffer.alloc(32, 9).toString('base64'))).toBe(false);
  });

  it('are raised by the step that reaches their stage from another, never by the first step or a step that stays', () => {
    const contract = PROCESS_EVENTS.contract;
    expect(eventsOfStep(contract, 'pending_signature', 'ready_to_send').map((e) => e.type)).toEqual(['contract.signed']);
    expect(eventsOfStep(contract, null, 'pending_signature')).toEqual([]);
    expect(eventsOfStep(contract, 'active', 'active')).toEqual([]);
    expect(eventsOfStep(contract, 'sent', 'cancelled').map((e) => e.type)).toEqual(['contract.cancelled']);
    expect(eventsOfStep(PROCESS_EVENTS.account, 'ultimatum', 'lost').map((e) => e.type)).toEqual(['client.stage_changed', 'client.lost']);
    expect(eventsOfStep(PROCESS_EVENTS.account, null, 'healthy')).toEqual([]);
    const types = Object.values(PROCESS_EVENTS).flatMap((events) => events.map((e) => e.type));
    expect(new Set(types).size).toBe(types.length);
    for (const type of types) expect(type).toMatch(/^[a-z]+\.[a-z_]+$/);
  });
});

describe('the configuration of delivery', () => {
  const base = { DATABASE_URL: 'postgres://localhost/x' };

  it('is off for mail without SMTP_URL, with webhooks to public https only', () => {
    const { delivery } = loadConfig(base);
    expect(delivery.mail).toBeUndefined();
    expect(delivery).toMatchObject({ publicUrl: 'http://localhost:3000', timeZone: 'Europe/Moscow', roundEveryMs: 300_000 });
    expect(delivery.webhooks).toEqual({ allowPrivate: false, timeoutMs: 10_000, retryForMs: 86_400_000, answerLimitBytes: 65_536 });
  });

  it('reads the mail server, the sender and the links', () => {
    const { delivery } = loadConfig({
      ...base,
      SMTP_URL: 'smtps://robot:secret@mail.example.com:465',
      MAIL_FROM: 'Клиентский сервис <noreply@example.com>',
      PUBLIC_URL: 'https://service.example.com/',
      WEBHOOK_ALLOW_PRIVATE: 'true',
      MAIL_RETRY_FOR: '2h',
    });
    expect(delivery.mail).toEqual({
      url: 'smtps://robot:secret@mail.example.com:465',
      from: 'Клиентский сервис <noreply@example.com>',
      domain: 'example.com',
    });
    expect(delivery).toMatchObject({ publicUrl: 'https://service.example.com', mailRetryForMs: 7_200_000 });
    expect(delivery.webhooks.allowPrivate).toBe(true);
  });

  it('names what is wrong, and never prints the mail server’s password', () => {
    const fails = (env: Record<string, string>) => {
      try {
        loadConfig({ ...base, ...env });
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return (err as Error).message;
      }
      throw new Error('no error');
    };
    expect(fails({ SMTP_URL: 'smtp://u:hunter2@mail.example.com' })).toMatch(/MAIL_FROM: required with SMTP_URL/);
    const bad = fails({ SMTP_URL: 'http://u:hunter2@mail.example.com', MAIL_FROM: 'a@b.c' });
    expect(bad).toMatch(/SMTP_URL: must be an smtp:\/\/ or smtps:\/\/ URL/);
    expect(bad).not.toContain('hunter2');
    expect(fails({ MAIL_FROM: 'nobody' })).toMatch(/MAIL_FROM/);
    expect(fails({ TIME_ZONE: 'Mars/Olympus' })).toMatch(/TIME_ZONE/);
    expect(fails({ WEBHOOK_ALLOW_PRIVATE: 'yes' })).toMatch(/WEBHOOK_ALLOW_PRIVATE/);
    expect(fails({ WEBHOOK_TIMEOUT: 'soon' })).toMatch(/WEBHOOK_TIMEOUT/);
  });
});

describe('a notification’s mail', () => {
  const composer = createMailComposer({ publicUrl: 'https://service.example.com/', timeZone: 'Europe/Moscow' });
  const notice: NoticeFacts = {
    notificationId: 'n1',
    kind: 'escalation',
    message: 'Contract CT-2026-00001: the signed original is overdue\n<script>alert(1)</script>',
    createdAt: new Date('2026-12-07T09:30:00Z'),
    processType: 'contract',
    processId: 'CT-2026-00001',
    processNumber: 'CT-2026-00001',
    clientName: 'ООО «Северный ветер»',
    taskKind: null,
    dueAt: null,
  };
  const reader = { staffId: 's1', name: 'Ким Руководитель', address: 'kim@example.com', language: 'ru' as const };

  it('says what happened and where to act, in the reader’s language, its subject on one line and its HTML escaped', () => {
    const ru = composer.notice(reader, notice);
    expect(ru.subject).toBe('Эскалация · Договор CT-2026-00001 · ООО «Северный ветер»');
    expect(ru.text).toContain('Уведомление от 7 дек. 2026 г., 12:30.');
    expect(ru.text).toContain('https://service.example.com/processes/contract/CT-2026-00001');
    expect(ru.html).not.toContain('<script>');
    expect(ru.html).toContain('&lt;script&gt;');
    const en = composer.notice(
      { ...reader, language: 'en' },
      { ...notice, kind: 'task', taskKind: 'follow_up', dueAt: new Date('2026-12-08T09:00:00Z') },
    );
    expect(en.subject).toBe('Task: Follow-up call · Contract CT-2026-00001 · ООО «Северный ветер»');
    expect(en.text).toContain('Due: 8 Dec 2026, 12:00');
    expect(en.text).toContain('My tasks: https://service.example.com/tasks');
    const subjectOnly = composer.notice(reader, { ...notice, processNumber: 'CT-1\r\nBcc: victim@example.com' });
    expect(subjectOnly.subject).not.toMatch(/[\r\n]/);
  });

  it('gathers a day in one digest', () => {
    const digest = composer.digest(
      reader,
      '2026-12-07',
      [notice, { ...notice, kind: 'status', message: 'Contract CT-2026-00002 is active' }],
      2,
    );
    expect(digest.subject).toBe('Уведомления за 7 декабря 2026 г.: 2');
    expect(digest.text).toContain('Contract CT-2026-00002 is active');
    expect(digest.text.match(/https:\/\/service\.example\.com\/processes\/contract\/CT-2026-00001/g)).toHaveLength(2);
    expect(digest.text).not.toContain('и ещё');
  });

  it('of a busy day lists the first and says how many more the app has', () => {
    const digest = composer.digest(reader, '2026-12-07', [notice], 1_250);
    expect(digest.subject).toBe('Уведомления за 7 декабря 2026 г.: 1250');
    expect(digest.text).toContain('…и ещё 1249: все они в приложении.');
    expect(digest.html).toContain('…и ещё 1249: все они в приложении.');
  });
});
