// The clients base («Клиенты») and the contract archive: a provisional entry from a signed scan,
// the final one from the original, which is then archived with a chronological reference.
import type { Pool, PoolClient } from 'pg';
import { contractParty, findClient } from '../../db/clients';
import { queryOne, withTransaction } from '../../db/pool';
import { nextInYear } from '../../db/year-counters';
import { PermanentError } from '../failures';
import { enterClientsBaseInput } from './schemas';
import type { EnterClientsBaseInput, EnterClientsBaseResult } from './types';

interface RegistryRow {
  client_id: string;
  manager_id: string;
  manager_name: string;
  end_date: string;
  signed_at: Date | null;
  archive_ref: string | null;
  archived_at: Date | null;
}

/** ARCH-2026-0007: the year of the «Договора» folder and the original's place in it, in order of arrival. */
async function nextArchiveRef(tx: PoolClient, at: string): Promise<string> {
  const year = new Date(at).getUTCFullYear();
  return `ARCH-${year}-${String(await nextInYear(tx, 'archive_counters', year)).padStart(4, '0')}`;
}

export function enterClientsBaseActivity(db: Pool) {
  return async function enterClientsBase(raw: EnterClientsBaseInput): Promise<EnterClientsBaseResult> {
    const input = enterClientsBaseInput.parse(raw);
    return withTransaction(db, async (tx) => {
      const contract = await queryOne<RegistryRow>(
        tx,
        `SELECT r.client_id, r.manager_id, s.name AS manager_name, r.end_date::text AS end_date, r.signed_at, r.archive_ref, r.archived_at
         FROM contract_registry r JOIN staff s ON s.id = r.manager_id WHERE r.number = $1 FOR UPDATE OF r`,
        [input.number],
      );
      if (!contract) throw new PermanentError(`contract ${input.number} is not in the registry`);
      const client = (await findClient(tx, contract.client_id))!;
      // The company as its contract names it (the requisites it was drafted with); its people as they are now.
      const { signatoryName: _signatory, ...requisites } = (await contractParty(tx, input.number))!;
      const concluded = input.entry === 'final' ? input.at.slice(0, 10) : null;
      await tx.query(
        `INSERT INTO clients_base (contract_number, client_id, entry, company_name, location, contacts, manager_id, manager_name,
           first_contact_date, concluded_date, expiry_date, requisites, entered_by, entered_at)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)
         ON CONFLICT (contract_number) DO UPDATE SET entry = EXCLUDED.entry, location = EXCLUDED.location,
           contacts = EXCLUDED.contacts, concluded_date = EXCLUDED.concluded_date, expiry_date = EXCLUDED.expiry_date,
           requisites = EXCLUDED.requisites, entered_by = EXCLUDED.entered_by, entered_at = EXCLUDED.entered_at
         WHERE clients_base.entry = 'provisional'`,
        [
          input.number,
          client.id,
          input.entry,
          requisites.legalName,
          input.location ?? client.location,
          JSON.stringify(client.contacts),
          contract.manager_id,
          contract.manager_name,
          client.firstContactDate,
          concluded,
          contract.end_date,
          JSON.stringify(requisites),
          input.actor.staffId,
          input.at,
        ],
      );
      if (input.entry === 'provisional') return {};
      if (contract.archive_ref) return { archiveRef: contract.archive_ref };
      const archiveRef = await nextArchiveRef(tx, input.at);
      await tx.query('UPDATE contract_registry SET archive_ref = $2, archived_at = $3 WHERE number = $1', [
        input.number,
        archiveRef,
        input.at,
      ]);
      return { archiveRef };
    });
  };
}
