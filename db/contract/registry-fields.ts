// The contract registration registry's fields, written once: what each field is read as (the API's
// answers and the CSV export), which are exported, and which a step may set. The answer type, the
// SELECT list, the CSV columns and the step recorder's column map are all derived from here.
import { contractPartySql, type ContractParty } from '../clients';

interface Field<T> {
  /** The SQL that reads it, over `contract_registry r JOIN clients c JOIN staff s`. */
  select: string;
  /** Exported in the registry CSV, in this order. */
  csv?: true;
  /** The registry column a step writes it to (RegistryPatch). */
  writes?: string;
  /** Phantom: the field's type in answers. */
  type?: T;
}
const field = <T>(select: string, opts: Omit<Field<T>, 'select' | 'type'> = {}): Field<T> => ({ select, ...opts });

export const REGISTRY_FIELDS = {
  number: field<string>('r.number', { csv: true }),
  workflowId: field<string>('r.workflow_id'),
  status: field<string>('r.status', { csv: true, writes: 'status' }),
  clientId: field<string>('r.client_id'),
  clientCode: field<string>('c.code', { csv: true }),
  clientName: field<string>('c.legal_name', { csv: true }),
  /** The client's requisites and signatory as the contract was drafted with them (copied at registration). */
  clientRequisites: field<ContractParty>(`COALESCE(r.client_requisites, ${contractPartySql('c')})`),
  managerId: field<string>('r.manager_id', { writes: 'manager_id' }),
  managerName: field<string>('s.name', { csv: true }),
  template: field<string>('r.template'),
  subject: field<string>('r.subject', { csv: true, writes: 'subject' }),
  amount: field<string>('r.amount::text', { csv: true, writes: 'amount' }),
  currency: field<string>('r.currency', { csv: true }),
  startDate: field<string>('r.start_date::text', { csv: true }),
  endDate: field<string>('r.end_date::text', { csv: true, writes: 'end_date' }),
  paymentTermsDays: field<number>('r.payment_terms_days', { writes: 'payment_terms_days' }),
  deviations: field<unknown[]>('r.deviations'),
  additionalAgreement: field<string | null>('r.additional_agreement'),
  specialAppendix: field<string | null>('r.special_appendix'),
  registeredAt: field<Date>('r.registered_at', { csv: true }),
  approvedAt: field<Date | null>('r.approved_at', { writes: 'approved_at' }),
  approvedBy: field<string | null>('r.approved_by', { writes: 'approved_by' }),
  signedAt: field<Date | null>('r.signed_at', { csv: true, writes: 'signed_at' }),
  signedBy: field<string | null>('r.signed_by', { writes: 'signed_by' }),
  sentDate: field<string | null>('r.sent_date::text', { csv: true, writes: 'sent_date' }),
  dispatchChannel: field<string | null>('r.dispatch_channel', { csv: true, writes: 'dispatch_channel' }),
  trackingRef: field<string | null>('r.tracking_ref', { csv: true, writes: 'tracking_ref' }),
  scanReceivedDate: field<string | null>('r.scan_received_date::text', { csv: true, writes: 'scan_received_date' }),
  returnedDate: field<string | null>('r.returned_date::text', { csv: true, writes: 'returned_date' }),
  archiveRef: field<string | null>('r.archive_ref', { csv: true }),
  archivedAt: field<Date | null>('r.archived_at'),
  closedAt: field<Date | null>('r.closed_at', { csv: true, writes: 'closed_at' }),
  closeReason: field<string | null>('r.close_reason', { csv: true, writes: 'close_reason' }),
};

type Fields = typeof REGISTRY_FIELDS;

/** A registry entry as the API answers it. */
export type RegistryEntry = { [K in keyof Fields]: Fields[K] extends Field<infer T> ? T : never };

export const REGISTRY_SELECT_LIST = Object.entries(REGISTRY_FIELDS)
  .map(([name, f]) => `${f.select} AS "${name}"`)
  .join(', ');

export const REGISTRY_CSV_COLUMNS = (Object.keys(REGISTRY_FIELDS) as (keyof Fields)[]).filter((name) => 'csv' in REGISTRY_FIELDS[name]);

/** Field → column, for the fields a step may set. */
export const REGISTRY_WRITES: Record<string, string> = Object.fromEntries(
  Object.entries(REGISTRY_FIELDS).flatMap(([name, f]) => ('writes' in f && f.writes ? [[name, f.writes]] : [])),
);
