// Clients and their contact persons.
import type { Pool } from 'pg';
import type { z } from 'zod';
import type { Requisites } from '../domain/client';
import type { newClientSchema } from '../domain/schemas';
import { queryOne, queryRows, withTransaction, type Queryable } from './pool';

export type NewClient = z.infer<typeof newClientSchema>;

export interface Contact {
  name: string;
  jobTitle: string | null;
  phone: string | null;
  email: string | null;
  decisionRole: string;
}

export interface Client {
  id: string;
  code: string;
  location: string | null;
  signatoryName: string | null;
  firstContactDate: string;
  requisites: Requisites;
  contacts: Contact[];
  /** The client's stage on the loyalty ladder (domain/onboarding.ts LOYALTY_STAGES). */
  loyaltyStage: string;
  createdAt: string;
}

export async function insertClient(db: Pool, client: NewClient, createdBy: string): Promise<{ id: string; code: string }> {
  return withTransaction(db, (tx) => insertClientIn(tx, client, createdBy));
}

/** Inserts a client with its contacts on a transaction the caller holds (and commits). */
export async function insertClientIn(tx: Queryable, client: NewClient, createdBy: string): Promise<{ id: string; code: string }> {
  const r = client.requisites;
  const row = (await queryOne<{ id: string; code: string }>(
    tx,
    `INSERT INTO clients (code, legal_name, location, inn, kpp, address, bank_name, bik, account, correspondent_account,
       signatory_name, first_contact_date, created_by)
     VALUES ('CL-' || lpad(nextval('client_code_seq')::text, 5, '0'), $1,$2,$3,$4,$5,$6,$7,$8,$9,$10, COALESCE($11::date, CURRENT_DATE), $12)
     RETURNING id, code`,
    [
      r.legalName,
      client.location ?? null,
      r.inn,
      r.kpp ?? null,
      r.address,
      r.bankName,
      r.bik,
      r.account,
      r.correspondentAccount,
      client.signatoryName ?? null,
      client.firstContactDate ?? null,
      createdBy,
    ],
  ))!;
  for (const [position, c] of client.contacts.entries()) {
    await tx.query(
      `INSERT INTO client_contacts (client_id, position, name, job_title, phone, email, decision_role)
       VALUES ($1,$2,$3,$4,$5,$6,$7)`,
      [row.id, position, c.name, c.jobTitle ?? null, c.phone ?? null, c.email ?? null, c.decisionRole],
    );
  }
  return row;
}

/**
 * Removes a client created moments ago whose request then failed (its contacts go with it). Only
 * a client nothing refers to can go: anything else written for it keeps it (foreign keys).
 */
export async function deleteNewClient(tx: Queryable, id: string): Promise<void> {
  await tx.query('DELETE FROM clients WHERE id = $1', [id]);
}

interface ClientRow {
  id: string;
  code: string;
  legal_name: string;
  location: string | null;
  inn: string;
  kpp: string | null;
  address: string;
  bank_name: string;
  bik: string;
  account: string;
  correspondent_account: string;
  signatory_name: string | null;
  first_contact_date: string;
  loyalty_stage: string;
  created_at: Date;
}

export async function findClient(db: Queryable, id: string): Promise<Client | undefined> {
  const row = await queryOne<ClientRow>(db, `SELECT *, first_contact_date::text AS first_contact_date FROM clients WHERE id = $1`, [id]);
  if (!row) return undefined;
  const contacts = await queryRows<Contact>(
    db,
    `SELECT name, job_title AS "jobTitle", phone, email, decision_role AS "decisionRole"
     FROM client_contacts WHERE client_id = $1 ORDER BY position`,
    [id],
  );
  return {
    id: row.id,
    code: row.code,
    location: row.location,
    signatoryName: row.signatory_name,
    firstContactDate: row.first_contact_date,
    requisites: {
      legalName: row.legal_name,
      inn: row.inn,
      ...(row.kpp ? { kpp: row.kpp } : {}),
      address: row.address,
      bankName: row.bank_name,
      bik: row.bik,
      account: row.account,
      correspondentAccount: row.correspondent_account,
    },
    contacts,
    loyaltyStage: row.loyalty_stage,
    createdAt: row.created_at.toISOString(),
  };
}
