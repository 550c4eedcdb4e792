// E-mail of notifications, end to end: real Temporal, Postgres and an SMTP server (smtp-server)
// that keeps what it accepts. Each notification reaches each person it is for once, in their
// language, with the page to act on and the way to change what they get; a dropped connection, a
// server that is down or one that refuses is retried or marked failed while the contract goes on;
// each person's choice (each, digest, none) is kept; the digest gathers a day into one mail.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDeliverySchedule } from '../../worker/delivery-schedule';
import { deliveryTaskQueue, stepNewsStart } from '../../workflows/delivery/starts';
import { deliveryWindows } from '../../worker/create-worker';
import { castAndClient, contractBody, stepOk, type Cast } from '../support/fixtures';
import { ADMIN_TOKEN, eventually, startHarness, type Harness, type Person } from '../support/harness';
import { startMailServer, type MailServer } from '../support/mail-server';
import { keepHistory } from '../support/histories';

let h: Harness;
let cast: Cast;
let smtp: MailServer;
let secondDirector: Person;
let disabledDirector: Person;
let emails: Map<string, string>;
let scheduleId: string;

const PUBLIC_URL = 'https://service.example.test';

beforeAll(async () => {
  smtp = await startMailServer();
  h = await startHarness({
    delivery: {
      mail: { url: smtp.url, from: 'Клиентский сервис <noreply@service.example.test>', domain: 'service.example.test' },
      publicUrl: PUBLIC_URL,
      mailRetryForMs: 15_000,
    },
  });
  cast = await castAndClient(h);
  secondDirector = await h.person('Петров Пётр Петрович', ['director']);
  disabledDirector = await h.person('Сидоров Сидор', ['director']);
  expect((await h.request('PATCH', `/api/staff/${disabledDirector.id}`, { token: ADMIN_TOKEN, body: { disabled: true } })).status).toBe(
    200,
  );
  const staff = await h.request('GET', '/api/staff', { token: ADMIN_TOKEN });
  emails = new Map(staff.body.items.map((s: { id: string; email: string }) => [s.id, s.email]));
  scheduleId = await ensureDeliverySchedule(h.temporal, h.taskQueue, 3_600_000);
});
afterAll(async () => {
  await h?.temporal.schedule
    .getHandle(scheduleId)
    .delete()
    .catch(() => undefined);
  await h?.close();
  await smtp?.stop();
});

const mailOf = (person: Person) => emails.get(person.id)!;
const mailsTo = (person: Person) => smtp.to(mailOf(person));

async function newContract(): Promise<string> {
  const created = await h.request('POST', '/api/contracts', { token: cast.ops.token, body: contractBody(cast.clientId, cast.manager.id) });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.number;
}

/** Waits until `person` has `count` mails about `number` and gives them. */
const mailsAbout = (person: Person, number: string, count: number, what = `${count} mails about ${number}`) =>
  eventually(
    async () => {
      const found = mailsTo(person).filter((m) => m.subject.includes(number) || m.text.includes(number));
      return found.length >= count ? found : undefined;
    },
    30_000,
    what,
  );

const settle = () => new Promise((resolve) => setTimeout(resolve, 1_500));

/** The delivery workflow of the step that wrote `number`'s first notification, once it has ended; its history kept. */
async function keepDeliveryHistory(number: string, name: string): Promise<void> {
  const [row] = (
    await h.db.query(
      `SELECT d.step_key FROM mail_deliveries d JOIN notifications n ON n.id = d.notification_id WHERE n.contract_number = $1
       ORDER BY n.created_at LIMIT 1`,
      [number],
    )
  ).rows;
  const workflowId = `deliver:${row.step_key}`;
  await h.temporal.workflow.getHandle(workflowId).result();
  await keepHistory(h.temporal, workflowId, name);
}

describe('a notification', () => {
  it('reaches each active person it is for once, in their language, with the page to act on and the way to change it', async () => {
    const en = await h.request('PATCH', '/api/me/notification-settings', { token: secondDirector.token, body: { language: 'en' } });
    expect(en.status, JSON.stringify(en.body)).toBe(200);
    const number = await newContract();

    // The signature task is the directors' role's: each active director gets one mail.
    const [ru] = await mailsAbout(cast.director, number, 1);
    const [english] = await mailsAbout(secondDirector, number, 1);
    await settle();
    expect(mailsTo(cast.director).filter((m) => m.subject.includes(number))).toHaveLength(1);
    expect(mailsTo(secondDirector).filter((m) => m.subject.includes(number))).toHaveLength(1);
    expect(mailsTo(disabledDirector)).toEqual([]);

    expect(ru!.subject).toBe(`Задача: Подпись директора · Договор ${number} · ООО «Северный ветер»`);
    expect(ru!.text).toContain(`Здравствуйте, ${cast.director.name}!`);
    expect(ru!.text).toContain(`Sign contract ${number}`);
    expect(ru!.text).toContain(`${PUBLIC_URL}/processes/contract/${number}`);
    expect(ru!.text).toContain(`${PUBLIC_URL}/settings/notifications`);
    expect(ru!.html).toContain(`href="${PUBLIC_URL}/processes/contract/${number}"`);
    expect(ru!.html).toContain(`href="${PUBLIC_URL}/settings/notifications"`);
    expect(ru!.headers.get('auto-submitted')).toBe('auto-generated');
    expect(english!.subject).toBe(`Task: Director's signature · Contract ${number} · ООО «Северный ветер»`);
    expect(english!.text).toContain(`Hello ${secondDirector.name},`);

    // The Message-ID names the notification and the person, so a repeat is recognisable.
    const [notice] = (await h.db.query(`SELECT id FROM notifications WHERE contract_number = $1 AND recipient_role = 'director'`, [number]))
      .rows;
    expect(ru!.messageId).toBe(`<${notice.id}.${cast.director.id}@service.example.test>`);
    expect(english!.messageId).toBe(`<${notice.id}.${secondDirector.id}@service.example.test>`);
    await keepDeliveryHistory(number, 'delivery-step-mails');
  });

  it('is sent once when its delivery is started again, by a replay or a round', async () => {
    const number = await newContract();
    await mailsAbout(cast.director, number, 1);
    const [delivery] = (
      await h.db.query(
        `SELECT d.step_key FROM mail_deliveries d JOIN notifications n ON n.id = d.notification_id WHERE n.contract_number = $1`,
        [number],
      )
    ).rows;
    const again = stepNewsStart(delivery.step_key, deliveryWindows(h.delivery));
    for (let i = 0; i < 3; i++) {
      await h.temporal.workflow.execute(again.workflowType, {
        taskQueue: deliveryTaskQueue(h.taskQueue),
        workflowId: `${again.workflowId}:again:${i}`,
        args: again.args,
      });
    }
    await settle();
    expect(mailsTo(cast.director).filter((m) => m.subject.includes(number))).toHaveLength(1);
    await keepHistory(h.temporal, `${again.workflowId}:again:0`, 'delivery-step-started-again');
  });

  it('is sent once when the server dropped the connection in the middle of it, after a retry', async () => {
    const before = smtp.dropped;
    smtp.dropNext(1);
    const number = await newContract();
    const both = [...(await mailsAbout(cast.director, number, 1)), ...(await mailsAbout(secondDirector, number, 1))];
    await settle();
    expect(smtp.dropped).toBe(before + 1);
    expect(both).toHaveLength(2);
    expect([...mailsTo(cast.director), ...mailsTo(secondDirector)].filter((m) => m.subject.includes(number))).toHaveLength(2);
    const attempts = await h.db.query(
      `SELECT d.attempts, d.status FROM mail_deliveries d JOIN notifications n ON n.id = d.notification_id WHERE n.contract_number = $1`,
      [number],
    );
    expect(attempts.rows.map((r) => r.status)).toEqual(['sent', 'sent']);
    expect(attempts.rows.map((r) => r.attempts).sort()).toEqual([1, 2]);
    await keepDeliveryHistory(number, 'delivery-step-mail-retried');
  });

  it('waits while the mail server is down, the contract going on meanwhile, and is sent once it is back', async () => {
    await smtp.stop();
    const number = await newContract();
    const started = Date.now();
    // Every step answers as quickly as ever: no step waits for mail.
    await stepOk(h, cast.director, 'POST', `/api/contracts/${number}/signature`);
    await stepOk(h, cast.manager, 'POST', `/api/contracts/${number}/dispatch`, { channel: 'courier' });
    await stepOk(h, cast.manager, 'POST', `/api/contracts/${number}/original`);
    await stepOk(h, cast.lawyer, 'POST', `/api/contracts/${number}/client-record`, {});
    expect(Date.now() - started).toBeLessThan(10_000);
    const waiting = await eventually(async () => {
      const rows = (
        await h.db.query(
          `SELECT d.status, d.attempts, d.last_error FROM mail_deliveries d JOIN notifications n ON n.id = d.notification_id
           WHERE n.contract_number = $1 AND d.staff_id = $2`,
          [number, cast.director.id],
        )
      ).rows;
      return rows[0]?.attempts >= 2 ? rows[0] : undefined;
    });
    expect(waiting.status).toBe('pending');
    expect(waiting.last_error).toMatch(/ECONNREFUSED|connect/i);

    await smtp.start();
    await mailsAbout(cast.director, number, 1);
    // The manager's news of each step (dispatch task, active…) arrives too, once each.
    const managerMails = await mailsAbout(cast.manager, number, 2);
    await settle();
    const sent = await h.db.query(
      `SELECT d.status, count(*)::int AS n FROM mail_deliveries d JOIN notifications n ON n.id = d.notification_id
       WHERE n.contract_number = $1 GROUP BY 1`,
      [number],
    );
    expect(sent.rows).toEqual([{ status: 'sent', n: sent.rows[0].n }]);
    const ids = mailsTo(cast.manager)
      .filter((m) => m.subject.includes(number))
      .map((m) => m.messageId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(managerMails.length).toBeGreaterThanOrEqual(2);
  });

  it('refused by the server for good is marked failed at once, with the answer, for an administrator to see', async () => {
    smtp.refuseNext(2);
    const number = await newContract();
    const failed = await eventually(async () => {
      const page = await h.request('GET', '/api/mail-deliveries?status=failed', { token: ADMIN_TOKEN });
      const mine = page.body.items.filter((m: { message: string }) => m.message.includes(number));
      return mine.length === 2 ? mine : undefined;
    });
    expect(failed[0]).toMatchObject({ status: 'failed', attempts: 1, kind: 'task' });
    expect(failed[0].lastError).toMatch(/550/);
    await keepDeliveryHistory(number, 'delivery-step-mail-refused');
    expect((await h.request('GET', '/api/mail-deliveries', { token: cast.manager.token })).status).toBe(403);
  });
});

describe('each person’s choice', () => {
  it('none: nothing is mailed, the notification is still in the app', async () => {
    const set = await h.request('PATCH', '/api/me/notification-settings', {
      token: secondDirector.token,
      body: { modes: { task: 'none' } },
    });
    expect(set.body.modes).toEqual({ task: 'none', reminder: 'each', escalation: 'each', status: 'each' });
    expect(set.body.language).toBe('en');
    const number = await newContract();
    await mailsAbout(cast.director, number, 1);
    await settle();
    expect(mailsTo(secondDirector).filter((m) => m.subject.includes(number))).toEqual([]);
    const inApp = await h.request('GET', '/api/notifications', { token: secondDirector.token });
    expect(inApp.body.items.some((n: { contractNumber: string }) => n.contractNumber === number)).toBe(true);
  });

  it('digest: a day’s notifications in one mail at the chosen time, made by the delivery round’s schedule, once', async () => {
    const leaving = await h.person('Уходящий Директор', ['director']);
    for (const person of [cast.director, secondDirector, leaving]) {
      const set = await h.request('PATCH', '/api/me/notification-settings', {
        token: person.token,
        body: { modes: { task: 'digest' }, digestAt: '00:00' },
      });
      expect(set.status, JSON.stringify(set.body)).toBe(200);
    }
    const numbers = [await newContract(), await newContract(), await newContract()];
    await settle();
    for (const number of numbers) expect(mailsTo(cast.director).filter((m) => m.subject.includes(number))).toEqual([]);
    // Disabled after their notifications were planned: no digest for them.
    expect((await h.request('PATCH', `/api/staff/${leaving.id}`, { token: ADMIN_TOKEN, body: { disabled: true } })).status).toBe(200);

    await h.temporal.schedule.getHandle(scheduleId).trigger();
    const digest = await eventually(
      async () => mailsTo(cast.director).find((m) => m.subject.startsWith('Уведомления за')),
      30_000,
      'a digest',
    );
    const englishDigest = await eventually(
      async () => mailsTo(secondDirector).find((m) => m.subject.startsWith('Notifications of')),
      30_000,
      'an English digest',
    );
    expect(digest.subject).toMatch(/: 3$/);
    for (const number of numbers) {
      expect(digest.text).toContain(`Sign contract ${number}`);
      expect(digest.html).toContain(`${PUBLIC_URL}/processes/contract/${number}`);
      expect(englishDigest.text).toContain(`Sign contract ${number}`);
    }
    expect(digest.messageId).toMatch(/^<digest\.[0-9a-f-]{36}@service\.example\.test>$/);
    const [made] = (await h.db.query(`SELECT id FROM mail_digests WHERE staff_id = $1`, [cast.director.id])).rows;
    await keepHistory(h.temporal, `digest:${made.id}`, 'delivery-digest');

    // Another round the same day makes no second digest; what comes later waits for tomorrow's.
    const later = await newContract();
    await h.temporal.schedule.getHandle(scheduleId).trigger();
    await settle();
    await settle();
    expect(mailsTo(cast.director).filter((m) => m.subject.startsWith('Уведомления за'))).toHaveLength(1);
    const waiting = await h.db.query(
      `SELECT d.status, d.digest_id FROM mail_deliveries d JOIN notifications n ON n.id = d.notification_id
       WHERE n.contract_number = $1 AND d.staff_id = $2`,
      [later, cast.director.id],
    );
    expect(waiting.rows).toEqual([{ status: 'digest', digest_id: null }]);
    const leavingEmail = (await h.request('GET', '/api/staff', { token: ADMIN_TOKEN })).body.items.find(
      (s: { id: string }) => s.id === leaving.id,
    ).email;
    expect(smtp.to(leavingEmail)).toEqual([]);
  });

  it('digest of a busy day: the first 200 listed, how many more said, one bounded mail', async () => {
    const busy = await h.person('Занятой Руководитель', ['kam_head']);
    const set = await h.request('PATCH', '/api/me/notification-settings', {
      token: busy.token,
      body: { modes: { escalation: 'digest' }, digestAt: '00:00' },
    });
    expect(set.status).toBe(200);
    // 250 escalations of 2,000 characters each, as a month-end could bring (written as the planner would).
    await h.db.query(
      `WITH made AS (
         INSERT INTO notifications (key, workflow_id, process_type, client_id, recipient_staff_id, kind, message, created_at)
         SELECT 'bulk-' || i, 'bulk-' || i, 'contract', $2, $1, 'escalation', 'Просрочено ' || i || ': ' || repeat('ж', 2000),
           now() - make_interval(secs => 300 - i)
         FROM generate_series(1, 250) AS i RETURNING id, key, created_at)
       INSERT INTO mail_deliveries (key, step_key, notification_id, staff_id, address, status, message_id, created_at)
       SELECT made.id || ':' || $1, made.key, made.id, $1, s.email, 'digest', '<' || made.id || '@bulk>', made.created_at
       FROM made, staff s WHERE s.id = $1`,
      [busy.id, cast.clientId],
    );
    await h.temporal.schedule.getHandle(scheduleId).trigger();
    const email = (await h.request('GET', '/api/me/notification-settings', { token: busy.token })).body.email;
    const digest = await eventually(async () => smtp.to(email)[0], 30_000, 'the busy digest');
    expect(digest.subject).toMatch(/: 250$/);
    expect(digest.text.match(/Просрочено \d+:/g)).toHaveLength(200);
    expect(digest.text).toContain('Просрочено 1: ');
    expect(digest.text).not.toContain('Просрочено 201: ');
    expect(digest.text).toContain('…и ещё 50: все они в приложении.');
    const sent = await h.db.query(`SELECT status, count(*)::int AS n FROM mail_deliveries WHERE staff_id = $1 GROUP BY 1`, [busy.id]);
    expect(sent.rows).toEqual([{ status: 'sent', n: 250 }]);
  });

  it('is the caller’s own, checked like any body', async () => {
    const bad = await h.request('PATCH', '/api/me/notification-settings', {
      token: cast.manager.token,
      body: { digestAt: '25:00', modes: { task: 'sometimes' } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues.map((i: { path: string }) => i.path).sort()).toEqual(['digestAt', 'modes.task']);
    expect((await h.request('PATCH', '/api/me/notification-settings', { token: cast.manager.token, body: {} })).status).toBe(400);
    expect(
      (await h.request('PATCH', '/api/me/notification-settings', { token: cast.manager.token, body: { modes: { sms: 'each' } } })).status,
    ).toBe(400);
    expect(
      (await h.request('PATCH', '/api/me/notification-settings', { token: cast.manager.token, body: { digestAt: '09:00\u0000' } })).status,
    ).toBe(400);
    expect((await h.request('GET', '/api/me/notification-settings', { token: ADMIN_TOKEN })).status).toBe(409);
    const mine = await h.request('GET', '/api/me/notification-settings', { token: cast.manager.token });
    expect(mine.body).toMatchObject({
      language: 'ru',
      digestAt: '09:00',
      mail: true,
      email: mailOf(cast.manager),
      timeZone: 'Europe/Moscow',
    });
  });
});
