// Signing in, tried as an attacker and a clumsy user would: forms without their CSRF token, a
// password guessed again and again, a link used twenty times at once, a disabled person's open
// session, a role that may not see a page or take a step, a redirect to another site.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startHarness, type Harness } from '../support/harness';
import { castAndClient, contractBody, DEVIATION } from '../support/fixtures';
import { eventually } from '../support/harness';
import { firstAdministratorLink } from '../../pages/first-administrator';

let h: Harness;

/** A browser without a browser: its cookies, and the form token of the last page it read. */
class Visitor {
  cookies = new Map<string, string>();
  csrf = '';
  constructor(private readonly headers: Record<string, string> = {}) {}

  async go(method: 'GET' | 'POST', path: string, form?: Record<string, string | string[]>) {
    const body = form
      ? new URLSearchParams(
          Object.entries(form).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, x]) : [[k, v]])) as [string, string][],
        ).toString()
      : undefined;
    const res = await fetch(`${h.url}${path}`, {
      method,
      redirect: 'manual',
      headers: {
        ...this.headers,
        cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body,
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [name, value] = pair!.split('=');
      if (value === '') this.cookies.delete(name!);
      else this.cookies.set(name!, value!);
    }
    const text = await res.text();
    const token = /name="_csrf" value="([^"]+)"/.exec(text);
    if (token) this.csrf = token[1]!;
    return { status: res.status, location: res.headers.get('location'), text, setCookie: res.headers.getSetCookie() };
  }

  async signIn(email: string, password: string) {
    await this.go('GET', '/sign-in');
    return this.go('POST', '/sign-in', { _csrf: this.csrf, email, password, next: '/tasks' });
  }
}

/** A person with a password, set through their invitation link. */
async function personWithPassword(name: string, roles: string[]) {
  const email = `safe.${Math.random().toString(36).slice(2, 10)}@example.test`;
  const added = await h.request('POST', '/api/staff', { token: ADMIN_TOKEN, body: { name, email, roles } });
  const link = await h.request('POST', `/api/staff/${added.body.id}/invitation`, { token: ADMIN_TOKEN });
  const password = 'correct horse battery staple';
  const v = new Visitor();
  await v.go('GET', link.body.path);
  const set = await v.go('POST', link.body.path, { _csrf: v.csrf, password, repeat: password });
  expect(set.status).toBe(303);
  return { id: added.body.id as string, email, password, token: added.body.token as string, path: link.body.path as string };
}

beforeAll(async () => {
  // Behind a proxy on the loopback, as in production behind a TLS terminator.
  h = await startHarness({ pages: { signInLimitPerAccount: 3, signInLimitPerAddress: 8, signInWindowMs: 60_000, trustProxy: 'loopback' } });
});

afterAll(async () => {
  await h?.close();
});

describe('sign-in', () => {
  it('keeps the session in an http-only, SameSite=Lax cookie, Secure only over HTTPS, and ends it on sign-out', async () => {
    const p = await personWithPassword('Анна', ['ops']);
    const v = new Visitor();
    const res = await v.signIn(p.email, p.password);
    expect(res.status).toBe(303);
    expect(res.location).toBe('/tasks');
    const cookie = res.setCookie.find((c) => c.startsWith('ce_session='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/);
    expect((await v.go('GET', '/tasks')).status).toBe(200);
    const overHttps = await new Visitor({ 'x-forwarded-proto': 'https' }).signIn(p.email, p.password);
    expect(overHttps.setCookie.find((c) => c.startsWith('ce_session='))).toMatch(/Secure/);

    const out = await v.go('POST', '/sign-out', { _csrf: v.csrf });
    expect(out.status).toBe(303);
    // The old cookie is refused too, not only forgotten by this browser.
    const stale = new Visitor();
    stale.cookies.set('ce_session', [...res.setCookie][0]!.split(';')[0]!.split('=')[1]!);
    expect((await stale.go('GET', '/tasks')).location).toMatch(/^\/sign-in/);
  });

  it('is refused without the form token, and with another session’s', async () => {
    const p = await personWithPassword('Борис', ['ops']);
    const stranger = new Visitor();
    const noToken = await stranger.go('POST', '/sign-in', { email: p.email, password: p.password });
    expect(noToken.status).toBe(403);
    expect(noToken.setCookie.some((c) => c.startsWith('ce_session='))).toBe(false);

    const v = new Visitor();
    await v.signIn(p.email, p.password);
    const other = new Visitor();
    await other.signIn(p.email, p.password);
    // A form posted with the other session's token is refused, and nothing is taken.
    const forged = await v.go('POST', '/sign-out', { _csrf: other.csrf });
    expect(forged.status).toBe(403);
    expect((await v.go('GET', '/tasks')).status).toBe(200);
  });

  it('is limited after repeated failures, per account and per address', async () => {
    const p = await personWithPassword('Вера', ['ops']);
    const v = new Visitor();
    for (let i = 0; i < 3; i++) expect((await v.signIn(p.email, 'wrong password')).status).toBe(401);
    const limited = await v.signIn(p.email, p.password);
    expect(limited.status).toBe(429);
    expect(limited.text).toContain('Слишком много');
    // The right password does not get through while the account is limited, from a fresh browser either.
    const elsewhere = new Visitor();
    expect((await elsewhere.signIn(p.email, p.password)).status).toBe(429);
    // Another person can still sign in from here until the address's own limit.
    const q = await personWithPassword('Глеб', ['ops']);
    expect((await v.signIn(q.email, q.password)).status).toBe(303);
  });

  it('takes a NUL or a lone surrogate in the e-mail as a failed sign-in, never a 500', async () => {
    for (const email of ['a\u0000@example.test', 'a\ud800@example.test']) {
      const v = new Visitor();
      expect((await v.signIn(email, 'whatever it is')).status).toBe(401);
    }
  });

  it('never answers a password or its hash', async () => {
    const p = await personWithPassword('Дарья', ['ops']);
    const staff = await h.request('GET', '/api/staff', { token: ADMIN_TOKEN });
    expect(JSON.stringify(staff.body)).not.toMatch(/argon2|password/i);
    const me = await h.request('GET', '/api/me', { token: p.token });
    expect(JSON.stringify(me.body)).not.toMatch(/argon2|password/i);
  });

  it('does not send anyone to another site after signing in', async () => {
    const p = await personWithPassword('Евгений', ['ops']);
    const v = new Visitor();
    await v.go('GET', '/sign-in?next=//evil.example/x');
    const res = await v.go('POST', '/sign-in', { _csrf: v.csrf, email: p.email, password: p.password, next: '//evil.example/x' });
    expect(res.location).toBe('/tasks');
  });
});

describe('invitations', () => {
  it('set a password once: the same link sent twenty times at once is taken by one', async () => {
    const email = `once.${Math.random().toString(36).slice(2, 10)}@example.test`;
    const added = await h.request('POST', '/api/staff', { token: ADMIN_TOKEN, body: { name: 'Жанна', email, roles: ['ops'] } });
    const link = await h.request('POST', `/api/staff/${added.body.id}/invitation`, { token: ADMIN_TOKEN });
    const visitors = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const v = new Visitor();
        await v.go('GET', link.body.path);
        return { v, password: `password number ${i} long` };
      }),
    );
    const answers = await Promise.all(
      visitors.map(({ v, password }) => v.go('POST', link.body.path, { _csrf: v.csrf, password, repeat: password })),
    );
    expect(answers.filter((a) => a.status === 303)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 410)).toHaveLength(19);
    const winner = visitors[answers.findIndex((a) => a.status === 303)]!;
    expect((await new Visitor().signIn(email, winner.password)).status).toBe(303);
    // The used link is gone.
    expect((await new Visitor().go('GET', link.body.path)).status).toBe(410);
  });

  it('refuse a short password and a repeat that differs, naming the field, and leave the link usable', async () => {
    const email = `short.${Math.random().toString(36).slice(2, 10)}@example.test`;
    const added = await h.request('POST', '/api/staff', { token: ADMIN_TOKEN, body: { name: 'Зоя', email, roles: ['ops'] } });
    const link = await h.request('POST', `/api/staff/${added.body.id}/invitation`, { token: ADMIN_TOKEN });
    const v = new Visitor();
    await v.go('GET', link.body.path);
    const short = await v.go('POST', link.body.path, { _csrf: v.csrf, password: 'short', repeat: 'short' });
    expect(short.status).toBe(400);
    expect(short.text).toContain('at least 12 characters');
    const differ = await v.go('POST', link.body.path, { _csrf: v.csrf, password: 'long enough password', repeat: 'another long password' });
    expect(differ.status).toBe(400);
    expect(differ.text).toContain('Пароли не совпадают');
    expect((await v.go('GET', link.body.path)).status).toBe(200);
  });

  it('make the first administrator from the link `npm start` prints, once', async () => {
    // Other tests' administrators have passwords here: a database of its own shows the fresh install.
    const link = await firstAdministratorLink(h.db, h.url, 60_000);
    if (link) {
      const path = new URL(link).pathname;
      const v = new Visitor();
      await v.go('GET', path);
      const email = `first.${Math.random().toString(36).slice(2, 10)}@example.test`;
      const made = await v.go('POST', path, {
        _csrf: v.csrf,
        name: 'Первый Админ',
        email,
        password: 'first admin password',
        repeat: 'first admin password',
      });
      expect(made.status).toBe(303);
      expect((await v.go('GET', '/staff')).status).toBe(200);
    }
    expect(await firstAdministratorLink(h.db, h.url, 60_000)).toBeUndefined();
  });
});

describe('who may do what', () => {
  it('a person without the role is refused the page and the action, with the API’s reason', async () => {
    const lawyer = await personWithPassword('Игорь', ['lawyer']);
    const v = new Visitor();
    await v.signIn(lawyer.email, lawyer.password);
    const staffPage = await v.go('GET', '/staff');
    expect(staffPage.status).toBe(403);

    // A contract that waits for dispatch; the lawyer forges the manager's form.
    const cast = await castAndClient(h);
    const created = await h.request('POST', '/api/contracts', {
      token: cast.manager.token,
      body: contractBody(cast.clientId, cast.manager.id),
    });
    const number = created.body.number as string;
    await v.go('GET', '/tasks');
    const forged = await v.go('POST', '/act', {
      _csrf: v.csrf,
      _step: 'post /api/contracts/:number/dispatch',
      _url: `/api/contracts/${number}/dispatch`,
      _back: '/tasks',
      channel: 'courier',
    });
    expect(forged.status).toBe(403);
    // The reason in the reader's language, naming the roles by their names, and the API's own words under it.
    expect(forged.text).toContain('Это делает менеджер, руководитель клиентского отдела; у вас нет этой роли.');
    expect(forged.text).toContain('manager, kam_head');

    // A route the pages do not offer is not reachable through /act at all.
    const smuggled = await v.go('POST', '/act', {
      _csrf: v.csrf,
      _step: 'post /api/staff',
      _url: '/api/staff',
      _back: '/tasks',
      name: 'x',
    });
    expect(smuggled.status).toBe(400);
    // Nor a URL that is not the step's.
    const elsewhere = await v.go('POST', '/act', {
      _csrf: v.csrf,
      _step: 'post /api/contracts/:number/approval',
      _url: '/api/staff',
      _back: '/tasks',
    });
    expect(elsewhere.status).toBe(400);
  });

  it('a step the process refuses (four eyes) shows the process’s reason in the reader’s language', async () => {
    const both = await personWithPassword('Марк', ['manager', 'director']);
    const cast = await castAndClient(h);
    const created = await h.request('POST', '/api/contracts', { token: both.token, body: contractBody(cast.clientId, both.id) });
    expect(created.status).toBe(201);
    const number = created.body.number as string;
    const v = new Visitor();
    await v.signIn(both.email, both.password);
    const tasks = await v.go('GET', '/tasks');
    expect(tasks.text).toContain(`/api/contracts/${number}/signature`);
    const refused = await v.go('POST', '/act', {
      _csrf: v.csrf,
      _step: 'post /api/contracts/:number/signature',
      _url: `/api/contracts/${number}/signature`,
      _back: '/tasks',
    });
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('Правило четырёх глаз');
  });

  it('one form sent twenty times at once (a double click, a flaky network) is one step', async () => {
    const lawyer = await personWithPassword('Нина', ['lawyer']);
    const cast = await castAndClient(h);
    const created = await h.request('POST', '/api/contracts', {
      token: cast.manager.token,
      body: contractBody(cast.clientId, cast.manager.id, { deviations: [DEVIATION] }),
    });
    const number = created.body.number as string;
    await eventually(async () =>
      (await h.request('GET', `/api/contracts/${number}`, { token: lawyer.token })).body.status === 'pending_legal_approval'
        ? true
        : undefined,
    );
    const v = new Visitor();
    await v.signIn(lawyer.email, lawyer.password);
    const page = await v.go('GET', '/tasks');
    const key = /name="_key" value="([^"]+)"/.exec(page.text)![1]!;
    const form = {
      _csrf: v.csrf,
      _step: 'post /api/contracts/:number/approval',
      _url: `/api/contracts/${number}/approval`,
      _key: key,
      _back: '/tasks',
      decision: 'approve',
      comment: 'Согласовано',
    };
    const answers = await Promise.all(Array.from({ length: 20 }, () => v.go('POST', '/act', form)));
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(303));
    const timeline = await h.request('GET', `/api/contracts/${number}/timeline`, { token: lawyer.token });
    expect(timeline.body.items.filter((i: { step: string }) => i.step === 'legal_approval')).toHaveLength(1);
  });

  it('a disabled person’s session ends at once, pages and API', async () => {
    const p = await personWithPassword('Кира', ['ops']);
    const v = new Visitor();
    await v.signIn(p.email, p.password);
    expect((await v.go('GET', '/tasks')).status).toBe(200);
    await h.request('PATCH', `/api/staff/${p.id}`, { token: ADMIN_TOKEN, body: { disabled: true } });
    expect((await v.go('GET', '/tasks')).location).toMatch(/^\/sign-in/);
    const api = await h.request('GET', '/api/me', { headers: { authorization: `Session ${v.cookies.get('ce_session')}` } });
    expect(api.status).toBe(401);
    // Nor can they sign in again.
    expect((await new Visitor().signIn(p.email, p.password)).status).toBe(401);
  });

  it('the API’s bearer tokens keep working beside sessions', async () => {
    const p = await personWithPassword('Лев', ['ops']);
    expect((await h.request('GET', '/api/me', { token: p.token })).status).toBe(200);
  });
});
