// The signed contract as a PDF, made once per contract and kept in Postgres; the workflow only
// carries the document's id (payloads stay small).
import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import type { Config } from '../config/env';
import type { Deviation, TemplateLanguage } from '../domain/contract';
import { findClient } from '../db/clients';
import { queryOne } from '../db/pool';
import { renderContractPdf } from './documents/render-contract-pdf';
import { renderContractDocumentInput } from './schemas';
import type { RenderContractDocumentInput, RenderContractDocumentResult } from './types';

interface DraftRow {
  client_id: string;
  template: TemplateLanguage;
  subject: string;
  amount: number;
  currency: string;
  start_date: string;
  end_date: string;
  payment_terms_days: number;
  deviations: Deviation[];
  additional_agreement: string | null;
  special_appendix: string | null;
}

export function renderContractDocumentActivity(db: Pool, company: Config['company']) {
  return async function renderContractDocument(raw: RenderContractDocumentInput): Promise<RenderContractDocumentResult> {
    const input = renderContractDocumentInput.parse(raw);
    const key = `${input.workflowId}:contract`;
    const existing = await queryOne<{ id: string }>(db, 'SELECT id FROM documents WHERE key = $1', [key]);
    if (existing) return { documentId: existing.id };

    const contract = await queryOne<DraftRow>(
      db,
      `SELECT client_id, template, subject, amount::float8 AS amount, currency, start_date::text AS start_date,
         end_date::text AS end_date, payment_terms_days, deviations, additional_agreement, special_appendix
       FROM contract_registry WHERE number = $1`,
      [input.number],
    );
    if (!contract) throw new Error(`contract ${input.number} is not in the registry`);
    const client = await findClient(db, contract.client_id);
    if (!client) throw new Error(`client ${contract.client_id} does not exist`);
    const { city, ...companyRequisites } = company;
    const pdf = await renderContractPdf({
      number: input.number,
      template: contract.template,
      date: input.date,
      city,
      company: companyRequisites,
      client: { ...client.requisites, ...(client.signatoryName ? { signatoryName: client.signatoryName } : {}) },
      terms: {
        subject: contract.subject,
        amount: contract.amount,
        currency: contract.currency,
        startDate: contract.start_date,
        endDate: contract.end_date,
        paymentTermsDays: contract.payment_terms_days,
      },
      // Signing follows approval, and revised terms go back to the lawyer, so the registry's
      // deviations are the approved ones.
      approvedDeviations: contract.deviations,
      additionalAgreement: contract.additional_agreement ?? undefined,
      specialAppendix: contract.special_appendix ?? undefined,
      signedBy: input.signedBy.name,
    });
    // A retry racing a slow first attempt keeps the first document.
    const row = await queryOne<{ id: string }>(
      db,
      `INSERT INTO documents (key, contract_number, kind, content_type, file_name, sha256, content, created_at)
       VALUES ($1,$2,'contract','application/pdf',$3,$4,$5, now())
       ON CONFLICT (key) DO UPDATE SET key = EXCLUDED.key RETURNING id`,
      [key, input.number, `${input.number}.pdf`, createHash('sha256').update(pdf).digest('hex'), pdf],
    );
    return { documentId: row!.id };
  };
}
