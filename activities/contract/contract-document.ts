// The signed contract as a PDF, made once per contract and kept in Postgres; the workflow only
// carries the document's id (payloads stay small). The PDF is rendered in a worker thread
// (documents/pdf-render-pool.ts), so the event loop this activity shares with the API and the
// other activities never waits for it.
import { createHash } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Pool } from 'pg';
import type { Config } from '../../config/env';
import type { Deviation, TemplateLanguage } from '../../workflows/contract/rules';
import { contractParty } from '../../db/clients';
import { queryOne } from '../../db/pool';
import { PermanentError } from '../failures';
import { ContractDocumentTooLargeError } from './document-limits';
import { PdfRenderPool, PdfRenderThreadError, PdfRenderTimeoutError, sharedPdfRenderPool } from '../documents/pdf-render-pool';
import { renderContractDocumentInput } from './schemas';
import type { RenderContractDocumentInput, RenderContractDocumentResult } from './types';
import type { ContractDocumentInput } from '../../workflows/contract/rules';
import { renderContractInThread } from './render-in-thread';
import type { DraftDocument } from '../engine/definition';

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

/** `pool` defaults to the process's shared pool (PDF_RENDER_THREADS, PDF_RENDER_TIMEOUT), made here so a bad setting stops the worker at start. */
export function renderContractDocumentActivity(db: Pool, company: Config['company'], pool: PdfRenderPool = sharedPdfRenderPool()) {
  return async function renderContractDocument(raw: RenderContractDocumentInput): Promise<RenderContractDocumentResult> {
    const input = renderContractDocumentInput.parse(raw);
    const key = `${input.workflowId}:contract`;
    const existing = await queryOne<{ id: string }>(db, 'SELECT id FROM documents WHERE key = $1', [key]);
    if (existing) return { documentId: existing.id };

    const { contract, input: document } = await contractDocumentInput(db, company, input.number, input.date, input.signedBy.name);
    const pdf = await renderOrFail(pool, document);
    // A retry racing a slow first attempt keeps the first document.
    const row = await queryOne<{ id: string }>(
      db,
      `INSERT INTO documents (key, workflow_id, process_type, client_id, contract_number, kind, content_type, file_name, sha256, content, created_at)
       VALUES ($1,$2,'contract',$3,$4,'contract','application/pdf',$5,$6,$7, now())
       ON CONFLICT (key) DO UPDATE SET key = EXCLUDED.key RETURNING id`,
      [key, input.workflowId, contract.client_id, input.number, `${input.number}.pdf`, createHash('sha256').update(pdf).digest('hex'), pdf],
    );
    return { documentId: row!.id };
  };
}

/** The contract as its document shows it: the registry's terms and approved deviations, the client's requisites as drafted. */
async function contractDocumentInput(
  db: Pool,
  company: Config['company'],
  number: string,
  date: string,
  signedBy: string,
): Promise<{ contract: DraftRow; input: ContractDocumentInput }> {
  const contract = await queryOne<DraftRow>(
    db,
    `SELECT client_id, template, subject, amount::float8 AS amount, currency, start_date::text AS start_date,
       end_date::text AS end_date, payment_terms_days, deviations, additional_agreement, special_appendix
     FROM contract_registry WHERE number = $1`,
    [number],
  );
  if (!contract) throw new PermanentError(`contract ${number} is not in the registry`);
  // The client's requisites as the contract was drafted with them, not as the client reads now.
  const client = await contractParty(db, number);
  if (!client) throw new PermanentError(`client ${contract.client_id} does not exist`);
  const { city, ...companyRequisites } = company;
  return {
    contract,
    input: {
      number,
      template: contract.template,
      date,
      city,
      company: companyRequisites,
      client,
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
      signedBy,
    },
  };
}

/**
 * The contract as it would be signed today, with the signature line left blank: what the director
 * reads before signing (and the lawyer before deciding). Made on request and kept nowhere; the
 * signed document is made by the signature step alone.
 */
export function contractDraftDocument(db: Pool, company: Config['company'], pool?: PdfRenderPool) {
  return async (number: string): Promise<DraftDocument | undefined> => {
    const exists = await queryOne<{ number: string }>(db, 'SELECT number FROM contract_registry WHERE number = $1', [number]);
    if (!exists) return undefined;
    const { input } = await contractDocumentInput(db, company, number, new Date().toISOString().slice(0, 10), '');
    // The shared pool is made on the first draft asked for, not when the pages start.
    return { fileName: `${number}-draft.pdf`, content: await renderContractInThread(pool ?? sharedPdfRenderPool(), input) };
  };
}

/** Attempts after which a render that keeps timing out or killing its thread is not transient. */
const RENDER_ATTEMPTS = 3;

/**
 * A contract over the limits fails for good (retrying cannot shrink it). A render that timed out or
 * lost its thread is retried by Temporal (the pool has a fresh thread by then), up to
 * RENDER_ATTEMPTS: the same input failing that often would fail forever and hold the step.
 */
async function renderOrFail(pool: PdfRenderPool, input: ContractDocumentInput): Promise<Buffer> {
  try {
    return await renderContractInThread(pool, input);
  } catch (err) {
    if (err instanceof ContractDocumentTooLargeError) {
      throw ApplicationFailure.create({
        type: 'ContractDocumentTooLarge',
        message: `contract ${input.number}: ${err.message}`,
        nonRetryable: true,
        cause: err,
      });
    }
    if (err instanceof PdfRenderTimeoutError || err instanceof PdfRenderThreadError) {
      const attempt = Context.current().info.attempt;
      throw ApplicationFailure.create({
        type: 'PdfRenderFailed',
        message: `contract ${input.number}, attempt ${attempt}: ${err.message}`,
        nonRetryable: attempt >= RENDER_ATTEMPTS,
        cause: err,
      });
    }
    throw err;
  }
}
