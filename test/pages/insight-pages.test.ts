// The insight pages in a real browser, on contracts taken through the API: where time goes (the
// lawyer's approvals waited longest, and the page marks that step, with the API's own numbers),
// churn (a client made dissatisfied by complaints), and the registry (filtered by status, and its
// CSV downloaded). The head of key accounts sees them; a manager is refused the insight page.
// Every page is checked with axe-core and photographed at laptop and phone width.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { durationText } from '../../pages/render';
import { startHarness, type Harness, type Person } from '../support/harness';
import { clientBody, contractBody, DEVIATION, newClient, stepOk } from '../support/fixtures';
import { checkOnPhone, expectAccessible, invitedPerson, launchBrowser, type PagePerson, screenshot, signedIn } from '../support/browser';

let h: Harness;
let browser: Browser;
let kamHead: PagePerson;
let manager: PagePerson;
let ops: Person;
let lawyer: Person;
let director: Person;
let clientId: string;
const numbers: Record<string, string> = {};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function contract(name: string, nonStandard: boolean): Promise<string> {
  const res = await h.request('POST', '/api/contracts', {
    token: manager.token,
    body: contractBody(clientId, manager.id, nonStandard ? { deviations: [DEVIATION] } : {}),
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  numbers[name] = res.body.number;
  return res.body.number;
}

const signAndSend = async (number: string) => {
  expect(await stepOk(h, director, 'POST', `/api/contracts/${number}/signature`)).toBe('ready_to_send');
  expect(await stepOk(h, manager, 'POST', `/api/contracts/${number}/dispatch`, { channel: 'courier', trackingRef: `TR-${number}` })).toBe(
    'sent',
  );
};

beforeAll(async () => {
  h = await startHarness();
  browser = await launchBrowser();
  [kamHead, manager] = await Promise.all([
    invitedPerson(h, browser, 'Ким Руководитель', ['kam_head']),
    invitedPerson(h, browser, 'Мария Менеджерова', ['manager']),
  ]);
  [ops, lawyer, director] = await Promise.all([
    h.person('Олег Операционный', ['ops']),
    h.person('Юлия Юристова', ['lawyer']),
    h.person('Иванов Иван Иванович', ['director']),
  ]);
  const client = await h.request('POST', '/api/clients', { token: ops.token, body: clientBody() });
  expect(client.status).toBe(201);
  clientId = client.body.id;

  // A standard contract goes straight through: short waits on the director and the manager.
  await signAndSend(await contract('standard', false));
  // Two non-standard ones wait on the lawyer for a few seconds first.
  const first = await contract('approved1', true);
  const second = await contract('approved2', true);
  await sleep(4_000);
  for (const number of [first, second]) {
    expect(await stepOk(h, lawyer, 'POST', `/api/contracts/${number}/approval`, { decision: 'approve', comment: 'Согласовано' })).toBe(
      'pending_signature',
    );
    await signAndSend(number);
  }
});

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

interface Row {
  kind?: string;
  staff?: string;
  count: number;
  open: number;
  medianMs: number;
  p90Ms: number;
  medianText: string;
  p90Text: string;
  slaMet: number;
}

/** The rows of a waits table as the page shows them. */
const tableRows = (page: Page, id: string): Promise<Row[]> =>
  page.$$eval(`#${id} tbody tr`, (trs) =>
    trs.map((tr) => {
      const cells = [...tr.querySelectorAll('td')];
      const data = (el: { getAttribute(name: string): string | null }, name: string) => el.getAttribute(`data-${name}`) ?? undefined;
      return {
        kind: data(tr, 'kind'),
        staff: data(tr, 'staff'),
        count: Number(data(cells[0]!, 'value')),
        open: Number(data(cells[1]!, 'value')),
        medianMs: Number(data(cells[2]!, 'ms')),
        p90Ms: Number(data(cells[3]!, 'ms')),
        medianText: cells[2]!.textContent!.trim(),
        p90Text: cells[3]!.textContent!.trim(),
        slaMet: Number(data(cells[4]!, 'value')),
      };
    }),
  );

describe('where time goes', () => {
  it("marks the lawyer's approval as the slowest step, with the API's own numbers in the tables and charts", async () => {
    const { context, page } = await signedIn(h, browser, kamHead);
    await page.getByRole('link', { name: 'Где время' }).click();
    await page.waitForURL(/\/insight$/);
    await page.getByLabel('Процесс', { exact: true }).selectOption('contract');
    await page.getByRole('button', { name: 'Показать' }).click();
    await page.waitForURL(/type=contract/);

    const api = await h.request('GET', '/api/analytics/waits?type=contract', { token: kamHead.token });
    expect(api.status).toBe(200);
    expect(api.body.slowest).toEqual({ type: 'contract', kind: 'legal_approval' });
    const approval = api.body.steps.find((s: { kind: string }) => s.kind === 'legal_approval');
    expect(approval).toMatchObject({ count: 2, open: 0 });
    expect(approval.medianMs).toBeGreaterThanOrEqual(4_000);
    for (const s of api.body.steps) if (s.kind !== 'legal_approval') expect(s.medianMs).toBeLessThan(approval.medianMs);

    // The slowest step is marked in the summary, the table and every chart of steps.
    expect(await page.locator('#bottleneck').textContent()).toContain('Согласование юриста');
    expect(await page.locator('#steps tr.slowest').getAttribute('data-kind')).toBe('legal_approval');
    expect(await page.locator('#steps tr.slowest .badge').textContent()).toBe('самый долгий шаг');
    expect(await page.locator('#chart-steps-caption').textContent()).toContain('медиана');
    const marked = page.locator('figure .row.marked .label');
    expect(await marked.count()).toBe(2);
    expect(await marked.first().textContent()).toContain('Согласование юриста');
    expect(await page.getByRole('img', { name: 'Ожидание по шагам: медиана и 90-й перцентиль' }).count()).toBe(1);

    // Every number of the tables is the API's, and reads as the API's number would.
    const steps = await tableRows(page, 'steps');
    expect(steps.map((r) => r.kind)).toEqual(api.body.steps.map((s: { kind: string }) => s.kind));
    for (const [i, s] of api.body.steps.entries()) {
      expect(steps[i]).toEqual({
        kind: s.kind,
        staff: undefined,
        count: s.count,
        open: s.open,
        medianMs: s.medianMs,
        p90Ms: s.p90Ms,
        medianText: durationText('ru', s.medianMs),
        p90Text: durationText('ru', s.p90Ms),
        slaMet: s.slaMet,
      });
    }
    const people = await tableRows(page, 'people');
    expect(people).toHaveLength(api.body.people.length);
    for (const [i, p] of api.body.people.entries()) {
      expect(people[i]).toMatchObject({ staff: p.staffId ?? '', count: p.count, medianMs: p.medianMs, p90Ms: p.p90Ms, slaMet: p.slaMet });
    }
    expect(await page.locator('#people').textContent()).toContain('Юлия Юристова');
    // The chart's bars say the same in their titles.
    expect(await page.locator('#chart-steps-title').textContent()).toBe('Ожидание по шагам: медиана и 90-й перцентиль');
    expect(await page.locator('figure .row.marked rect.median title').first().textContent()).toContain(
      durationText('ru', approval.medianMs),
    );
    await screenshot(page, 'insight-contract');
    await expectAccessible(page, 'insight, contracts');

    // All processes, the default period.
    await page.goto(`${h.url}/insight`);
    expect(await page.getByLabel('С', { exact: true }).inputValue()).toBe(api.body.from);
    expect(await page.getByLabel('По', { exact: true }).inputValue()).toBe(api.body.to);
    await screenshot(page, 'insight');
    await expectAccessible(page, 'insight');

    // A period backwards is the API's refusal, shown on the page with the field it names.
    await page.goto(`${h.url}/insight?from=2026-02-01&to=2026-01-01`);
    expect(await page.getByRole('alert').textContent()).toContain('По:');
    await context.close();

    await checkOnPhone(h, browser, kamHead, '/insight?type=contract', 'insight');
  });

  it('is refused to a manager, who is not offered it', async () => {
    const { context, page } = await signedIn(h, browser, manager);
    expect(await page.getByRole('navigation', { name: 'Разделы' }).getByRole('link', { name: 'Где время' }).count()).toBe(0);
    const answer = await page.goto(`${h.url}/insight`);
    expect(answer?.status()).toBe(403);
    expect(await page.locator('main').textContent()).toContain('для руководителя клиентского отдела');
    expect((await page.goto(`${h.url}/insight/churn`))?.status()).toBe(403);
    await expectAccessible(page, 'insight refused');
    await context.close();
  });
});

describe('churn', () => {
  it('shows a client made dissatisfied by complaints at its stage, and on the cooling list', async () => {
    const unhappy = await newClient(h, ops, 'ООО «Недовольный клиент»');
    for (const severity of ['medium', 'medium', 'high']) {
      const res = await h.request('POST', `/api/clients/${unhappy}/complaints`, {
        token: ops.token,
        body: { summary: 'Машина опоздала на погрузку', category: 'delivery', severity, reportedBy: 'Логист клиента' },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
    const client = await h.request('GET', `/api/clients/${unhappy}`, { token: ops.token });
    expect(client.body.stage).toBe('dissatisfied');

    const { context, page } = await signedIn(h, browser, kamHead);
    await page.goto(`${h.url}/insight`);
    await page.getByRole('link', { name: 'Отток клиентов' }).click();
    await page.waitForURL(/\/insight\/churn/);
    const churn = await h.request('GET', '/api/analytics/churn', { token: kamHead.token });
    const dissatisfied = churn.body.byStage.find((s: { key: string }) => s.key === 'dissatisfied').count;
    expect(dissatisfied).toBeGreaterThanOrEqual(1);
    expect(await page.locator('#churn-stages tr[data-stage="dissatisfied"] td').first().textContent()).toBe(String(dissatisfied));
    const row = page.locator(`#cooling tr[data-client="${unhappy}"]`);
    expect(await row.locator('td.stage').textContent()).toBe('недоволен');
    expect(await row.textContent()).toContain('ООО «Недовольный клиент»');
    expect(await row.textContent()).toContain('этап: недоволен');
    expect(await page.getByRole('img', { name: 'Сколько клиентов на каждой стадии сейчас' }).count()).toBe(1);
    await screenshot(page, 'insight-churn');
    await expectAccessible(page, 'churn');
    await context.close();

    await checkOnPhone(h, browser, kamHead, '/insight/churn', 'insight-churn');
  });
});

describe('the registry', () => {
  it('filters by status, and its CSV link downloads the contracts as text/csv', async () => {
    // One more contract, left with the lawyer.
    const waiting = await contract('waiting', true);
    const { context, page } = await signedIn(h, browser, kamHead);
    await page.getByRole('link', { name: 'Реестр договоров' }).click();
    await page.waitForURL(/\/registry$/);
    expect(await page.locator('#registry tbody tr').count()).toBe(4);

    await page.getByLabel('Статус').selectOption('sent');
    await page.getByRole('button', { name: 'Показать' }).click();
    await page.waitForURL(/status=sent/);
    const sent = await page.$$eval('#registry tbody tr', (trs) => trs.map((tr) => tr.getAttribute('data-number')));
    expect(sent.sort()).toEqual([numbers.standard, numbers.approved1, numbers.approved2].sort());
    for (const status of await page.locator('#registry td.status').allTextContents()) expect(status).toBe('отправлен');
    await screenshot(page, 'registry');
    await expectAccessible(page, 'registry');

    await page.getByLabel('Статус').selectOption('pending_legal_approval');
    await page.getByRole('button', { name: 'Показать' }).click();
    await page.waitForURL(/status=pending_legal_approval/);
    expect(await page.$$eval('#registry tbody tr', (trs) => trs.map((tr) => tr.getAttribute('data-number')))).toEqual([waiting]);

    // The CSV of what is shown: the API's export, with its type and file name.
    const link = page.getByRole('link', { name: 'Скачать CSV' });
    expect(await link.getAttribute('href')).toBe('/registry.csv?status=pending_legal_approval');
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    expect(download.suggestedFilename()).toBe('contract-registry.csv');
    const csv = await context.request.get(`${h.url}/registry.csv?status=pending_legal_approval`);
    expect(csv.status()).toBe(200);
    expect(csv.headers()['content-type']).toMatch(/^text\/csv/);
    expect(csv.headers()['content-disposition']).toContain('contract-registry.csv');
    const text = await csv.text();
    expect(text).toContain(waiting);
    expect(text).not.toContain(numbers.standard!);
    const all = await context.request.get(`${h.url}/registry.csv`);
    for (const number of Object.values(numbers)) expect(await all.text()).toContain(number);
    await context.close();

    await checkOnPhone(h, browser, manager, '/registry', 'registry', {
      check: async (phone) => expect(await phone.locator('#registry tbody tr').count()).toBe(4),
    });
  });
});
