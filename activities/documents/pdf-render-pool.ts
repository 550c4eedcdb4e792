// Contract PDFs are rendered in worker threads, never on the event loop that serves the API and
// the Temporal worker: a contract at its limits takes seconds of CPU, and one that once took 79 s
// on the main thread stopped the API answering for 49 s.
//
// A small pool (PDF_RENDER_THREADS, 1 by default) takes renders in order. Each render has a time
// limit (PDF_RENDER_TIMEOUT, 20s by default); a thread that overruns it is terminated, a thread
// that dies (an exception, out of memory: PDF_RENDER_MAX_HEAP_MB) is replaced, and the render fails
// with an error a retry may fix. Input over CONTRACT_DOCUMENT_LIMITS is refused here, before it
// reaches a thread. Idle threads are unref'd, so they never keep a process alive; close() ends them.
//
// The thread runs pdf-render-thread.js next to this file when it is compiled (dist/, production).
// From sources (vitest transforms .ts itself, a worker thread cannot), the thread gets a small
// require hook that transpiles .ts with the project's own typescript, so tests run today's code.
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { parseDuration } from '../../config/duration';
import type { DocumentRenderer, RenderReply, RenderRequest } from './pdf-render-protocol';

export type { DocumentRenderer } from './pdf-render-protocol';

export interface PdfRenderPoolOptions {
  /** Threads rendering at once; 1 by default. */
  threads?: number;
  /** Longest one render may take before its thread is terminated; 20 s by default. */
  timeoutMs?: number;
  /** V8 old-generation limit of each thread; 512 MB by default. */
  maxHeapMb?: number;
}

/** A render that overran its time limit; its thread was terminated and is replaced. */
export class PdfRenderTimeoutError extends Error {
  override readonly name = 'PdfRenderTimeoutError';
}

/** A render thread that died (an exception outside a render, out of memory); it is replaced. */
export class PdfRenderThreadError extends Error {
  override readonly name = 'PdfRenderThreadError';
}

/** The pool was closed before the render could finish. */
export class PdfRenderPoolClosedError extends Error {
  override readonly name = 'PdfRenderPoolClosedError';
}

interface Job {
  id: number;
  input: unknown;
  renderer: DocumentRenderer;
  timeoutMs: number;
  resolve(pdf: Buffer): void;
  reject(err: Error): void;
}

interface Slot {
  worker: Worker;
  job?: Job;
  timer?: NodeJS.Timeout;
  /** Why the thread is going away, when we know better than its exit code. */
  failure?: Error;
  exited: Promise<void>;
}

// Plain CommonJS, evaluated in the new thread. `ts` is set only when running from .ts sources.
const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
if (workerData.ts) {
  const fs = require('node:fs');
  const ts = require(require.resolve('typescript', { paths: [workerData.entry] }));
  const compilerOptions = {
    module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true,
    resolveJsonModule: true, inlineSourceMap: true, inlineSources: true,
  };
  require.extensions['.ts'] = (module, filename) => {
    const { outputText } = ts.transpileModule(fs.readFileSync(filename, 'utf8'), { fileName: filename, compilerOptions });
    module._compile(outputText, filename);
  };
}
require(workerData.entry);
`;

function threadEntry(): { entry: string; ts: boolean } {
  const ts = path.extname(__filename) === '.ts';
  return { entry: path.join(__dirname, `pdf-render-thread${ts ? '.ts' : '.js'}`), ts };
}

export class PdfRenderPool {
  readonly threads: number;
  readonly timeoutMs: number;
  readonly maxHeapMb: number;
  private readonly slots: (Slot | undefined)[];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;
  private started = 0;

  constructor(opts: PdfRenderPoolOptions = {}) {
    this.threads = opts.threads ?? 1;
    this.timeoutMs = opts.timeoutMs ?? 20_000;
    this.maxHeapMb = opts.maxHeapMb ?? 512;
    if (!Number.isInteger(this.threads) || this.threads < 1)
      throw new Error(`PdfRenderPool: threads must be a positive integer, not ${this.threads}`);
    if (!(this.timeoutMs > 0)) throw new Error(`PdfRenderPool: timeoutMs must be positive, not ${this.timeoutMs}`);
    if (!(this.maxHeapMb >= 64)) throw new Error(`PdfRenderPool: maxHeapMb must be at least 64, not ${this.maxHeapMb}`);
    this.slots = new Array(this.threads).fill(undefined);
  }

  /**
   * A process's document as PDF bytes, rendered in a thread by its own renderer (an absolute module path,
   * `.ts` or `.js` like this file, and the name of its `(input) => Promise<Buffer>`); its input
   * must be structured-cloneable and bounded by its own limits.
   */
  renderWith(renderer: DocumentRenderer, input: unknown, opts: { timeoutMs?: number } = {}): Promise<Buffer> {
    if (this.closed) return Promise.reject(new PdfRenderPoolClosedError('the PDF render pool is closed'));
    return this.enqueue(input, renderer, opts.timeoutMs ?? this.timeoutMs);
  }

  private enqueue(input: unknown, renderer: DocumentRenderer, timeoutMs: number): Promise<Buffer> {
    return new Promise<Buffer>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, input, renderer, timeoutMs, resolve, reject });
      this.dispatch();
    });
  }

  /** Renders waiting for a thread (not counting those being rendered). */
  get waiting(): number {
    return this.queue.length;
  }

  /** Threads started so far: the first ones and every replacement. */
  get threadsStarted(): number {
    return this.started;
  }

  /** Fails what is queued or rendering, and ends every thread. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new PdfRenderPoolClosedError('the PDF render pool was closed'));
    const exits: Promise<void>[] = [];
    for (const slot of this.slots) {
      if (!slot) continue;
      slot.failure ??= new PdfRenderPoolClosedError('the PDF render pool was closed during the render');
      exits.push(slot.exited);
      void slot.worker.terminate();
    }
    await Promise.all(exits);
  }

  private dispatch(): void {
    for (let i = 0; i < this.slots.length && this.queue.length > 0 && !this.closed; i++) {
      let slot = this.slots[i];
      if (slot?.job || slot?.failure) continue; // busy, or on its way out
      slot ??= this.slots[i] = this.spawn(i);
      const job = this.queue.shift()!;
      slot.job = job;
      slot.worker.ref();
      slot.timer = setTimeout(() => {
        slot!.failure = new PdfRenderTimeoutError(
          `rendering the PDF took longer than ${job.timeoutMs} ms; the render thread was restarted`,
        );
        void slot!.worker.terminate();
      }, job.timeoutMs);
      slot.worker.postMessage({ id: job.id, input: job.input, renderer: job.renderer } satisfies RenderRequest);
    }
  }

  private spawn(index: number): Slot {
    const { entry, ts } = threadEntry();
    this.started++;
    const worker = new Worker(BOOTSTRAP, {
      eval: true,
      workerData: { entry, ts },
      resourceLimits: { maxOldGenerationSizeMb: this.maxHeapMb },
    });
    let resolveExit!: () => void;
    const slot: Slot = { worker, exited: new Promise<void>((resolve) => (resolveExit = resolve)) };

    worker.on('message', (reply: RenderReply) => {
      const job = slot.job;
      if (!job || job.id !== reply.id || slot.failure) return; // a late answer after a timeout
      clearTimeout(slot.timer);
      slot.job = undefined;
      slot.timer = undefined;
      worker.unref();
      if (reply.ok) {
        job.resolve(Buffer.from(reply.pdf.buffer, reply.pdf.byteOffset, reply.pdf.byteLength));
      } else {
        job.reject(rebuildError(reply.error));
      }
      this.dispatch();
    });
    worker.on('error', (err) => {
      slot.failure ??= new PdfRenderThreadError(`the PDF render thread failed: ${err.message}`, { cause: err });
    });
    worker.on('exit', (code) => {
      clearTimeout(slot.timer);
      if (this.slots[index] === slot) this.slots[index] = undefined;
      const job = slot.job;
      slot.job = undefined;
      job?.reject(slot.failure ?? new PdfRenderThreadError(`the PDF render thread exited with code ${code}`));
      resolveExit();
      this.dispatch(); // a fresh thread for whatever is waiting
    });
    worker.unref();
    return slot;
  }
}

/** The renderer's error on this side: its name, message, stack and the fields it names, if any. */
function rebuildError(e: Extract<RenderReply, { ok: false }>['error']): Error & { fields?: string[] } {
  const err: Error & { fields?: string[] } = new Error(e.message);
  err.name = e.name;
  if (e.fields) err.fields = e.fields;
  if (e.stack) err.stack = e.stack;
  return err;
}

/** Pool options from PDF_RENDER_THREADS, PDF_RENDER_TIMEOUT (a duration: 20s) and PDF_RENDER_MAX_HEAP_MB. */
export function pdfRenderPoolOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): PdfRenderPoolOptions {
  const opts: PdfRenderPoolOptions = {};
  const integer = (name: string, min: number, max: number): number | undefined => {
    const raw = env[name]?.trim();
    if (!raw) return undefined;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${name}: "${raw}" is not a whole number from ${min} to ${max}`);
    return n;
  };
  const threads = integer('PDF_RENDER_THREADS', 1, 16);
  if (threads !== undefined) opts.threads = threads;
  const heap = integer('PDF_RENDER_MAX_HEAP_MB', 64, 16_384);
  if (heap !== undefined) opts.maxHeapMb = heap;
  const timeout = env.PDF_RENDER_TIMEOUT?.trim();
  if (timeout) {
    const ms = parseDuration(timeout);
    if (ms === undefined || ms <= 0) throw new Error(`PDF_RENDER_TIMEOUT: "${timeout}" is not a duration such as 20s or 1m`);
    opts.timeoutMs = ms;
  }
  return opts;
}

let shared: PdfRenderPool | undefined;

/** The process's pool, made on first use from the environment (threads start on the first render). */
export function sharedPdfRenderPool(): PdfRenderPool {
  shared ??= new PdfRenderPool(pdfRenderPoolOptionsFromEnv());
  return shared;
}

/** Ends the shared pool's threads (a later render makes a new pool). */
export async function closeSharedPdfRenderPool(): Promise<void> {
  const pool = shared;
  shared = undefined;
  await pool?.close();
}
