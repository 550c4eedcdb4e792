// The signed amendment as a PDF, made once per amendment and kept with the documents of every
// process; the workflow carries only its id. Rendered in the engine's PDF threads (a long one takes
// a second of CPU), never on the event loop the other activities share.
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Pool } from 'pg';
import type { Config } from '../../config/env';
import { findClient } from '../../db/clients';
import { queryOne } from '../../db/pool';
import type { AmendmentChanges, AmendmentDeviation } from '../../workflows/amendment/rules';
import { PermanentError } from '../failures';
import { sharedPdfRenderPool, type DocumentRenderer, type PdfRenderPool } from '../documents/pdf-render-pool';
import type { AmendmentDocumentInput } from './render-amendment-pdf';
import { renderAmendmentDocumentInput } from './schemas';
import type { RenderAmendmentDocumentInput } from './types';

interface AmendmentRow {
  number: string;
  contract_number: string;
  client_id: string;
  changes: AmendmentChanges;
  deviations: AmendmentDeviation[];
  reason: string;
  terms_before: {
    subject: string;
    amount: number;
    currency: string;
    endDate: string;
    paymentTermsDays: number;
    registeredAt: string;
    template: 'ru' | 'en';
  };
}

/** Loaded by the render thread: this folder's renderer, as sources (tests) or compiled (dist/). */
const RENDERER: DocumentRenderer = {
  module: path.join(__dirname, `render-amendment-pdf${path.extname(__filename)}`),
  name: 'renderAmendmentPdf',
};

export function renderAmendmentDocumentActivity(db: Pool, company: Config['company'], pool: PdfRenderPool = sharedPdfRenderPool()) {
  return async function renderAmendmentDocument(raw: RenderAmendmentDocumentInput): Promise<{ documentId: string }> {
    const input = renderAmendmentDocumentInput.parse(raw);
    const key = `${input.workflowId}:amendment`;
    const existing = await queryOne<{ id: string }>(db, 'SELECT id FROM documents WHERE key = $1', [key]);
    if (existing) return { documentId: existing.id };

    const amendment = await queryOne<AmendmentRow>(
      db,
      'SELECT number, contract_number, client_id, changes, deviations, reason, terms_before FROM amendments WHERE id = $1',
      [input.amendmentId],
    );
    if (!amendment) throw new PermanentError(`amendment ${input.amendmentId} is not registered`);
    const client = await findClient(db, amendment.client_id);
    if (!client) throw new PermanentError(`client ${amendment.client_id} does not exist`);
    const { city, ...companyRequisites } = company;
    const before = amendment.terms_before;
    const document: AmendmentDocumentInput = {
      language: before.template,
      number: amendment.number,
      contractNumber: amendment.contract_number,
      contractDate: new Date(before.registeredAt).toISOString().slice(0, 10),
      date: input.date,
      city,
      company: companyRequisites,
      client: { ...client.requisites, ...(client.signatoryName ? { signatoryName: client.signatoryName } : {}) },
      before,
      changes: amendment.changes,
      deviations: amendment.deviations,
      reason: amendment.reason,
      signedBy: input.signedBy.name,
    };
    const pdf = await pool.renderWith(RENDERER, document).catch((err: Error) => {
      // The renderer refuses input it cannot print (a term unchanged, a date that is none): for good.
      throw err.name === 'RangeError' ? new PermanentError(`amendment ${amendment.number}: ${err.message}`) : err;
    });
    // A retry racing a slow first attempt keeps the first document.
    const row = await queryOne<{ id: string }>(
      db,
      `INSERT INTO documents (key, workflow_id, process_type, client_id, contract_number, kind, content_type, file_name, sha256, content, created_at)
       VALUES ($1,$2,'amendment',$3,NULL,'amendment','application/pdf',$4,$5,$6, now())
       ON CONFLICT (key) DO UPDATE SET key = EXCLUDED.key RETURNING id`,
      [
        key,
        input.workflowId,
        amendment.client_id,
        `${amendment.number.replace('/', '_')}.pdf`,
        createHash('sha256').update(pdf).digest('hex'),
        pdf,
      ],
    );
    return { documentId: row!.id };
  };
}
