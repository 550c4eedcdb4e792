// Writes one step of a contract's life in a single transaction: the registry's status and fields,
// the timeline event, tasks closed and opened, notifications. Every row is keyed by the workflow
// id and the step's position, so a retried activity writes nothing twice.
import type { Pool, PoolClient } from 'pg';
import { withTransaction } from '../db/pool';
import type { ContractDraft } from '../domain/contract';
import { PermanentError } from './failures';
import { draftById } from './register-contract';
import { recordStepInput } from './schemas';
import type { NotificationSpec, RecordStepInput, RegistryPatch } from './types';

type Patch = RegistryPatch & { status: string };

const COLUMNS: Record<Exclude<keyof RegistryPatch, 'draft' | 'draftId'> | 'status', string> = {
  status: 'status',
  approvedAt: 'approved_at',
  approvedBy: 'approved_by',
  signedAt: 'signed_at',
  signedBy: 'signed_by',
  sentDate: 'sent_date',
  dispatchChannel: 'dispatch_channel',
  trackingRef: 'tracking_ref',
  scanReceivedDate: 'scan_received_date',
  returnedDate: 'returned_date',
  endDate: 'end_date',
  closedAt: 'closed_at',
  closeReason: 'close_reason',
  managerId: 'manager_id',
};

function registryAssignments(patch: Patch & { draft?: ContractDraft }): { sets: string[]; values: unknown[] } {
  const sets: string[] = [];
  const values: unknown[] = [];
  const set = (column: string, value: unknown) => {
    values.push(value);
    sets.push(`${column} = $${values.length + 1}`);
  };
  for (const [key, column] of Object.entries(COLUMNS)) {
    const value = patch[key as keyof typeof COLUMNS];
    if (value !== undefined) set(column, value);
  }
  if (patch.draft) {
    const { terms, deviations, additionalAgreement, specialAppendix } = patch.draft;
    set('subject', terms.subject);
    set('amount', terms.amount);
    set('currency', terms.currency);
    set('start_date', terms.startDate);
    set('end_date', terms.endDate);
    set('payment_terms_days', terms.paymentTermsDays);
    set('deviations', JSON.stringify(deviations));
    set('additional_agreement', additionalAgreement ?? null);
    set('special_appendix', specialAppendix ?? null);
  }
  return { sets, values };
}

async function insertNotification(tx: PoolClient, key: string, input: RecordStepInput, n: NotificationSpec): Promise<void> {
  await tx.query(
    `INSERT INTO notifications (key, contract_number, recipient_staff_id, recipient_role, kind, message, created_at)
     VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT (key) DO NOTHING`,
    [key, input.number, n.recipient.staffId ?? null, n.recipient.staffId ? null : n.recipient.role, n.kind, n.message, input.at],
  );
}

export function recordStepActivity(db: Pool) {
  return async function recordStep(raw: RecordStepInput): Promise<void> {
    const input = recordStepInput.parse(raw);
    const key = `${input.workflowId}:${input.seq}`;
    await withTransaction(db, async (tx) => {
      const { draftId, ...patch } = input.registry ?? {};
      const draft = draftId ? await draftById(tx, draftId) : patch.draft;
      const { sets, values } = registryAssignments({ ...patch, draft, status: input.to });
      const updated = await tx.query(`UPDATE contract_registry SET ${sets.join(', ')}, updated_at = now() WHERE number = $1`, [
        input.number,
        ...values,
      ]);
      if (updated.rowCount === 0) throw new PermanentError(`contract ${input.number} is not in the registry`);

      await tx.query(
        `INSERT INTO timeline_events (key, workflow_id, contract_number, step, status_from, status_to, actor_id, actor_name, at, waited_ms, details)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11) ON CONFLICT (key) DO NOTHING`,
        [key, input.workflowId, input.number, input.step, input.from, input.to, input.actor?.staffId ?? null,
          input.actor?.name ?? null, input.at, input.waitedMs, JSON.stringify(input.details ?? {})],
      );

      if (input.closeTasks) {
        const all = input.closeTasks === 'all';
        await tx.query(
          `UPDATE tasks SET closed_at = $2, closed_by = $3
           WHERE workflow_id = $1 AND closed_at IS NULL AND ($4::boolean OR kind = ANY($5::text[]))`,
          [input.workflowId, input.at, input.actor?.staffId ?? 'system', all, all ? [] : input.closeTasks],
        );
      }

      if (input.reassignTasks) {
        await tx.query(
          `UPDATE tasks SET assignee_staff_id = $3 WHERE workflow_id = $1 AND closed_at IS NULL AND assignee_staff_id = $2`,
          [input.workflowId, input.reassignTasks.from, input.reassignTasks.to],
        );
      }

      for (const task of input.openTasks ?? []) {
        const taskKey = `${key}:task:${task.kind}`;
        await tx.query(
          `INSERT INTO tasks (key, workflow_id, contract_number, kind, title, assignee_staff_id, assignee_role, opened_at)
           VALUES ($1,$2,$3,$4,$5,$6,$7,$8) ON CONFLICT (key) DO NOTHING`,
          [taskKey, input.workflowId, input.number, task.kind, task.title, task.assignee.staffId ?? null, task.assignee.role, input.at],
        );
        // Everyone a step waits on is told, not only given a task.
        await insertNotification(tx, `${taskKey}:notice`, input, { kind: 'task', message: task.title, recipient: task.assignee });
      }
      for (const [i, notification] of (input.notifications ?? []).entries()) {
        await insertNotification(tx, `${key}:notice:${i}`, input, notification);
      }
    });
  };
}
