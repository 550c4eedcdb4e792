// GET /api/analytics/waits on known task rows: per step and per person the count, the median and
// the 90th percentile (Postgres's percentile_cont, interpolated), SLA compliance by due time or by
// the type's overdue threshold (an open task by its age), the slowest step, the period and type
// filters, the timeline's waits, and who may ask.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, QUIET_CONTRACT_SLA, startHarness, type Harness, type Person } from '../support/harness';

let h: Harness;
let kamHead: Person;
let lawyer: Person;
let director: Person;
let manager: Person;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

let counter = 0;
/** A task as a process's step recorder writes it: opened `agoMs` ago, done `waitMs` later (or still open). */
async function task(o: {
  type: string;
  kind: string;
  role: string;
  staffId?: string;
  closedBy?: string;
  agoMs: number;
  waitMs?: number;
  dueAfterMs?: number;
}): Promise<void> {
  const n = counter++;
  await h.db.query(
    `INSERT INTO tasks (key, workflow_id, process_type, kind, ref, title, assignee_role, assignee_staff_id, opened_at, closed_at, closed_by, due_at)
     VALUES ($1, $2, $3, $4, $4, $5, $6, $7, now() - $8 * interval '1 millisecond',
       CASE WHEN $9::float8 IS NULL THEN NULL ELSE now() - $8 * interval '1 millisecond' + $9 * interval '1 millisecond' END, $10,
       CASE WHEN $11::float8 IS NULL THEN NULL ELSE now() - $8 * interval '1 millisecond' + $11 * interval '1 millisecond' END)`,
    [
      `waits-test:${n}`,
      `${o.type}-waits-${n}`,
      o.type,
      o.kind,
      `Задача ${o.kind}`,
      o.role,
      o.staffId ?? null,
      o.agoMs,
      o.waitMs ?? null,
      o.closedBy ?? (o.waitMs === undefined ? null : (o.staffId ?? 'system')),
      o.dueAfterMs ?? null,
    ],
  );
}

beforeAll(async () => {
  h = await startHarness({ worker: false });
  [kamHead, lawyer, director, manager] = await Promise.all([
    h.person('Ким Руководитель', ['kam_head']),
    h.person('Юлия Юристова', ['lawyer']),
    h.person('Иванов Иван Иванович', ['director']),
    h.person('Мария Менеджерова', ['manager']),
  ]);
  // The lawyers' approvals (addressed to the role, taken by one lawyer): 1, 2, 3, 4 and 50 hours;
  // the last is past the contract's overdue threshold (its step reminder delay, two days).
  for (const hours of [1, 2, 3, 4, 50]) {
    await task({ type: 'contract', kind: 'legal_approval', role: 'lawyer', closedBy: lawyer.id, agoMs: 4 * DAY, waitMs: hours * HOUR });
  }
  // The director's signatures, each due an hour after it opened: one in time, one late.
  await task({
    type: 'contract',
    kind: 'signature',
    role: 'director',
    staffId: director.id,
    agoMs: 3 * DAY,
    waitMs: 30 * MINUTE,
    dueAfterMs: HOUR,
  });
  await task({
    type: 'contract',
    kind: 'signature',
    role: 'director',
    staffId: director.id,
    agoMs: 3 * DAY,
    waitMs: 90 * MINUTE,
    dueAfterMs: HOUR,
  });
  // Open: a dispatch past its due time, and a client record waiting on any lawyer for an hour.
  await task({ type: 'contract', kind: 'dispatch', role: 'manager', staffId: manager.id, agoMs: 2 * HOUR, dueAfterMs: HOUR });
  await task({ type: 'contract', kind: 'client_record', role: 'lawyer', agoMs: HOUR });
  // Another process's step, slower than any contract's.
  await task({ type: 'onboarding', kind: 'qualification', role: 'kam_head', staffId: kamHead.id, agoMs: 5 * DAY, waitMs: 20 * HOUR });
  // Opened before the default period (the last 30 days).
  await task({ type: 'contract', kind: 'legal_approval', role: 'lawyer', closedBy: lawyer.id, agoMs: 40 * DAY, waitMs: 100 * HOUR });
  // The timeline's waits of one step: 1, 2 and 6 seconds.
  for (const [i, ms] of [1000, 2000, 6000].entries()) {
    await h.db.query(
      `INSERT INTO timeline_events (key, workflow_id, process_type, step, status_to, at, waited_ms) VALUES ($1, $2, 'contract', 'signature', 'ready_to_send', now() - interval '1 day', $3)`,
      [`waits-test:event:${i}`, `contract-waits-event-${i}`, ms],
    );
  }
});
afterAll(() => h?.close());

const waits = (query: string, token = kamHead.token) => h.request('GET', `/api/analytics/waits${query}`, { token });

describe('GET /api/analytics/waits', () => {
  it('gives each step its count, median, 90th percentile and SLA compliance, slowest median first', async () => {
    const res = await waits('?type=contract');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const today = new Date().toISOString().slice(0, 10);
    expect(res.body).toMatchObject({ to: today, type: 'contract' });
    expect(Date.parse(res.body.to) - Date.parse(res.body.from)).toBe(29 * DAY);
    const step = (kind: string) => res.body.steps.find((s: { kind: string }) => s.kind === kind);
    // 1, 2, 3, 4, 50 h: the median is 3 h; the 90th percentile lies 0.6 of the way from 4 h to 50 h.
    expect(step('legal_approval')).toEqual({
      type: 'contract',
      kind: 'legal_approval',
      count: 5,
      open: 0,
      medianMs: 3 * HOUR,
      p90Ms: 31.6 * HOUR,
      maxMs: 50 * HOUR,
      slaMet: 4,
      slaShare: 0.8,
    });
    // 30 and 90 min: the median is 60 min, the 90th percentile 84 min; one of two done by its due time.
    expect(step('signature')).toMatchObject({ count: 2, open: 0, medianMs: 60 * MINUTE, p90Ms: 84 * MINUTE, slaMet: 1, slaShare: 0.5 });
    // Open tasks count by their age: the dispatch is past its due time, the client record is not past the threshold.
    expect(step('dispatch')).toMatchObject({ count: 1, open: 1, slaMet: 0 });
    expect(Math.abs(step('dispatch').medianMs - 2 * HOUR)).toBeLessThan(MINUTE);
    expect(step('client_record')).toMatchObject({ count: 1, open: 1, slaMet: 1 });
    expect(res.body.steps.map((s: { kind: string }) => s.kind)).toEqual(['legal_approval', 'dispatch', 'client_record', 'signature']);
    expect(res.body.slowest).toEqual({ type: 'contract', kind: 'legal_approval' });
  });

  it('gives each person the waits that were on them: addressed to them, or taken by them from their role', async () => {
    const res = await waits('?type=contract');
    const person = (staffId: string | null) => res.body.people.find((p: { staffId: string | null }) => p.staffId === staffId);
    expect(person(lawyer.id)).toMatchObject({ name: 'Юлия Юристова', role: null, count: 5, medianMs: 3 * HOUR, slaMet: 4 });
    expect(person(director.id)).toMatchObject({ name: 'Иванов Иван Иванович', count: 2, medianMs: 60 * MINUTE, p90Ms: 84 * MINUTE });
    expect(person(manager.id)).toMatchObject({ count: 1, open: 1, slaMet: 0 });
    // A role's task nobody has taken yet waits on the role.
    expect(person(null)).toMatchObject({ name: null, role: 'lawyer', count: 1, open: 1 });
    expect(res.body.people).toHaveLength(4);
  });

  it('takes every process type unless one is asked for, and the period asked for', async () => {
    const all = await waits('');
    expect(all.status).toBe(200);
    expect(all.body.type).toBeNull();
    expect(all.body.slowest).toEqual({ type: 'onboarding', kind: 'qualification' });
    expect(all.body.steps[0]).toMatchObject({ type: 'onboarding', kind: 'qualification', count: 1, medianMs: 20 * HOUR, slaMet: 1 });
    const onboarding = await waits('?type=onboarding');
    expect(onboarding.body.steps.map((s: { kind: string }) => s.kind)).toEqual(['qualification']);

    // Sixty days back, the approval opened forty days ago counts too.
    const from = new Date(Date.now() - 60 * DAY).toISOString().slice(0, 10);
    const longer = await waits(`?type=contract&from=${from}`);
    expect(longer.body.steps.find((s: { kind: string }) => s.kind === 'legal_approval')).toMatchObject({ count: 6, medianMs: 3.5 * HOUR });
    // A period with nothing in it.
    const empty = await waits('?from=2020-01-01&to=2020-01-31');
    expect(empty.body).toMatchObject({ from: '2020-01-01', to: '2020-01-31', steps: [], people: [], events: [], slowest: null });
  });

  it("gives the timeline's waits per step", async () => {
    const res = await waits('?type=contract');
    expect(res.body.events).toEqual([{ type: 'contract', step: 'signature', count: 3, medianMs: 2000, p90Ms: 5200 }]);
  });

  it('answers the head of the team, the director and administrators; refuses others and a period backwards', async () => {
    expect((await waits('', director.token)).status).toBe(200);
    expect((await waits('', ADMIN_TOKEN)).status).toBe(200);
    expect((await waits('', manager.token)).status).toBe(403);
    expect((await waits('', lawyer.token)).status).toBe(403);
    const backwards = await waits('?from=2026-02-01&to=2026-01-01');
    expect(backwards.status).toBe(400);
    expect(backwards.body.error.issues).toEqual([expect.objectContaining({ path: 'to' })]);
    expect((await waits('?type=nothing')).status).toBe(400);
    expect((await waits('?from=yesterday')).status).toBe(400);
    // The contract's threshold is its step reminder delay.
    expect(QUIET_CONTRACT_SLA.stepReminderAfterMs).toBe(2 * DAY);
  });
});
