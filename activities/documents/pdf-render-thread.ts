// The body of a PDF render thread (see pdf-render-pool.ts): renders one document per message with
// the renderer its process names, and answers with the bytes or the error. Loaded only inside a
// worker thread.
import { isMainThread, parentPort } from 'node:worker_threads';
import type { DocumentRenderer, RenderReply, RenderRequest } from './pdf-render-protocol';

if (isMainThread || !parentPort) throw new Error('pdf-render-thread runs only inside a worker thread');
const port = parentPort;

type Render = (input: unknown) => Promise<Buffer>;
const renderers = new Map<string, Render>();

/** A process's renderer, loaded once per thread. */
function rendererOf({ module, name }: DocumentRenderer): Render {
  const key = `${module}#${name}`;
  let render = renderers.get(key);
  if (!render) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const loaded = require(module) as Record<string, unknown>;
    if (typeof loaded[name] !== 'function') throw new Error(`${module} has no renderer named ${name}`);
    render = loaded[name] as Render;
    renderers.set(key, render);
  }
  return render;
}

port.on('message', async ({ id, input, renderer }: RenderRequest) => {
  let reply: RenderReply;
  const transfer: ArrayBuffer[] = [];
  try {
    const pdf = await rendererOf(renderer)(input);
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
        fields: Array.isArray((err as { fields?: unknown }).fields) ? (err as { fields: string[] }).fields : undefined,
      },
    };
  }
  port.postMessage(reply, transfer);
});
