// The relationship lives for years: it continues as new before its history grows large (forced
// here by a small history limit) and carries its open complaints, commitments and clocks over;
// the periodic review keeps coming; a worker restart loses no deadline.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ACCOUNT_SLA } from '../../workflows/account/rules';
import { castAndClient, newClient as newClientOf, type Cast } from '../support/fixtures';
import { eventually, startHarness, type Harness } from '../support/harness';
import { keepHistory } from '../support/histories';
import { accountStateQuery } from '../../workflows/account/messages';

let h: Harness;
let cast: Cast;

beforeAll(async () => {
  // Only these clocks are shrunk; every other one keeps its default (days, weeks).
  h = await startHarness({
    accountSla: {
      complaintDueMs: { ...DEFAULT_ACCOUNT_SLA.complaintDueMs, high: 9_000 },
      complaintsToDissatisfied: 100,
      commitmentReminderBeforeMs: 1_000,
      reviewEveryMs: { ...DEFAULT_ACCOUNT_SLA.reviewEveryMs, regular: 2_500 },
      watchPeriodMs: 3_000,
      historyLimit: 120,
    },
  });
  cast = await castAndClient(h);
});
afterAll(() => h?.close());

const snapshot = (clientId: string) => h.temporal.workflow.getHandle(`account-${clientId}`).query(accountStateQuery);

const newClient = (name: string) => newClientOf(h, cast.ops, name);

describe('a relationship that continues as new', () => {
  it('carries open complaints, commitments and their timers into the next run, with row keys unique across runs', async () => {
    const clientId = await newClient('ООО «Долгие отношения»');
    const complaint = await h.request('POST', `/api/clients/${clientId}/complaints`, {
      token: cast.ops.token,
      body: { summary: 'Потерян паллет', category: 'quality', severity: 'high', reportedBy: 'Склад клиента' },
    });
    expect(complaint.status, JSON.stringify(complaint.body)).toBe(201);
    const commitment = await h.request('POST', `/api/clients/${clientId}/commitments`, {
      token: cast.manager.token,
      body: { what: 'Компенсировать потерянный паллет', dueDate: new Date(Date.now() + 12_000).toISOString(), ownerId: cast.manager.id },
    });
    expect(commitment.status, JSON.stringify(commitment.body)).toBe(201);

    // Reviews until the history passes its limit and the relationship continues as new.
    for (let i = 0; i < 40 && (await snapshot(clientId)).run === 1; i++) {
      const review = await h.request('POST', `/api/clients/${clientId}/reviews`, {
        token: cast.manager.token,
        body: { satisfaction: 9, businessChanges: `Без изменений (${i})`, note: 'Всё в порядке' },
      });
      expect(review.status, JSON.stringify(review.body)).toBe(201);
    }
    const carried = await snapshot(clientId);
    expect(carried.run).toBeGreaterThan(1);
    expect(carried.openComplaints).toEqual([complaint.body.id]);
    expect(carried.openCommitments).toEqual([commitment.body.id]);

    // The timers set in the first run fire in a later one: the complaint is escalated, the promise overdue.
    const steps = async () =>
      (await h.db.query(`SELECT step FROM timeline_events WHERE workflow_id = $1 ORDER BY at, id`, [`account-${clientId}`])).rows.map(
        (r) => r.step as string,
      );
    await eventually(
      async () => {
        const s = await steps();
        return s.includes('complaint_overdue') && s.includes('commitment_overdue') ? true : undefined;
      },
      30_000,
      'the overdue complaint and commitment',
    );
    const client = (await h.request('GET', `/api/clients/${clientId}`, { token: cast.ops.token })).body;
    expect(client.stage).toBe('dissatisfied');
    expect(client.health.reasons.map((r: { reason: string }) => r.reason)).toEqual(
      expect.arrayContaining(['1 complaint past the resolution deadline', '1 overdue commitment']),
    );
    const { rows } = await h.db.query(
      `SELECT count(*)::int AS n, count(DISTINCT key)::int AS keys, max(split_part(key, ':', 2)::int) AS last FROM timeline_events WHERE workflow_id = $1`,
      [`account-${clientId}`],
    );
    expect(rows[0].n).toBe(rows[0].keys);
    expect(rows[0].last).toBe(rows[0].n);

    // Resolving in the later run closes what the first run opened.
    const resolved = await h.request('POST', `/api/complaints/${complaint.body.id}/resolve`, {
      token: cast.manager.token,
      body: { resolution: 'Компенсация выплачена', rootCause: 'process' },
    });
    expect(resolved.status, JSON.stringify(resolved.body)).toBe(200);
    const open = await h.db.query(`SELECT ref FROM tasks WHERE workflow_id = $1 AND closed_at IS NULL AND ref LIKE 'complaint:%'`, [
      `account-${clientId}`,
    ]);
    expect(open.rows).toEqual([]);
    await keepHistory(h.temporal, `account-${clientId}`, 'account-continued-as-new');
  });

  it('gives the manager a review task when the periodic review falls due', async () => {
    const clientId = await newClient('ООО «Плановый обзор»');
    const review = await h.request('POST', `/api/clients/${clientId}/reviews`, {
      token: cast.kamHead.token,
      body: { satisfaction: 8, businessChanges: 'Открыли новый склад в Казани', note: 'Интерес к доставке в ПФО' },
    });
    expect(review.status, JSON.stringify(review.body)).toBe(201);
    expect(review.body.account.openedBy).toBe('review');
    const task = await eventually(
      async () =>
        (
          await h.db.query(`SELECT kind, assignee_role FROM tasks WHERE client_id = $1 AND kind = 'account_review' AND closed_at IS NULL`, [
            clientId,
          ])
        ).rows[0],
      15_000,
      'the review task',
    );
    expect(task).toEqual({ kind: 'account_review', assignee_role: 'manager' });
    // Posting the review closes it.
    await h.request('POST', `/api/clients/${clientId}/reviews`, {
      token: cast.manager.token,
      body: { satisfaction: 7, businessChanges: 'нет', note: 'нет' },
    });
    const open = await h.db.query(
      `SELECT count(*)::int AS n FROM tasks WHERE client_id = $1 AND kind = 'account_review' AND closed_at IS NULL`,
      [clientId],
    );
    expect(open.rows[0].n).toBe(0);
  });

  it('ends the watch after a recovery when its period is over: a complaint then is only a complaint', async () => {
    const clientId = await newClient('ООО «Под наблюдением»');
    const report = await h.request('POST', `/api/clients/${clientId}/escalation`, {
      token: cast.kamHead.token,
      body: { stage: 'ultimatum', evidence: 'Письмо' },
    });
    expect(report.status, JSON.stringify(report.body)).toBe(200);
    const recovered = await h.request('POST', `/api/clients/${clientId}/escalation/resolve`, {
      token: cast.director.token,
      body: { outcome: 'recovered', actions: 'План согласован с клиентом' },
    });
    expect(recovered.body.account).toMatchObject({ stage: 'healthy', watchStage: 'ultimatum' });
    await eventually(
      async () =>
        (await h.request('GET', `/api/clients/${clientId}`, { token: cast.ops.token })).body.account.watchUntil === null ? true : undefined,
      15_000,
      'the watch to end',
    );
    const complaint = await h.request('POST', `/api/clients/${clientId}/complaints`, {
      token: cast.ops.token,
      body: { summary: 'Опоздание', category: 'delivery', severity: 'low', reportedBy: 'Логист' },
    });
    expect(complaint.body.stage).toBe('healthy');
    // (The periodic review, every 2.5 s here, may fall due in between.)
    const steps = (
      await h.db.query(`SELECT step FROM timeline_events WHERE workflow_id = $1 AND step <> 'review_due' ORDER BY at, id`, [
        `account-${clientId}`,
      ])
    ).rows.map((r) => r.step);
    expect(steps).toEqual(['opened', 'escalation_reported', 'escalation_resolved', 'watch_over', 'complaint']);
  });

  it('is taken up again from its projection when Temporal ended it (terminated by an operator), keys and clocks continuing', async () => {
    const clientId = await newClient('ООО «Прерванные отношения»');
    const workflowId = `account-${clientId}`;
    const complain = (severity: string) =>
      h.request('POST', `/api/clients/${clientId}/complaints`, {
        token: cast.ops.token,
        body: { summary: 'Сбой', category: 'delivery', severity, reportedBy: 'Логист' },
      });
    const urgent = await complain('high');
    const minor = await complain('low');
    expect(
      (
        await h.request('POST', `/api/clients/${clientId}/escalation`, {
          token: cast.kamHead.token,
          body: { stage: 'adversarial', evidence: 'Жалобы руководству' },
        })
      ).status,
    ).toBe(200);
    const promise = await h.request('POST', `/api/clients/${clientId}/commitments`, {
      token: cast.manager.token,
      body: { what: 'Отчёт о мерах', dueDate: new Date(Date.now() + 12_000).toISOString(), ownerId: cast.manager.id },
    });
    expect(promise.status).toBe(201);
    const firstRun = (await h.temporal.workflow.getHandle(workflowId).describe()).runId;
    await h.temporal.workflow.getHandle(workflowId).terminate('terminated by mistake');

    // Any step takes it up again, resolving a complaint the new run knows only from Postgres.
    const resolved = await h.request('POST', `/api/complaints/${minor.body.id}/resolve`, {
      token: cast.manager.token,
      body: { resolution: 'Исправлено', rootCause: 'process' },
    });
    expect(resolved.status, JSON.stringify(resolved.body)).toBe(200);
    expect(resolved.body.stage).toBe('adversarial');
    const now = await snapshot(clientId);
    expect(now.openComplaints).toEqual([urgent.body.id]);
    expect(now.openCommitments).toEqual([promise.body.id]);
    expect((await h.temporal.workflow.getHandle(workflowId).describe()).runId).not.toBe(firstRun);

    // The first run's clocks go on in the new one: the urgent complaint and the promise fall overdue once.
    const steps = async () =>
      (await h.db.query(`SELECT step FROM timeline_events WHERE workflow_id = $1 ORDER BY at, id`, [workflowId])).rows.map(
        (r) => r.step as string,
      );
    await eventually(
      async () => {
        const s = await steps();
        return s.includes('complaint_overdue') && s.includes('commitment_overdue') ? true : undefined;
      },
      30_000,
      'the overdue complaint and commitment in the new run',
    );
    const all = await steps();
    expect(all.filter((s) => s === 'resumed')).toHaveLength(1);
    expect(all.filter((s) => s === 'complaint_overdue')).toHaveLength(1);
    expect(all.filter((s) => s === 'complaint_reminder')).toHaveLength(1);
    const { rows } = await h.db.query(
      `SELECT count(*)::int AS n, count(DISTINCT key)::int AS keys, max(split_part(key, ':', 2)::int) AS last FROM timeline_events WHERE workflow_id = $1`,
      [workflowId],
    );
    expect(rows[0]).toEqual({ n: rows[0].last, keys: rows[0].last, last: rows[0].n });
    // Its periods go on from the stage it was at: adversarial is still one open period.
    const periods = (await h.db.query(`SELECT stage FROM account_stage_periods WHERE client_id = $1 AND left_at IS NULL`, [clientId])).rows;
    expect(periods).toEqual([{ stage: 'adversarial' }]);
    await keepHistory(h.temporal, workflowId, 'account-resumed-after-termination');

    // Lost, it ends for good: a later complaint does not start it again.
    expect(
      (await h.request('POST', `/api/clients/${clientId}/loss`, { token: cast.director.token, body: { reason: 'service', note: 'Ушли' } }))
        .status,
    ).toBe(200);
    expect((await complain('low')).status).toBe(409);
  });

  it('keeps its deadlines across a worker restart', async () => {
    const clientId = await newClient('ООО «Перезапуск»');
    const complaint = await h.request('POST', `/api/clients/${clientId}/complaints`, {
      token: cast.ops.token,
      body: { summary: 'Нет закрывающих документов', category: 'documents', severity: 'high', reportedBy: 'Бухгалтерия клиента' },
    });
    expect(complaint.status).toBe(201);
    await h.stopWorker();
    await new Promise((r) => setTimeout(r, 10_000));
    await h.startWorker();
    await eventually(
      async () =>
        (await h.request('GET', `/api/clients/${clientId}`, { token: cast.ops.token })).body.stage === 'dissatisfied' ? true : undefined,
      30_000,
      'the escalation after the restart',
    );
    const steps = (
      await h.db.query(`SELECT step FROM timeline_events WHERE workflow_id = $1 ORDER BY at, id`, [`account-${clientId}`])
    ).rows.map((r) => r.step);
    expect(steps.filter((s) => s === 'complaint_overdue')).toHaveLength(1);
    expect(steps.filter((s) => s === 'complaint_reminder')).toHaveLength(1);
  });
});
