// Clients and their contact persons: registered, found (by name, INN or code, a keyset page),
// and edited with each change on the client's timeline. A contract keeps a copy of the requisites
// it was drafted with (CONTRACT_PARTY_SQL), so editing a client never rewrites a contract.
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { z } from 'zod';
import type { Requisites, Segment } from '../domain/client';
import { requisitesSchema, type newClientSchema } from '../domain/schemas';
import { afterParams, keysetPage, sortKeyColumn, type Page, type PageRequest } from './keyset-pages';
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

/**
 * With `id` (named by a request's Idempotency-Key) a client made before under it is answered
 * instead of a second one: a retry after a lost answer, or the same request sent at the same moment.
 */
export async function insertClient(db: Pool, client: NewClient, createdBy: string, id?: string): Promise<{ id: string; code: string }> {
  return withTransaction(db, (tx) => insertClientIn(tx, client, createdBy, id));
}

/** Inserts a client with its contacts on a transaction the caller holds (and commits). */
export async function insertClientIn(
  tx: Queryable,
  client: NewClient,
  createdBy: string,
  id?: string,
): Promise<{ id: string; code: string }> {
  const r = client.requisites;
  const inserted = await queryOne<{ id: string; code: string }>(
    tx,
    `INSERT INTO clients (id, code, legal_name, location, inn, kpp, address, bank_name, bik, account, correspondent_account,
       signatory_name, first_contact_date, created_by)
     VALUES (COALESCE($13::uuid, gen_random_uuid()), 'CL-' || lpad(nextval('client_code_seq')::text, 5, '0'),
       $1,$2,$3,$4,$5,$6,$7,$8,$9,$10, COALESCE($11::date, CURRENT_DATE), $12)
     ON CONFLICT (id) DO NOTHING
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
      id ?? null,
    ],
  );
  // Made before under this id: it is the answer, contacts and all.
  if (!inserted) return (await queryOne<{ id: string; code: string }>(tx, 'SELECT id, code FROM clients WHERE id = $1', [id]))!;
  const row = inserted;
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

/** A client's code, or undefined when no client has this id: one read, for callers that need no more. */
export async function clientCodeOf(db: Queryable, id: string): Promise<string | undefined> {
  return (await queryOne<{ code: string }>(db, 'SELECT code FROM clients WHERE id = $1', [id]))?.code;
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

// ---- A contract's copy of its client --------------------------------------------------------------

/** The client as a contract names it: its requisites and signatory as they were when it was drafted. */
export type ContractParty = Requisites & { signatoryName?: string };

/**
 * The copy a contract keeps of its client (alias `c`): written into `contract_registry.client_requisites`
 * when the contract is registered, so its PDF and its clients-base entry print the requisites it was
 * drafted with, however the client is edited later. Absent fields are left out, as the API shows them.
 */
export const contractPartySql = (c: string): string => `jsonb_strip_nulls(jsonb_build_object(
  'legalName', ${c}.legal_name, 'inn', ${c}.inn, 'kpp', ${c}.kpp, 'address', ${c}.address, 'bankName', ${c}.bank_name,
  'bik', ${c}.bik, 'account', ${c}.account, 'correspondentAccount', ${c}.correspondent_account,
  'signatoryName', ${c}.signatory_name))`;

/** The client a contract names: its own copy, or (a row written before copies were kept) the client now. */
export async function contractParty(db: Queryable, number: string): Promise<ContractParty | undefined> {
  const row = await queryOne<{ party: ContractParty }>(
    db,
    `SELECT COALESCE(r.client_requisites, ${contractPartySql('c')}) AS party
     FROM contract_registry r JOIN clients c ON c.id = r.client_id WHERE r.number = $1`,
    [number],
  );
  return row?.party;
}

// ---- The client list ------------------------------------------------------------------------------

export interface ClientListItem {
  id: string;
  code: string;
  name: string;
  inn: string;
  /** The client's manager and segment as the processes following it know them (clientManagerSql). */
  manager: { id: string; name: string } | null;
  segment: Segment | null;
  createdAt: Date;
}

/**
 * The manager and segment of client `c`, as `m.manager_id` and `m.segment`: its relationship's
 * (accounts, kept by the account workflow), else its latest onboarding's, and for the manager, else
 * its latest contract's (the order db/account/accounts.ts accountContext opens a relationship with).
 * They are the processes' to change (assignment, qualification, reassignment), never a client edit's.
 */
const clientManagerSql = (c: string): string => `
  LEFT JOIN accounts a ON a.client_id = ${c}.id
  LEFT JOIN LATERAL (
    SELECT
      COALESCE(a.manager_id,
        (SELECT o.manager_id FROM onboardings o WHERE o.client_id = ${c}.id AND o.manager_id IS NOT NULL ORDER BY o.created_at DESC LIMIT 1),
        (SELECT r.manager_id FROM contract_registry r WHERE r.client_id = ${c}.id ORDER BY r.registered_at DESC LIMIT 1)) AS manager_id,
      COALESCE(a.segment,
        (SELECT o.segment FROM onboardings o WHERE o.client_id = ${c}.id AND o.segment IS NOT NULL ORDER BY o.created_at DESC LIMIT 1)) AS segment
  ) m ON true`;

/** `q` as a LIKE pattern's literal part: its %, _ and \\ match themselves. */
const likeLiteral = (q: string): string => q.replace(/[\\%_]/g, (ch) => `\\${ch}`);

/**
 * Clients, newest first, a keyset page on (created_at, id); with `q`, those whose name contains it
 * in any case (Cyrillic included), whose INN starts with it, or whose code starts with it (any case).
 */
export async function clientsPage(db: Queryable, filter: { q?: string }, page: PageRequest): Promise<Page<ClientListItem>> {
  const q = filter.q ? likeLiteral(filter.q) : null;
  return keysetPage<ClientListItem>(
    db,
    `SELECT c.id, c.code, c.legal_name AS name, c.inn,
       CASE WHEN s.id IS NULL THEN NULL ELSE json_build_object('id', s.id, 'name', s.name) END AS manager,
       m.segment, c.created_at AS "createdAt", ${sortKeyColumn('c.created_at', 'c.id::text')}
     FROM clients c ${clientManagerSql('c')}
     LEFT JOIN staff s ON s.id = m.manager_id
     WHERE ($1::text IS NULL OR lower(c.legal_name) LIKE lower($2::text) OR c.inn LIKE $3::text OR c.code LIKE upper($3::text))
       AND ($4::timestamptz IS NULL OR (c.created_at, c.id) < ($4::timestamptz, $5::uuid))
     ORDER BY c.created_at DESC, c.id DESC LIMIT $6`,
    [q, q === null ? null : `%${q}%`, q === null ? null : `${q}%`, ...afterParams(page)],
    page,
  );
}

/** Who looks after the client: its manager (clientManagerSql) and who registered it. */
export async function clientKeepers(db: Queryable, id: string): Promise<{ managerId: string | null; createdBy: string } | undefined> {
  return queryOne<{ managerId: string | null; createdBy: string }>(
    db,
    `SELECT m.manager_id AS "managerId", c.created_by AS "createdBy" FROM clients c ${clientManagerSql('c')} WHERE c.id = $1`,
    [id],
  );
}

// ---- Editing a client -----------------------------------------------------------------------------

/** PATCH /api/clients/:id, parsed: the requisites given replace theirs (`kpp: null` removes it). */
export interface ClientPatch {
  requisites?: { [K in keyof Requisites]?: K extends 'kpp' ? string | null : Requisites[K] };
  contacts?: NewClient['contacts'];
  location?: string | null;
  signatoryName?: string | null;
}

/** One field changed: `requisites.inn`, `location`, `contacts.1.phone`, `contacts.2` (a contact added or removed). */
export interface ClientChange {
  field: string;
  from: unknown;
  to: unknown;
}

const REQUISITE_KEYS = ['legalName', 'inn', 'kpp', 'address', 'bankName', 'bik', 'account', 'correspondentAccount'] as const;
const CONTACT_KEYS = ['name', 'jobTitle', 'phone', 'email', 'decisionRole'] as const;

const contactOf = (c: NewClient['contacts'][number] | Contact): Contact => ({
  name: c.name,
  jobTitle: c.jobTitle ?? null,
  phone: c.phone ?? null,
  email: c.email ?? null,
  decisionRole: c.decisionRole,
});

/** The requisites after the patch, checked whole as at registration (a 10-digit INN needs its KPP). */
function patchedRequisites(before: Requisites, patch: ClientPatch['requisites'] = {}): Requisites {
  const merged: Record<string, unknown> = { ...before };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else if (value !== undefined) merged[key] = value;
  }
  return z.object({ requisites: requisitesSchema }).parse({ requisites: merged }).requisites;
}

function changesOf(before: Client, after: Pick<Client, 'requisites' | 'contacts' | 'location' | 'signatoryName'>): ClientChange[] {
  const changes: ClientChange[] = [];
  const note = (field: string, from: unknown, to: unknown) => {
    if (JSON.stringify(from) !== JSON.stringify(to)) changes.push({ field, from, to });
  };
  for (const key of REQUISITE_KEYS) note(`requisites.${key}`, before.requisites[key] ?? null, after.requisites[key] ?? null);
  note('location', before.location, after.location);
  note('signatoryName', before.signatoryName, after.signatoryName);
  for (let i = 0; i < Math.max(before.contacts.length, after.contacts.length); i++) {
    const [was, is] = [before.contacts[i], after.contacts[i]];
    if (!was || !is) note(`contacts.${i}`, was ?? null, is ?? null);
    else for (const key of CONTACT_KEYS) note(`contacts.${i}.${key}`, was[key], is[key]);
  }
  return changes;
}

/**
 * Applies a patch to a client's requisites, contacts, location and signatory, in one transaction
 * with the event on the client's timeline that says who changed what (each field, old → new).
 * Edits of one client are serialised on its row, so each event's `from` is the previous one's `to`
 * and the row is the last event's `to`. A patch that changes nothing writes nothing. Undefined for
 * an unknown client; a ZodError naming the field when the patched requisites are not valid.
 */
export async function updateClient(
  db: Pool,
  id: string,
  patch: ClientPatch,
  actor: { staffId: string; name: string },
): Promise<{ client: Client; changes: ClientChange[] } | undefined> {
  return withTransaction(db, async (tx) => {
    const locked = await queryOne<{ loyalty_stage: string }>(tx, 'SELECT loyalty_stage FROM clients WHERE id = $1 FOR UPDATE', [id]);
    if (!locked) return undefined;
    const before = (await findClient(tx, id))!;
    const after = {
      requisites: patchedRequisites(before.requisites, patch.requisites),
      contacts: (patch.contacts ?? before.contacts).map(contactOf),
      location: patch.location === undefined ? before.location : patch.location,
      signatoryName: patch.signatoryName === undefined ? before.signatoryName : patch.signatoryName,
    };
    const changes = changesOf(before, after);
    if (changes.length === 0) return { client: before, changes };

    const r = after.requisites;
    await tx.query(
      `UPDATE clients SET legal_name = $2, inn = $3, kpp = $4, address = $5, bank_name = $6, bik = $7, account = $8,
         correspondent_account = $9, location = $10, signatory_name = $11
       WHERE id = $1`,
      [
        id,
        r.legalName,
        r.inn,
        r.kpp ?? null,
        r.address,
        r.bankName,
        r.bik,
        r.account,
        r.correspondentAccount,
        after.location,
        after.signatoryName,
      ],
    );
    if (changes.some((c) => c.field.startsWith('contacts.'))) {
      await tx.query('DELETE FROM client_contacts WHERE client_id = $1', [id]);
      for (const [position, c] of after.contacts.entries()) {
        await tx.query(
          `INSERT INTO client_contacts (client_id, position, name, job_title, phone, email, decision_role) VALUES ($1,$2,$3,$4,$5,$6,$7)`,
          [id, position, c.name, c.jobTitle, c.phone, c.email, c.decisionRole],
        );
      }
    }
    // Not a process: the client's own line of its timeline. The clock is read after the row lock,
    // so the events of concurrent edits are in the order they were applied. The client's state
    // (its loyalty stage) does not change.
    await tx.query(
      `INSERT INTO timeline_events (key, workflow_id, process_type, client_id, step, status_from, status_to, actor_id, actor_name,
         at, waited_ms, details)
       VALUES ($1, $2, 'client', $3, 'client_edited', $4, $4, $5, $6, clock_timestamp(), 0, $7)`,
      [
        `client-${id}:edit:${randomUUID()}`,
        `client-${id}`,
        id,
        locked.loyalty_stage,
        actor.staffId,
        actor.name,
        JSON.stringify({ changes }),
      ],
    );
    return { client: (await findClient(tx, id))!, changes };
  });
}
