// A real browser for the page tests: Debian's chromium driven by playwright-core, people who set
// their passwords through their invitation links, screenshots kept as test artifacts, and the
// accessibility check of axe-core run inside each page.
import { mkdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';
import type { Role } from '../../domain/people';
import { ADMIN_TOKEN, type Harness } from './harness';
import { chromiumPath } from '../../scripts/chromium';

export const CHROMIUM = chromiumPath();

/** Where screenshots go (kept by CI as artifacts; not committed). */
export const SCREENSHOTS = path.join(__dirname, '..', '..', 'test-artifacts', 'screenshots');

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no browser at ${CHROMIUM}: install Debian's chromium (apt-get install -y chromium) or set CHROMIUM_PATH`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

export interface PagePerson {
  id: string;
  name: string;
  email: string;
  password: string;
  token: string;
}

let counter = 0;

/**
 * A person added by the administrator, who then sets their password on their invitation's page:
 * in the browser when `viaBrowser`, else by posting that page's form as a browser would (quicker,
 * for a test's cast; the form itself is tried in the browser and over HTTP elsewhere).
 */
export async function invitedPerson(h: Harness, browser: Browser, name: string, roles: Role[], viaBrowser = false): Promise<PagePerson> {
  const email = `page.${Date.now().toString(36)}.${counter++}@example.test`;
  const added = await h.request('POST', '/api/staff', { token: ADMIN_TOKEN, body: { name, email, roles } });
  expect(added.status).toBe(201);
  const invited = await h.request('POST', `/api/staff/${added.body.id}/invitation`, { token: ADMIN_TOKEN });
  expect(invited.status).toBe(201);
  const password = `пароль-${Math.random().toString(36).slice(2)}-long`;
  if (viaBrowser) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${h.url}${invited.body.path}`);
    await page.getByLabel(/Новый пароль|New password/).fill(password);
    await page.getByLabel(/Пароль ещё раз|Password again/).fill(password);
    await page.getByRole('button', { name: /Сохранить и войти|Save and sign in/ }).click();
    await page.waitForURL(/\/tasks/, { timeout: 60_000 });
    await context.close();
  } else {
    const form = await fetch(`${h.url}${invited.body.path}`);
    const cookie = form.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1]!;
    const set = await fetch(`${h.url}${invited.body.path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf, password, repeat: password }).toString(),
    });
    expect(set.status).toBe(303);
  }
  return { id: added.body.id, name, email, password, token: added.body.token };
}

/** A browser of the person's own, signed in through the sign-in page. */
export async function signedIn(h: Harness, browser: Browser, person: PagePerson, viewport = { width: 1280, height: 900 }) {
  const context: BrowserContext = await browser.newContext({ viewport, locale: 'ru-RU' });
  const page: Page = await context.newPage();
  await page.goto(`${h.url}/sign-in`);
  await page.getByLabel(/Эл. почта|E-mail/).fill(person.email);
  await page.getByLabel(/^Пароль$|^Password$/).fill(person.password);
  await page.getByRole('button', { name: /Войти|Sign in/ }).click();
  await page.waitForURL(/\/tasks/, { timeout: 60_000 });
  return { context, page };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; html: string }[];
}

/** axe-core's serious and critical findings on the page as it is now (run through the debugger, past the page's CSP). */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE);
  const violations = (await page.evaluate(
    `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations)`,
  )) as AxeViolation[];
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ ...v, nodes: v.nodes.slice(0, 3).map((n) => ({ target: n.target, html: n.html.slice(0, 200) })) }));
}

/** The page as it is now has no serious or critical accessibility finding. */
export async function expectAccessible(page: Page, what: string): Promise<void> {
  const violations = await seriousViolations(page);
  expect(violations, `${what}: ${JSON.stringify(violations, null, 1)}`).toEqual([]);
}

/** Reloads the page until a task with this title is listed, then answers it. */
export async function taskOnPage(page: Page, title: string, timeoutMs = 30_000) {
  const item = page.locator('li.task', { hasText: title }).first();
  try {
    await expect.poll(async () => (await page.reload(), item.count()), { timeout: timeoutMs }).toBeGreaterThan(0);
  } catch (err) {
    await screenshot(page, `missing-task-${title}`);
    throw err;
  }
  return item;
}

/** A phone's width, for the pages' checks at 390 px. */
export const PHONE = { width: 390, height: 844 };

/**
 * A page as `person` sees it on a phone, in Russian or (`language: 'en'`) English: `check` runs on
 * it first, then it is photographed, must not scroll sideways and must pass axe.
 */
export async function checkOnPhone(
  h: Harness,
  browser: Browser,
  person: PagePerson,
  path: string,
  name: string,
  options: { language?: 'ru' | 'en'; check?: (page: Page) => Promise<void> } = {},
): Promise<void> {
  const { context, page } = await signedIn(h, browser, person, PHONE);
  await page.goto(options.language === 'en' ? `${h.url}/language?to=en&back=${encodeURIComponent(path)}` : `${h.url}${path}`);
  await options.check?.(page);
  await screenshot(page, `${name}-phone`);
  await expectNoHorizontalOverflow(page, name);
  await expectAccessible(page, `${name} on a phone`);
  await context.close();
}

/** The page as it is now is no wider than its window (a phone's page must not scroll sideways). */
export async function expectNoHorizontalOverflow(page: Page, what: string): Promise<void> {
  const overflow = (await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')) as number;
  expect(overflow, `${what} overflows the window's width`).toBeLessThanOrEqual(0);
}
