// An onboarding and a churn escalation done from the pages: ops start an onboarding from the form
// its questionnaire makes, the head of key accounts qualifies it, the manager drafts its contract
// and, once the contract is in force, ticks off the implementation checklist; a complaint is
// recorded on the client's page, the client is escalated, the stage's owner reports their action,
// the head brings the client back and the manager resolves the complaint from their tasks.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startHarness, type Harness } from '../support/harness';
import { clientBody, isoDay, stepOk } from '../support/fixtures';
import { expectAccessible, invitedPerson, launchBrowser, screenshot, signedIn, taskOnPage, type PagePerson } from '../support/browser';

let h: Harness;
let browser: Browser;
let ops: PagePerson;
let kamHead: PagePerson;
let manager: PagePerson;
let lawyer: PagePerson;
let director: PagePerson;
let clientId: string;

const person = (p: PagePerson) => ({ id: p.id, token: p.token, name: p.name });

beforeAll(async () => {
  h = await startHarness();
  browser = await launchBrowser();
  [ops, kamHead, manager, lawyer, director] = await Promise.all([
    invitedPerson(h, browser, 'Олег Операционный', ['ops']),
    invitedPerson(h, browser, 'Ким Руководитель', ['kam_head']),
    invitedPerson(h, browser, 'Мария Менеджерова', ['manager']),
    invitedPerson(h, browser, 'Юлия Юристова', ['lawyer']),
    invitedPerson(h, browser, 'Иванов Иван Иванович', ['director']),
  ]);
  const client = await h.request('POST', '/api/clients', { token: ops.token, body: clientBody() });
  expect(client.status).toBe(201);
  clientId = client.body.id;
});

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

describe('an onboarding from the pages', () => {
  let onboardingUrl: string;

  it('ops start it from the form its questionnaire makes', async () => {
    const { context, page } = await signedIn(h, browser, ops);
    await page.goto(`${h.url}/clients/${clientId}`);
    await expectAccessible(page, 'client page');
    await page.getByRole('link', { name: 'Подключение клиента' }).click();
    await page.getByLabel('Анкета').selectOption({ index: 1 });
    await page.getByRole('button', { name: 'К вопросам анкеты' }).click();
    // The questions are the form: labels, help, choices and required marks from the questionnaire.
    await page.getByLabel('Вид деятельности').fill('freight-logistics');
    await page.getByLabel('Местоположение складов отгрузки').fill('Склад в Подольске, ул. Складская, 1');
    await page.getByLabel('Что за груз').fill('Бытовая химия на паллетах');
    await page.getByLabel('Ориентировочная стоимость груза в одной машине, руб.').fill('2500000');
    await page.getByLabel('Требуемые типы ТС').fill('Еврофура 20 т');
    await page.getByLabel('Есть ли температурный режим').selectOption({ label: 'Нет' });
    await page.getByLabel('Как отгружается товар').selectOption({ label: 'Паллеты' });
    await page.getByLabel('Требуемые сроки оплаты, дней').fill('30');
    await page.getByLabel('За какое время до погрузки размещается заявка на перевозку, часов').fill('24');
    await page.getByLabel('Необходимость страхования груза').check();
    expect(await page.locator('#clientId').inputValue()).toBe(clientId);
    expect(await page.locator('label[for="answers-cargo"] .req').count()).toBe(1);
    await screenshot(page, 'start-onboarding-questionnaire');
    await expectAccessible(page, 'onboarding form');
    await page.getByRole('button', { name: 'Отправить' }).click();
    await page.waitForURL(/\/processes\/onboarding\//);
    onboardingUrl = new URL(page.url()).pathname;
    await expect
      .poll(async () => (await page.reload(), page.locator('.stages li.current').textContent()), { timeout: 20_000 })
      .toBe('квалификация');
    await context.close();
  });

  it('a refused form keeps what was typed and names the field in the API’s words', async () => {
    const { context, page } = await signedIn(h, browser, kamHead);
    const item = await taskOnPage(page, 'Квалификация');
    await item.getByLabel('Сегмент').selectOption('gold');
    await item.getByLabel('Позиция поставщика').selectOption('partner');
    await item.getByLabel('Ожидаемая выручка в год').fill('-5');
    await item.getByLabel('Решение').selectOption('pursue');
    await item.getByLabel('Причина').fill('Крупный клиент с регулярными перевозками');
    await item.getByRole('button', { name: 'Отправить' }).click();
    expect(await page.getByRole('alert').first().textContent()).toContain('Проверьте поля формы');
    expect(await page.locator('#expectedAnnualRevenue-error').textContent()).toMatch(/>=\s*0|0/);
    expect(await page.getByLabel('Причина').inputValue()).toBe('Крупный клиент с регулярными перевозками');
    await screenshot(page, 'refused-form');
    await expectAccessible(page, 'refused form');
    await page.getByLabel('Ожидаемая выручка в год').fill('12000000');
    await page.getByRole('button', { name: 'Отправить' }).click();
    await page.waitForURL(/done=qualification/);
    await context.close();
  });

  it('the manager drafts its contract from their tasks; once in force, the checklist is theirs to tick off', async () => {
    const { context, page } = await signedIn(h, browser, manager);
    const item = await taskOnPage(page, 'Подготовить договор');
    await item.getByLabel('Предмет договора').fill('Перевозка грузов автомобильным транспортом');
    await item.getByLabel('Сумма').fill('1000000');
    await item.getByLabel(/Валюта/).fill('RUB');
    await item.getByLabel('Дата начала').fill(isoDay(0));
    await item.getByLabel('Дата окончания').fill(isoDay(365));
    await item.getByLabel('Срок оплаты, дней').fill('30');
    await item.getByRole('button', { name: 'Отправить' }).click();
    await page.waitForURL(/done=contract/);

    // The child contract's own steps (the contract's pages are tried in their own test).
    const id = onboardingUrl.split('/').pop()!;
    const number = await eventually(
      async () => (await h.request('GET', `/api/onboardings/${id}`, { token: ops.token })).body.contractNumber ?? undefined,
      20_000,
      'the child contract',
    );
    await eventually(async () =>
      (await h.request('GET', `/api/contracts/${number}`, { token: ops.token })).body.status === 'pending_signature' ? true : undefined,
    );
    await stepOk(h, person(director), 'POST', `/api/contracts/${number}/signature`);
    await stepOk(h, person(manager), 'POST', `/api/contracts/${number}/dispatch`, { channel: 'courier' });
    await stepOk(h, person(manager), 'POST', `/api/contracts/${number}/original`);
    await stepOk(h, person(lawyer), 'POST', `/api/contracts/${number}/client-record`);

    const checklist = await taskOnPage(page, 'Пункт внедрения');
    await screenshot(page, 'tasks-manager-checklist');
    await expectAccessible(page, 'manager tasks');
    await checklist.getByLabel('Примечание').fill('Вариант обслуживания согласован с клиентом');
    await checklist.getByRole('button', { name: 'Отправить' }).click();
    await page.waitForURL(/done=checklist/);

    await page.goto(`${h.url}${onboardingUrl}`);
    await expect
      .poll(async () => (await page.reload(), page.locator('.stages li.current').textContent()), { timeout: 20_000 })
      .toBe('внедрение');
    // The parent shows its child, and the child its parent.
    await page.getByRole('link', { name: new RegExp(number) }).click();
    expect(await page.locator('main').textContent()).toContain('Начат процессом');
    await screenshot(page, 'process-child-contract');
    await context.close();
  });
});

describe('a complaint and an escalation from the pages', () => {
  it('is recorded on the client page, escalated, acted on, recovered and resolved', async () => {
    const opsBrowser = await signedIn(h, browser, ops);
    const page = opsBrowser.page;
    await page.goto(`${h.url}/clients/${clientId}`);
    await page.locator('summary', { hasText: 'Жалоба клиента' }).click();
    const complaint = page.locator('form.step', { hasText: 'Жалоба клиента' });
    await complaint.getByLabel('Суть').fill('Машина опоздала на погрузку на шесть часов');
    await complaint.getByLabel('Категория').selectOption('delivery');
    await complaint.getByLabel('Серьёзность').selectOption('high');
    await complaint.getByLabel('Кто сообщил').fill('Смирнов Олег');
    await complaint.getByRole('button', { name: 'Отправить' }).click();
    await page.waitForURL(/done=complaints/);
    expect(await page.locator('section', { hasText: 'Жалобы' }).first().textContent()).toContain('Машина опоздала');
    await opsBrowser.context.close();

    // The manager reports the client adversarial from the client's page.
    const mgr = await signedIn(h, browser, manager);
    await mgr.page.goto(`${h.url}/clients/${clientId}`);
    await mgr.page.locator('summary', { hasText: 'Эскалация' }).click();
    const escalation = mgr.page.locator('form.step', { hasText: 'Эскалация' });
    await escalation.getByLabel('Этап').selectOption('adversarial');
    await escalation.getByLabel('Основания').fill('Клиент пригрозил сменить перевозчика');
    await escalation.getByRole('button', { name: 'Отправить' }).click();
    await mgr.page.waitForURL(/done=escalation/);
    await expect
      .poll(async () => (await mgr.page.reload(), mgr.page.locator('#h-standing + p strong').textContent()), { timeout: 20_000 })
      .toBe('конфронтация');

    // The stage's owners get their tasks; the head reports theirs done from the tasks page.
    const head = await signedIn(h, browser, kamHead);
    const action = await taskOnPage(head.page, 'План улучшений');
    await action.getByLabel('Примечание').fill('План: резервная машина на каждую отгрузку');
    await action.getByRole('button', { name: 'Отправить' }).click();
    await head.page.waitForURL(/done=escalation.actions/);

    // The head brings the client back from its page.
    await head.page.goto(`${h.url}/clients/${clientId}`);
    await head.page.locator('summary', { hasText: 'Клиент возвращён' }).click();
    const recovered = head.page.locator('form.step', { hasText: 'Клиент возвращён' });
    await recovered.getByLabel('Что сделано').fill('Резервная машина, скидка на следующий месяц');
    await recovered.getByRole('button', { name: 'Отправить' }).click();
    await head.page.waitForURL(/done=escalation.resolve/);
    await expect
      .poll(async () => (await head.page.reload(), head.page.locator('#h-standing + p strong').textContent()), { timeout: 20_000 })
      .toBe('всё хорошо');
    await screenshot(head.page, 'client');
    await expectAccessible(head.page, 'client page after recovery');
    await head.context.close();

    // The manager resolves the complaint from their tasks.
    await mgr.page.goto(`${h.url}/tasks`);
    const resolve = await taskOnPage(mgr.page, 'Жалоба');
    await resolve.getByLabel('Как решено').fill('Выделена резервная машина');
    await resolve.getByLabel('Причина').selectOption('process');
    await resolve.getByRole('button', { name: 'Отправить' }).click();
    await mgr.page.waitForURL(/done=resolve/);
    await mgr.page.goto(`${h.url}/clients/${clientId}`);
    expect(await mgr.page.locator('section', { hasText: 'Жалобы' }).first().textContent()).toContain('решена');
    await mgr.context.close();
  });
});
