// The contract's projection: the registration registry row a contract's step moves, written in
// the step's own transaction (activities/record-step.ts).
import type { PoolClient } from 'pg';
import { REGISTRY_WRITES } from '../../db/contract/registry-fields';
import { CONTRACT_STATUSES, type ContractDraft } from '../../workflows/contract/rules';
import { PermanentError } from '../failures';
import { draftById } from './register-contract';
import type { RecordStepInput } from '../types';
import type { ProcessListing } from '../engine/projection';
import { registryPatch } from './schemas';
import type { ContractStep, RegistryPatch } from './types';

/** The registry's SET list for a step: the fields it changes, and the whole draft when terms are revised. */
function assignments(patch: RegistryPatch & { status: string; draft?: ContractDraft }): { sets: string[]; values: unknown[] } {
  const sets: string[] = [];
  const values: unknown[] = [];
  const set = (column: string, value: unknown) => {
    values.push(value);
    sets.push(`${column} = $${values.length + 1}`);
  };
  for (const [name, column] of Object.entries(REGISTRY_WRITES)) {
    const value = patch[name as keyof RegistryPatch];
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

/** The registry row moved by the step, answering the contract's listing as it now stands (one round trip). */
export async function projectContractStep(tx: PoolClient, input: RecordStepInput, number: string): Promise<ProcessListing> {
  if (!(CONTRACT_STATUSES as readonly string[]).includes(input.to)) throw new PermanentError(`${input.to} is not a contract status`);
  // Its own record of the step, checked by its own schema.
  const { draftId, ...patch } = (registryPatch.parse((input as RecordStepInput & ContractStep).registry) ?? {}) as RegistryPatch;
  const draft = draftId ? await draftById(tx, draftId) : patch.draft;
  const { sets, values } = assignments({ ...patch, draft, status: input.to });
  const updated = await tx.query<ProcessListing>(
    `UPDATE contract_registry SET ${sets.join(', ')}, updated_at = now() WHERE number = $1
     RETURNING ${CONTRACT_LISTING}`,
    [number, ...values],
  );
  if (!updated.rows[0]) throw new PermanentError(`contract ${number} is not in the registry`);
  return updated.rows[0];
}

/** A registry row's columns as the list of every process names them (ProcessListing). */
export const CONTRACT_LISTING = `number AS id, number, manager_id AS "managerId", registered_at AS "startedAt", closed_at AS "closedAt"`;
