// The body of a PDF render thread (see pdf-render-pool.ts): renders one contract per message and
// answers with the bytes or the error. Loaded only inside a worker thread.
import { isMainThread, parentPort } from 'node:worker_threads';
import { ContractDocumentTooLargeError } from './limits';
import { renderContractPdf } from './render-contract-pdf';
import type { RenderReply, RenderRequest } from './pdf-render-protocol';

if (isMainThread || !parentPort) throw new Error('pdf-render-thread runs only inside a worker thread');
const port = parentPort;

port.on('message', async ({ id, input }: RenderRequest) => {
  let reply: RenderReply;
  const transfer: ArrayBuffer[] = [];
  try {
    const pdf = await renderContractPdf(input);
    // A Buffer that owns its whole ArrayBuffer moves to the main thread without a copy.
    if (pdf.byteOffset === 0 && pdf.byteLength === pdf.buffer.byteLength && pdf.buffer instanceof ArrayBuffer) transfer.push(pdf.buffer);
    reply = { id, ok: true, pdf };
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    reply = {
      id,
      ok: false,
      error: {
        name: e.name,
        message: e.message,
        stack: e.stack,
        fields: err instanceof ContractDocumentTooLargeError ? err.fields : undefined,
      },
    };
  }
  port.postMessage(reply, transfer);
});
