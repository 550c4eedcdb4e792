// The amendment's projection: its row in `amendments`, moved in the step's own transaction
// (activities/engine/record-step.ts). The only code that writes it after registration.
import type { PoolClient } from 'pg';
import { queryOne } from '../../db/pool';
import { AMENDMENT_STATUSES } from '../../workflows/amendment/rules';
import { listingFrom, type Projection } from '../engine/projection';
import { PermanentError } from '../failures';
import { amendmentPatch, type AmendmentPatch } from './schemas';

const COLUMNS: Record<Exclude<keyof AmendmentPatch, 'draftId'>, string> = {
  approvedAt: 'approved_at',
  approvedBy: 'approved_by',
  signedAt: 'signed_at',
  signedBy: 'signed_by',
  documentId: 'document_id',
  sentDate: 'sent_date',
  dispatchChannel: 'dispatch_channel',
  trackingRef: 'tracking_ref',
  returnedDate: 'returned_date',
  archivedAt: 'archived_at',
  archiveLocation: 'archive_location',
  inForceAt: 'in_force_at',
  closedAt: 'closed_at',
  closeReason: 'close_reason',
};

async function revisedText(tx: PoolClient, draftId: string): Promise<{ changes: unknown; deviations: unknown; reason: string }> {
  const draft = await queryOne<{ changes: unknown; deviations: unknown; reason: string }>(
    tx,
    'SELECT changes, deviations, reason FROM amendment_drafts WHERE id = $1',
    [draftId],
  );
  if (!draft) throw new PermanentError(`draft ${draftId} does not exist`);
  return draft;
}

export const amendmentProjection: Projection = {
  async project(tx, input) {
    if (!(AMENDMENT_STATUSES as readonly string[]).includes(input.to)) throw new PermanentError(`${input.to} is not an amendment status`);
    const { draftId, ...patch } = amendmentPatch.parse(input.projection ?? {});
    const values: unknown[] = [input.workflowId, input.to];
    const sets = ['status = $2'];
    const set = (column: string, value: unknown) => {
      values.push(value);
      sets.push(`${column} = $${values.length}`);
    };
    for (const [name, value] of Object.entries(patch)) set(COLUMNS[name as keyof typeof COLUMNS], value);
    if (draftId) {
      const draft = await revisedText(tx, draftId);
      set('draft_id', draftId);
      set('changes', JSON.stringify(draft.changes));
      set('deviations', JSON.stringify(draft.deviations));
      set('reason', draft.reason);
    }
    const updated = await tx.query(`UPDATE amendments SET ${sets.join(', ')}, updated_at = now() WHERE workflow_id = $1`, values);
    if (updated.rowCount === 0) throw new PermanentError(`amendment of ${input.workflowId} is not registered`);
  },
  listing: (tx, input) =>
    listingFrom(
      tx,
      `SELECT id::text AS id, number, manager_id AS "managerId", registered_at AS "startedAt",
         COALESCE(closed_at, in_force_at) AS "closedAt"
       FROM amendments WHERE workflow_id = $1`,
      [input.workflowId],
      `amendment ${input.workflowId}`,
    ),
};
