// The pages of delivery in a real browser: a manager chooses how they hear (per kind at once, in the
// digest or not at all, the digest's time, the e-mail's language) and their mail's links open the
// process and the settings; an administrator registers a webhook endpoint, reads its secret once,
// follows its deliveries and sends a failed one again, and sees the mails that failed. Each page
// is checked with axe-core and photographed at laptop and phone width.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientBody, contractBody, stepOk } from '../support/fixtures';
import { eventually, startHarness, type Harness, type Person } from '../support/harness';
import { checkOnPhone, expectAccessible, invitedPerson, launchBrowser, type PagePerson, screenshot, signedIn } from '../support/browser';
import { startMailServer, type MailServer } from '../support/mail-server';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver';

const PUBLIC_URL = 'https://service.example.test';

let h: Harness;
let browser: Browser;
let smtp: MailServer;
let receiver: WebhookReceiver;
let admin: PagePerson;
let manager: PagePerson;
let ops: Person;
let director: Person;
let clientId: string;

beforeAll(async () => {
  smtp = await startMailServer();
  receiver = await startWebhookReceiver();
  h = await startHarness({
    delivery: {
      mail: { url: smtp.url, from: 'Клиентский сервис <noreply@service.example.test>', domain: 'service.example.test' },
      publicUrl: PUBLIC_URL,
      webhooks: { allowPrivate: true, timeoutMs: 1_500, retryForMs: 4_000 },
    },
  });
  browser = await launchBrowser();
  [admin, manager] = await Promise.all([
    invitedPerson(h, browser, 'Анна Администратор', ['admin']),
    invitedPerson(h, browser, 'Мария Менеджерова', ['manager']),
  ]);
  [ops, director] = await Promise.all([h.person('Олег Операционный', ['ops']), h.person('Иванов Иван Иванович', ['director'])]);
  const client = await h.request('POST', '/api/clients', { token: ops.token, body: clientBody() });
  expect(client.status).toBe(201);
  clientId = client.body.id;
});
afterAll(async () => {
  await browser?.close();
  await h?.close();
  await receiver?.close();
  await smtp?.stop();
});

async function signedContract(): Promise<string> {
  const created = await h.request('POST', '/api/contracts', { token: ops.token, body: contractBody(clientId, manager.id) });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  await stepOk(h, director, 'POST', `/api/contracts/${created.body.number}/signature`);
  return created.body.number;
}

/** A link of a mail as this test's server has it (mails name PUBLIC_URL). */
const here = (link: string) => link.replace(PUBLIC_URL, h.url);

describe('a person’s notification settings', () => {
  it('are chosen on their page, and every mail links to the process and back here', async () => {
    const number = await signedContract();
    const mail = await eventually(async () => smtp.to(manager.email).find((m) => m.subject.includes(number)), 30_000, 'the dispatch mail');
    expect(mail.subject).toBe(`Задача: Отправка клиенту · Договор ${number} · ООО «Северный ветер»`);
    const processLink = /Открыть: (\S+)/.exec(mail.text)![1]!;
    const settingsLink = /Как и когда получать такие письма: (\S+)/.exec(mail.text)![1]!;

    const { context, page } = await signedIn(h, browser, manager);
    await page.goto(here(processLink));
    await expect.poll(() => page.locator('h1').textContent()).toContain(number);
    await page.goto(here(settingsLink));
    await expect.poll(() => page.locator('h1').textContent()).toBe('Уведомления');
    await expectAccessible(page, 'notification settings');
    await screenshot(page, 'notification-settings');

    await page.getByRole('group', { name: 'Новые задачи' }).getByLabel('в сводке раз в день').check();
    await page.getByRole('group', { name: 'Новости процессов' }).getByLabel('не присылать').check();
    await page.getByLabel('Время ежедневной сводки').fill('07:30');
    await page.getByLabel('Язык писем').selectOption('en');
    await page.getByRole('button', { name: 'Сохранить' }).click();
    await page.waitForURL(/saved=1/);
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Сохранено');
    const saved = await h.request('GET', '/api/me/notification-settings', { token: manager.token });
    expect(saved.body).toMatchObject({
      language: 'en',
      digestAt: '07:30',
      modes: { task: 'digest', reminder: 'each', escalation: 'each', status: 'none' },
    });
    expect(await page.getByRole('group', { name: 'Новые задачи' }).getByLabel('в сводке раз в день').isChecked()).toBe(true);
    // In English, the same choices as saved.
    await page.goto(`${h.url}/language?to=en&back=${encodeURIComponent('/settings/notifications')}`);
    expect(await page.getByRole('group', { name: 'New tasks' }).getByLabel('in the daily digest').isChecked()).toBe(true);
    expect(await page.getByLabel('Time of the daily digest').inputValue()).toBe('07:30');
    await expectAccessible(page, 'notification settings in English');
    await screenshot(page, 'notification-settings-en');
    await context.close();

    await checkOnPhone(h, browser, manager, '/settings/notifications', 'notification-settings');
    await checkOnPhone(h, browser, manager, '/settings/notifications', 'notification-settings-en', {
      language: 'en',
      check: async (page) => expect(await page.locator('h1').textContent()).toBe('Notifications'),
    });
  });
});

describe('webhooks for administrators', () => {
  it('register an endpoint with its secret shown once, follow its deliveries, send a failed one again', async () => {
    const { context, page } = await signedIn(h, browser, admin);
    await page.goto(`${h.url}/webhooks`);
    await expectAccessible(page, 'webhooks, none yet');
    await page.getByLabel('Адрес (https)').fill(receiver.url);
    await page.getByLabel(/contract\.signed/).check();
    await page.getByLabel(/contract\.sent/).check();
    await page.getByLabel('Описание').fill('CRM отдела продаж');
    await page.getByRole('button', { name: 'Зарегистрировать' }).click();
    const secret = (await page.locator('code.secret').textContent())!;
    expect(secret).toMatch(/^whsec_/);
    receiver.secret = secret;
    await expectAccessible(page, 'webhooks, one registered');
    await screenshot(page, 'webhooks');
    await page.goto(`${h.url}/webhooks`);
    expect(await page.locator('code.secret').count()).toBe(0);

    await signedContract();
    await eventually(async () => (receiver.events.size === 1 ? true : undefined), 30_000, 'contract.signed');
    receiver.mode = { answer: 'status', status: 500 };
    await signedContract();
    const [endpoint] = (await h.request('GET', '/api/webhooks', { token: admin.token })).body.items;
    await eventually(async () => {
      const log = await h.request('GET', `/api/webhooks/${endpoint.id}/deliveries?status=failed`, { token: admin.token });
      return log.body.items.length === 1 ? true : undefined;
    });

    await page.getByRole('link', { name: receiver.url }).click();
    await expect.poll(() => page.locator('h1').textContent()).toContain(receiver.url);
    await expect.poll(() => page.locator('tr.late').count()).toBe(1);
    expect(await page.locator('tr.late').textContent()).toContain('ошибка HTTP 500');
    await expectAccessible(page, 'an endpoint’s deliveries');
    await screenshot(page, 'webhook-deliveries');

    receiver.mode = { answer: 'ok' };
    await page.locator('tr.late').getByRole('button', { name: 'Отправить ещё раз' }).click();
    await page.waitForURL(/redelivered=1/);
    await eventually(async () => (receiver.events.size === 2 ? true : undefined), 30_000, 'the redelivery');
    await page.reload();
    await expect.poll(() => page.locator('tr.late').count()).toBe(0);
    await page.goto(`${h.url}/language?to=en&back=${encodeURIComponent(`/webhooks/${endpoint.id}`)}`);
    expect(await page.locator('h1').textContent()).toContain('Deliveries to');
    expect(await page.locator('tbody tr').first().textContent()).toContain('delivered');
    await expectAccessible(page, 'an endpoint’s deliveries in English');
    await screenshot(page, 'webhook-deliveries-en');
    await page.goto(`${h.url}/language?to=ru&back=${encodeURIComponent(`/webhooks/${endpoint.id}`)}`);

    // A mail the server refused is listed for the administrator.
    smtp.refuseNext(1);
    const number = await signedContract();
    await eventually(async () => {
      const failed = await h.request('GET', '/api/mail-deliveries?status=failed', { token: admin.token });
      return failed.body.items.some((m: { message: string }) => m.message.includes(number)) ? true : undefined;
    });
    await page.goto(`${h.url}/webhooks`);
    const failedMail = page.locator('tr', { hasText: number });
    await expect.poll(() => failedMail.count()).toBe(1);
    expect(await failedMail.textContent()).toContain('не доставлено');
    await context.close();

    await checkOnPhone(h, browser, admin, '/webhooks', 'webhooks');
    await checkOnPhone(h, browser, admin, '/webhooks', 'webhooks-en', {
      language: 'en',
      check: async (page) => expect(await page.locator('h1').textContent()).toBe('Webhooks'),
    });
  });

  it('are refused to anyone else', async () => {
    const { context, page } = await signedIn(h, browser, manager);
    const answer = await page.goto(`${h.url}/webhooks`);
    expect(answer?.status()).toBe(403);
    expect(await page.getByRole('link', { name: 'Вебхуки' }).count()).toBe(0);
    await context.close();
  });
});
