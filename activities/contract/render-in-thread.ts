// The contract's PDF, rendered in the engine's render threads: its input checked against the
// contract's document limits first (cheap, and the error keeps its class), then laid out in a
// thread by render-contract-pdf.ts, never on the event loop.
import path from 'node:path';
import type { ContractDocumentInput } from '../../workflows/contract/rules';
import { sharedPdfRenderPool, type DocumentRenderer, type PdfRenderPool } from '../documents/pdf-render-pool';
import { assertPrintable, ContractDocumentTooLargeError } from './document-limits';

/** Loaded by the render thread: this folder's renderer, as sources (tests) or compiled (dist/). */
export const CONTRACT_RENDERER: DocumentRenderer = {
  module: path.join(__dirname, `render-contract-pdf${path.extname(__filename)}`),
  name: 'renderContractPdf',
};

/** The contract as PDF bytes, rendered in one of the pool's threads; identical input gives identical bytes. */
export async function renderContractInThread(
  pool: PdfRenderPool,
  input: ContractDocumentInput,
  opts: { timeoutMs?: number } = {},
): Promise<Buffer> {
  assertPrintable(input);
  try {
    return await pool.renderWith(CONTRACT_RENDERER, input, opts);
  } catch (err) {
    const fields = (err as { fields?: string[] }).fields;
    throw (err as Error).name === 'ContractDocumentTooLargeError' && fields ? new ContractDocumentTooLargeError(fields) : err;
  }
}

/** Renders through the process's shared pool. */
export function renderContractPdfOffThread(input: ContractDocumentInput): Promise<Buffer> {
  return renderContractInThread(sharedPdfRenderPool(), input);
}
