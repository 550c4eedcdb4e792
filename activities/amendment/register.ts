// Gives an amendment its number within its contract (CT-2026-00017/ДС-1) and its row, once per
// workflow; the contract's terms as they stand are kept with it, for its document.
import type { Pool } from 'pg';
import { queryOne, withTransaction } from '../../db/pool';
import { PermanentError } from '../failures';
import { registerAmendmentInput } from './schemas';
import type { RegisterAmendmentInput } from './types';

export const amendmentNumber = (contractNumber: string, seq: number): string => `${contractNumber}/ДС-${seq}`;

export function registerAmendmentActivity(db: Pool) {
  return async function registerAmendment(raw: RegisterAmendmentInput): Promise<{ number: string }> {
    const input = registerAmendmentInput.parse(raw);
    return withTransaction(db, async (tx) => {
      // Serialises retries of the same workflow so only one of them takes a number.
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [input.workflowId]);
      const existing = await queryOne<{ number: string }>(tx, 'SELECT number FROM amendments WHERE workflow_id = $1', [input.workflowId]);
      if (existing) return existing;

      const draft = await queryOne<{ changes: unknown; deviations: unknown; reason: string }>(
        tx,
        'SELECT changes, deviations, reason FROM amendment_drafts WHERE id = $1 AND amendment_id = $2',
        [input.draftId, input.amendmentId],
      );
      if (!draft) throw new PermanentError(`draft ${input.draftId} of amendment ${input.amendmentId} does not exist`);
      const terms = await queryOne<{ terms: unknown }>(
        tx,
        `SELECT json_build_object('subject', subject, 'amount', amount::float8, 'currency', currency, 'startDate', start_date::text,
           'endDate', end_date::text, 'paymentTermsDays', payment_terms_days, 'registeredAt', registered_at, 'template', template) AS terms
         FROM contract_registry WHERE number = $1`,
        [input.contractNumber],
      );
      if (!terms) throw new PermanentError(`contract ${input.contractNumber} is not in the registry`);
      // The counter row is locked by its update: two amendments of one contract take 1 and 2. Taken
      // inside this transaction, so a registration that fails gives its number back.
      const { last } = (await queryOne<{ last: number }>(
        tx,
        `INSERT INTO amendment_counters (contract_number, last) VALUES ($1, 1)
         ON CONFLICT (contract_number) DO UPDATE SET last = amendment_counters.last + 1 RETURNING last`,
        [input.contractNumber],
      ))!;
      const number = amendmentNumber(input.contractNumber, last);
      await tx.query(
        `INSERT INTO amendments (id, workflow_id, number, contract_number, seq, client_id, manager_id, created_by, status, draft_id,
           changes, deviations, reason, terms_before, registered_at)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,'registering',$9,$10,$11,$12,$13,$14)`,
        [
          input.amendmentId,
          input.workflowId,
          number,
          input.contractNumber,
          last,
          input.clientId,
          input.managerId,
          input.createdBy.staffId,
          input.draftId,
          JSON.stringify(draft.changes),
          JSON.stringify(draft.deviations),
          draft.reason,
          JSON.stringify(terms.terms),
          input.at,
        ],
      );
      return { number };
    });
  };
}
