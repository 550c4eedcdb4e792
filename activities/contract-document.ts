// The signed contract as a PDF, made once per contract and kept in Postgres; the workflow only
// carries the document's id (payloads stay small).
import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import type { Config } from '../config/env';
import { findClient } from '../db/clients';
import { queryOne } from '../db/pool';
import { renderContractPdf } from './documents/render-contract-pdf';
import { renderContractDocumentInput } from './schemas';
import type { RenderContractDocumentInput, RenderContractDocumentResult } from './types';

export function renderContractDocumentActivity(db: Pool, company: Config['company']) {
  return async function renderContractDocument(raw: RenderContractDocumentInput): Promise<RenderContractDocumentResult> {
    const input = renderContractDocumentInput.parse(raw);
    const key = `${input.workflowId}:contract`;
    const existing = await queryOne<{ id: string }>(db, 'SELECT id FROM documents WHERE key = $1', [key]);
    if (existing) return { documentId: existing.id };

    const client = await findClient(db, input.clientId);
    if (!client) throw new Error(`client ${input.clientId} does not exist`);
    const { city, ...companyRequisites } = company;
    const pdf = await renderContractPdf({
      number: input.number,
      template: input.template,
      date: input.date,
      city,
      company: companyRequisites,
      client: { ...client.requisites, ...(client.signatoryName ? { signatoryName: client.signatoryName } : {}) },
      terms: input.terms,
      approvedDeviations: input.approvedDeviations,
      additionalAgreement: input.additionalAgreement,
      specialAppendix: input.specialAppendix,
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
