// Gives a contract its number and its row in the registration registry, once per workflow.
import type { Pool, PoolClient } from 'pg';
import type { ContractDraft } from '../../workflows/contract/rules';
import { contractPartySql } from '../../db/clients';
import { queryOne, withTransaction } from '../../db/pool';
import { nextInYear } from '../../db/year-counters';
import { PermanentError } from '../failures';
import { registerContractInput } from './schemas';
import type { RegisterContractInput, RegisterContractResult } from './types';

/** CT-2026-00017: the year of registration and its place in that year's sequence. */
export const formatContractNumber = (year: number, sequence: number): string => `CT-${year}-${String(sequence).padStart(5, '0')}`;

export async function draftById(db: Pick<PoolClient, 'query'>, draftId: string): Promise<ContractDraft> {
  const row = await queryOne<{ draft: ContractDraft }>(db, 'SELECT draft FROM contract_drafts WHERE id = $1', [draftId]);
  if (!row) throw new PermanentError(`draft ${draftId} does not exist`);
  return row.draft;
}

export function registerContractActivity(db: Pool) {
  return async function registerContract(raw: RegisterContractInput): Promise<RegisterContractResult> {
    const input = registerContractInput.parse(raw);
    return withTransaction(db, async (tx) => {
      // Serialises retries of the same workflow so only one of them takes a number.
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [input.workflowId]);
      const existing = await queryOne<{ number: string }>(tx, 'SELECT number FROM contract_registry WHERE workflow_id = $1', [
        input.workflowId,
      ]);
      if (existing) return { number: existing.number };

      const draft = input.draftId ? await draftById(tx, input.draftId) : input.draft!;
      const year = new Date(input.at).getUTCFullYear();
      // Taken inside this transaction: a registration that fails gives its number back.
      const number = formatContractNumber(year, await nextInYear(tx, 'contract_number_counters', year));
      const { terms, deviations, additionalAgreement, specialAppendix } = draft;
      // The client's requisites are copied as the contract is drafted: editing the client later
      // (PATCH /api/clients/:id) changes neither this contract's PDF nor its clients-base entry.
      await tx.query(
        `INSERT INTO contract_registry (number, workflow_id, client_id, manager_id, created_by, template, subject, amount,
           currency, start_date, end_date, payment_terms_days, deviations, additional_agreement, special_appendix,
           status, registered_at, client_requisites)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,'registering',$16,
           (SELECT ${contractPartySql('c')} FROM clients c WHERE c.id = $3))`,
        [
          number,
          input.workflowId,
          input.clientId,
          input.managerId,
          input.createdBy.staffId,
          input.template,
          terms.subject,
          terms.amount,
          terms.currency,
          terms.startDate,
          terms.endDate,
          terms.paymentTermsDays,
          JSON.stringify(deviations),
          additionalAgreement ?? null,
          specialAppendix ?? null,
          input.at,
        ],
      );
      return { number };
    });
  };
}
