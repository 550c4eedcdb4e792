// The account relationship's projection: its row in `accounts`, its complaints, commitments and
// reviews, the periods it spent in each stage and its health, moved by each of its steps in the
// step's own transaction (activities/record-step.ts). Every write is keyed or conditional, so a
// step recorded twice (a retry after a lost answer) changes nothing the second time.
import type { PoolClient } from 'pg';
import { queryOne } from '../../db/pool';
import { ACCOUNT_STAGES } from '../../workflows/account/rules';
import { PermanentError } from '../failures';
import type { RecordStepInput } from '../types';
import { accountPatch } from './schemas';
import type { AccountPatch, AccountStep } from './types';

export async function projectAccountStep(tx: PoolClient, input: RecordStepInput, clientId: string): Promise<void> {
  if (!(ACCOUNT_STAGES as readonly string[]).includes(input.to)) throw new PermanentError(`${input.to} is not an account stage`);
  const raw = (input as RecordStepInput & AccountStep).account;
  if (!raw) throw new PermanentError('an account step carries its health');
  // Its own record of the step, checked by its own schema.
  const patch = accountPatch.parse(raw) as AccountPatch;
  const key = `${input.workflowId}:${input.seq}`;
  const actor = input.actor?.staffId ?? 'system';
  const at = input.at;

  if (patch.opened) {
    await tx.query(
      `INSERT INTO accounts (client_id, workflow_id, stage, stage_since, manager_id, segment, health, health_reasons, opened_by, started_at, updated_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$4,$4) ON CONFLICT (client_id) DO NOTHING`,
      [
        clientId,
        input.workflowId,
        input.to,
        at,
        patch.opened.managerId ?? null,
        patch.opened.segment ?? null,
        patch.health.score,
        JSON.stringify(patch.health.reasons),
        patch.opened.openedBy,
      ],
    );
  }

  const values: unknown[] = [clientId, input.workflowId, input.to, at, patch.health.score, JSON.stringify(patch.health.reasons)];
  const sets = [
    'stage = $3',
    'stage_since = CASE WHEN stage = $3 THEN stage_since ELSE $4 END',
    'health = $5',
    'health_reasons = $6',
    'updated_at = $4',
  ];
  const set = (column: string, value: unknown) => {
    values.push(value);
    sets.push(`${column} = $${values.length}`);
  };
  if (patch.managerId !== undefined) set('manager_id', patch.managerId);
  if (patch.segment !== undefined) set('segment', patch.segment);
  if (patch.watch !== undefined) {
    set('watch_until', patch.watch?.until ?? null);
    set('watch_stage', patch.watch?.stage ?? null);
  }
  if (patch.loss) {
    set('lost_at', at);
    set('lost_at_stage', patch.loss.atStage);
    set('loss_reason', patch.loss.reason);
    set('loss_competitor', patch.loss.competitor ?? null);
    set('loss_note', patch.loss.note);
  }
  const updated = await tx.query(`UPDATE accounts SET ${sets.join(', ')} WHERE client_id = $1 AND workflow_id = $2`, values);
  if (updated.rowCount === 0) throw new PermanentError(`the account ${input.workflowId} has no row for client ${clientId}`);

  // The stage's period: the one open before this step closes (a retry finds none older open), this step's opens.
  if (input.from === null || input.from !== input.to) {
    await tx.query(`UPDATE account_stage_periods SET left_at = $2 WHERE client_id = $1 AND left_at IS NULL AND entered_at < $2`, [
      clientId,
      at,
    ]);
    if (input.to !== 'lost') {
      await tx.query(
        `INSERT INTO account_stage_periods (key, client_id, stage, entered_at) VALUES ($1,$2,$3,$4) ON CONFLICT (key) DO NOTHING`,
        [key, clientId, input.to, at],
      );
    }
  }
  await tx.query(`INSERT INTO account_health (key, client_id, at, score, reasons) VALUES ($1,$2,$3,$4,$5) ON CONFLICT (key) DO NOTHING`, [
    key,
    clientId,
    at,
    patch.health.score,
    JSON.stringify(patch.health.reasons),
  ]);

  if (patch.complaint) {
    const c = patch.complaint;
    await tx.query(
      `INSERT INTO complaints (id, client_id, workflow_id, summary, category, severity, reported_by, created_by, created_at, due_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) ON CONFLICT (id) DO NOTHING`,
      [c.id, clientId, input.workflowId, c.summary, c.category, c.severity, c.reportedBy, actor, at, c.dueAt],
    );
  }
  if (patch.complaintOverdue) {
    await tx.query(`UPDATE complaints SET overdue_at = COALESCE(overdue_at, $2) WHERE id = $1`, [patch.complaintOverdue, at]);
  }
  if (patch.complaintResolved) {
    const r = patch.complaintResolved;
    await tx.query(
      `UPDATE complaints SET status = 'resolved', resolved_at = $2, resolved_by = $3, resolution = $4, root_cause = $5 WHERE id = $1 AND status = 'open'`,
      [r.id, at, actor, r.resolution, r.rootCause],
    );
  }
  if (patch.commitment) {
    const c = patch.commitment;
    await tx.query(
      `INSERT INTO commitments (id, client_id, workflow_id, what, due_at, owner_id, created_by, created_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8) ON CONFLICT (id) DO NOTHING`,
      [c.id, clientId, input.workflowId, c.what, c.dueAt, c.ownerId, actor, at],
    );
  }
  if (patch.commitmentOverdue) {
    await tx.query(`UPDATE commitments SET overdue_at = COALESCE(overdue_at, $2) WHERE id = $1`, [patch.commitmentOverdue, at]);
  }
  if (patch.commitmentFulfilled) {
    await tx.query(
      `UPDATE commitments SET status = 'fulfilled', fulfilled_at = $2, fulfilled_by = $3, note = $4 WHERE id = $1 AND status = 'open'`,
      [patch.commitmentFulfilled.id, at, actor, patch.commitmentFulfilled.note],
    );
  }
  if (patch.promiseNotice) {
    // The workflow carries no texts: a notice quoting a promise reads its words here, in the
    // step's transaction, keyed by the step like every notification.
    const n = patch.promiseNotice;
    const promise = await queryOne<{ what: string; due_at: Date }>(
      tx,
      'SELECT what, due_at FROM commitments WHERE id = $1 AND client_id = $2',
      [n.commitmentId, clientId],
    );
    if (!promise) throw new PermanentError(`commitment ${n.commitmentId} of client ${clientId} does not exist`);
    const message =
      n.wording === 'due'
        ? `Due ${promise.due_at.toISOString().slice(0, 10)}: ${promise.what}`
        : `Overdue promise to the client: ${promise.what}`;
    for (const [i, recipient] of n.recipients.entries()) {
      await tx.query(
        `INSERT INTO notifications (key, workflow_id, process_type, client_id, recipient_staff_id, recipient_role, kind, message, created_at)
         VALUES ($1,$2,'account',$3,$4,$5,$6,$7,$8) ON CONFLICT (key) DO NOTHING`,
        [
          `${key}:notice:promise:${i}`,
          input.workflowId,
          clientId,
          recipient.staffId ?? null,
          recipient.staffId ? null : recipient.role,
          n.kind,
          message,
          at,
        ],
      );
    }
  }
  if (patch.review) {
    const r = patch.review;
    await tx.query(
      `INSERT INTO account_reviews (id, client_id, workflow_id, satisfaction, business_changes, note, created_by, created_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8) ON CONFLICT (id) DO NOTHING`,
      [r.id, clientId, input.workflowId, r.satisfaction, r.businessChanges, r.note, actor, at],
    );
  }
  if (patch.loss) {
    // Nothing of a lost client stays open: its complaints close, its promises are void, and every
    // task about it (its contracts' and onboarding's included) is closed by the loss.
    await tx.query(`UPDATE tasks SET closed_at = $2, closed_by = $3 WHERE client_id = $1 AND closed_at IS NULL`, [clientId, at, actor]);
    await tx.query(`UPDATE complaints SET status = 'closed' WHERE client_id = $1 AND status = 'open'`, [clientId]);
    await tx.query(`UPDATE commitments SET status = 'cancelled' WHERE client_id = $1 AND status = 'open'`, [clientId]);
    await tx.query(`UPDATE clients SET loyalty_stage = 'lost' WHERE id = $1`, [clientId]);
  }
}
