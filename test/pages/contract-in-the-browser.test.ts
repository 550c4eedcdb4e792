// The contract procedure done in a real browser by the people it is for: the manager drafts a
// non-standard contract on the Start page, the lawyer approves it from their tasks, the director
// opens nothing but their task and signs, the manager dispatches it and watches the timeline move.
// Every page visited is checked with axe-core and photographed, at laptop and phone width.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startHarness, type Harness } from '../support/harness';
import { clientBody, DEVIATION, isoDay } from '../support/fixtures';
import { pdfText } from '../support/pdf-text';
import { expectAccessible, invitedPerson, launchBrowser, screenshot, signedIn, type PagePerson } from '../support/browser';

let h: Harness;
let browser: Browser;
let manager: PagePerson;
let lawyer: PagePerson;
let director: PagePerson;
let clientId: string;

beforeAll(async () => {
  h = await startHarness();
  browser = await launchBrowser();
  [manager, lawyer, director] = await Promise.all([
    invitedPerson(h, browser, 'Мария Менеджерова', ['manager']),
    invitedPerson(h, browser, 'Юлия Юристова', ['lawyer']),
    invitedPerson(h, browser, 'Иванов Иван Иванович', ['director']),
  ]);
  const ops = await h.person('Олег Операционный', ['ops']);
  const client = await h.request('POST', '/api/clients', { token: ops.token, body: clientBody() });
  expect(client.status).toBe(201);
  clientId = client.body.id;
});

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

describe('a client registered on the Start page', () => {
  it('has its INN and bank details checked as they are typed, by the API’s own rules', async () => {
    const { context, page } = await signedIn(h, browser, manager);
    await page.goto(`${h.url}/start`);
    await page.getByRole('link', { name: 'Новый клиент' }).click();
    const inn = page.getByLabel('ИНН');
    await inn.fill('7707083890');
    await inn.blur();
    const innError = page.locator('#requisites-inn-live');
    await expect.poll(() => innError.count()).toBe(1);
    expect(await innError.textContent()).toContain('is not a valid INN');
    expect(await inn.getAttribute('aria-invalid')).toBe('true');
    const bik = page.getByLabel('БИК');
    await bik.fill('12345');
    await bik.blur();
    await expect.poll(() => page.locator('#requisites-bik-live').count()).toBe(1);
    // Fields not touched yet say nothing; a corrected INN is quiet again.
    expect(await page.locator('#requisites-address-live').count()).toBe(0);
    await inn.fill('7707083893');
    await inn.blur();
    await expect.poll(() => innError.count()).toBe(0);
    await screenshot(page, 'start-client-checked');
    await expectAccessible(page, 'client form with live checks');
    await context.close();
  });
});

describe('the contract procedure in the browser', () => {
  let processUrl: string;

  it('the manager drafts a non-standard contract on the Start page', async () => {
    const { context, page } = await signedIn(h, browser, manager);
    await page.getByRole('link', { name: 'Начать' }).click();
    await expectAccessible(page, 'start');
    await page.getByRole('link', { name: 'Новый договор' }).click();
    await page.locator('#clientId').selectOption(clientId);
    await page.locator('#managerId').selectOption(manager.id);
    await page.getByLabel('Предмет договора').fill('Перевозка грузов автомобильным транспортом');
    await page.getByLabel('Сумма').fill('1250000');
    await page.getByLabel(/Валюта/).fill('RUB');
    await page.getByLabel('Дата начала').fill(isoDay(0));
    await page.getByLabel('Дата окончания').fill(isoDay(365));
    await page.getByLabel('Срок оплаты, дней').fill('30');
    await page.locator('#deviations-0-clause').fill(DEVIATION.clause);
    await page.locator('#deviations-0-standard').fill(DEVIATION.standard);
    await page.locator('#deviations-0-proposed').fill(DEVIATION.proposed);
    await screenshot(page, 'start-contract-form');
    await expectAccessible(page, 'start form');
    await page.getByRole('button', { name: 'Отправить' }).click();
    await page.waitForURL(/\/processes\/contract\/CT-/);
    processUrl = new URL(page.url()).pathname;
    await expect
      .poll(async () => (await page.reload(), page.locator('.stages li.current').textContent()), { timeout: 20_000 })
      .toBe('у юриста');
    await context.close();
  });

  it('the lawyer sees the task with the deviation and approves it in place', async () => {
    const { context, page } = await signedIn(h, browser, lawyer);
    const task = page.locator('li.task', { hasText: 'Согласование юриста' });
    await expect.poll(() => task.count()).toBe(1);
    // Each deviation beside the standard clause, next to the decision.
    const deviation = task.locator('table.deviations tbody tr').first();
    expect(await deviation.textContent()).toContain(DEVIATION.standard);
    expect(await deviation.textContent()).toContain(DEVIATION.proposed);
    await screenshot(page, 'tasks-lawyer');
    await expectAccessible(page, 'tasks');
    await task.getByLabel('Решение').selectOption('approve');
    await task.getByLabel('Комментарий').fill('Отсрочка согласована с финансовым отделом');
    await task.getByRole('button', { name: 'Отправить' }).click();
    await page.waitForURL(/\/tasks\?done=approval/);
    expect(await page.getByRole('status').textContent()).toContain('Решение юриста');
    expect(await page.locator('li.task', { hasText: 'Согласование юриста' }).count()).toBe(0);
    await context.close();
  });

  it('the director signs from their tasks, and the signed PDF opens from the process page', async () => {
    const { context, page } = await signedIn(h, browser, director);
    const task = page.locator('li.task', { hasText: 'Подпись директора' });
    await expect.poll(async () => (await page.reload(), task.count()), { timeout: 20_000 }).toBe(1);
    // The director reads the contract as it will be signed before signing it; nothing is kept.
    const draftLink = task.getByRole('link', { name: /Проект документа/ });
    const draft = await context.request.get(`${h.url}${await draftLink.getAttribute('href')}`);
    expect(draft.status()).toBe(200);
    expect(draft.headers()['content-type']).toBe('application/pdf');
    expect(await pdfText(await draft.body())).toContain(processUrl.split('/').pop()!);
    await task.getByRole('button', { name: 'Отправить' }).click();
    await page.waitForURL(/done=signature/);
    await page.goto(`${h.url}${processUrl}`);
    const pdfLink = page.locator('section', { hasText: 'Документы' }).getByRole('link').first();
    await expect.poll(async () => (await page.reload(), pdfLink.count()), { timeout: 20_000 }).toBe(1);
    const pdf = await context.request.get(`${h.url}${await pdfLink.getAttribute('href')}`);
    expect(pdf.status()).toBe(200);
    expect(pdf.headers()['content-type']).toBe('application/pdf');
    expect((await pdf.body()).subarray(0, 5).toString()).toBe('%PDF-');
    await context.close();
  });

  it('the manager dispatches it and sees the timeline move', async () => {
    const { context, page } = await signedIn(h, browser, manager);
    const task = page.locator('li.task', { hasText: 'Отправка клиенту' });
    await expect.poll(async () => (await page.reload(), task.count()), { timeout: 20_000 }).toBe(1);
    await task.getByLabel('Способ отправки').selectOption('courier');
    await task.getByLabel('Номер отправления').fill('CDEK-1029384756');
    await task.getByRole('button', { name: 'Отправить' }).click();
    await page.waitForURL(/done=dispatch/);

    await page.goto(`${h.url}${processUrl}`);
    await expect
      .poll(async () => (await page.reload(), page.locator('.stages li.current').textContent()), { timeout: 20_000 })
      .toBe('отправлен');
    // The state diagram: this contract's stage marked, and the moves contracts have made drawn between the stages.
    expect((await page.locator('.state-diagram .state.current').textContent())?.trim()).toBe('отправлен');
    await expect
      .poll(async () => (await page.reload(), page.locator('.state-diagram path.move').count()), { timeout: 20_000 })
      .toBeGreaterThanOrEqual(3);
    // One bar per wait: the lawyer's, the director's and the dispatch, each with who it was on.
    const bars = page.locator('#timeline g.bar');
    expect(await bars.count()).toBeGreaterThanOrEqual(3);
    expect(await page.locator('#timeline').textContent()).toContain('Юлия Юристова');
    expect(await page.locator('table', { hasText: 'Шаги' }).textContent()).toContain('отправка');
    await screenshot(page, 'process-contract');
    await expectAccessible(page, 'process page');

    await page.getByRole('link', { name: 'Процессы' }).click();
    expect(await page.locator('table.processes').textContent()).toContain('отправлен');
    await screenshot(page, 'processes');
    await expectAccessible(page, 'processes');
    await context.close();

    // The same process page on a phone.
    const phone = await signedIn(h, browser, manager, { width: 390, height: 844 });
    await phone.page.goto(`${h.url}${processUrl}`);
    const overflow = (await phone.page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')) as number;
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(phone.page, 'process-contract-phone');
    await expectAccessible(phone.page, 'process page, phone');
    await phone.page.goto(`${h.url}/tasks`);
    await screenshot(phone.page, 'tasks-phone');
    await phone.context.close();
  });
});

describe('every other page', () => {
  it('passes axe-core at laptop and phone width, in Russian and in English: sign-in, an invitation, staff, clients', async () => {
    const anonymous = await browser.newContext();
    const page = await anonymous.newPage();
    await page.goto(`${h.url}/sign-in`);
    await expectAccessible(page, 'sign-in');
    await screenshot(page, 'sign-in');
    const added = await h.request('POST', '/api/staff', {
      token: ADMIN_TOKEN,
      body: { name: 'Новый Сотрудник', email: `new.${Date.now()}@example.test`, roles: ['ops'] },
    });
    const invitation = await h.request('POST', `/api/staff/${added.body.id}/invitation`, { token: ADMIN_TOKEN });
    await page.goto(`${h.url}${invitation.body.path}`);
    await expectAccessible(page, 'invitation');
    await anonymous.close();

    const admin = await invitedPerson(h, browser, 'Анна Администратор', ['admin'], true);
    for (const viewport of [
      { width: 1280, height: 900 },
      { width: 390, height: 844 },
    ]) {
      const { context, page: p } = await signedIn(h, browser, admin, viewport);
      const phone = viewport.width === 390 ? '-phone' : '';
      for (const [path, name] of [
        ['/staff', 'staff'],
        ['/clients?q=%D0%A1%D0%B5%D0%B2%D0%B5%D1%80', 'clients'],
        ['/processes?type=contract', 'processes-contracts'],
      ] as const) {
        await p.goto(`${h.url}${path}`);
        expect(p.url()).not.toContain('/sign-in');
        await expectAccessible(p, `${name}${phone}`);
        const overflow = (await p.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')) as number;
        await screenshot(p, `${name}${phone}`);
        expect(overflow, `${name}${phone} overflows`).toBeLessThanOrEqual(0);
      }
      // The same pages in English, from the switch in the header.
      await p.getByRole('link', { name: 'English' }).click();
      await p.waitForLoadState();
      expect(await p.locator('h1').textContent()).toBe('Processes');
      await p.goto(`${h.url}/staff`);
      expect(await p.locator('h1').textContent()).toBe('Staff');
      await expectAccessible(p, `staff in English${phone}`);
      await context.close();
    }
  });
});
