// Benchmark: the worst contract the limits allow (activities/contract/document-limits.ts), rendered through
// the PDF render pool N times per shape, while the main thread's event-loop delay is measured.
// Fails when the slowest render or the longest event-loop stall misses its target.
//   node dist/bench/pdf-worst-case.js     (PDF_BENCH_RENDERS=5 per shape by default)
// Shapes: every field one long word without spaces (what once took 79 s), and every field as
// one-letter lines (the most pages). PDF_RENDER_THREADS and PDF_RENDER_TIMEOUT apply as in production.
import { renderContractInThread } from '../activities/contract/render-in-thread';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { PdfRenderPool, pdfRenderPoolOptionsFromEnv } from '../activities/documents/pdf-render-pool';
import { worstCaseDocumentInput, type WorstCaseShape } from '../activities/contract/worst-case';

const RENDERS = Number(process.env.PDF_BENCH_RENDERS ?? 5);
const TARGETS = {
  renderMaxMs: Number(process.env.PDF_BENCH_TARGET_RENDER_MS ?? 10_000),
  loopDelayMaxMs: Number(process.env.PDF_BENCH_TARGET_LOOP_DELAY_MS ?? 200),
};
const SHAPES: WorstCaseShape[] = ['long-words', 'many-lines'];

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

const pageCount = (pdf: Buffer): number => pdf.toString('latin1').match(/\/Type \/Page\b/g)?.length ?? 0;

async function main(): Promise<void> {
  if (!Number.isInteger(RENDERS) || RENDERS < 1)
    throw new Error(`PDF_BENCH_RENDERS must be a positive integer, not ${process.env.PDF_BENCH_RENDERS}`);
  const pool = new PdfRenderPool(pdfRenderPoolOptionsFromEnv());
  const loop = monitorEventLoopDelay({ resolution: 10 });
  // A second, independent probe: how late a 20 ms timer fires while renders run.
  let probeMaxMs = 0;
  let last = performance.now();
  const probe = setInterval(() => {
    const now = performance.now();
    probeMaxMs = Math.max(probeMaxMs, now - last - 20);
    last = now;
  }, 20);
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);

  const failures: string[] = [];
  // Inputs are built, and outputs checked, outside the measured window: only the renders run in it.
  const inputs = SHAPES.map((shape) => ({ shape, input: worstCaseDocumentInput(shape) }));
  const runs: { shape: WorstCaseShape; chars: number; times: number[]; pdfs: Buffer[] }[] = [];
  console.log(`pdf-worst-case: ${RENDERS} renders per shape, ${pool.threads} thread(s), timeout ${pool.timeoutMs} ms`);
  loop.enable();
  try {
    for (const { shape, input } of inputs) {
      const run = { shape, chars: 0, times: [] as number[], pdfs: [] as Buffer[] };
      runs.push(run);
      for (let i = 0; i < RENDERS; i++) {
        const started = performance.now();
        run.pdfs.push(await renderContractInThread(pool, input));
        run.times.push(performance.now() - started);
      }
    }
  } finally {
    loop.disable();
    clearInterval(probe);
    clearInterval(sampler);
    await pool.close();
  }

  const allTimes = runs.flatMap((r) => r.times);
  for (const [i, { shape, times, pdfs }] of runs.entries()) {
    const [first] = pdfs;
    if (pdfs.some((pdf) => !pdf.equals(first!))) failures.push(`${shape}: renders differ (the same input must give the same bytes)`);
    const chars = JSON.stringify(inputs[i]!.input).length;
    console.log(
      `  ${shape.padEnd(10)}  input ${(chars / 1000).toFixed(0)}k chars  render p50 ${percentile(times, 50).toFixed(0)} ms, max ${Math.max(...times).toFixed(0)} ms ` +
        `(first, with thread start: ${times[0]!.toFixed(0)} ms)  PDF ${(first!.length / 1e6).toFixed(2)} MB, ${pageCount(first!)} pages`,
    );
  }

  const renderMax = Math.max(...allTimes);
  const loopMaxMs = loop.max / 1e6;
  console.log(
    `  render p50 ${percentile(allTimes, 50).toFixed(0)} ms, max ${renderMax.toFixed(0)} ms (target ≤ ${TARGETS.renderMaxMs} ms)`,
  );
  console.log(
    `  main event loop: delay max ${loopMaxMs.toFixed(1)} ms, p99 ${(loop.percentile(99) / 1e6).toFixed(1)} ms, timer probe max lateness ${probeMaxMs.toFixed(1)} ms (target ≤ ${TARGETS.loopDelayMaxMs} ms)`,
  );
  console.log(`  peak RSS of the process (threads included) ${(peakRss / 1e6).toFixed(0)} MB`);
  if (renderMax > TARGETS.renderMaxMs) failures.push(`slowest render ${renderMax.toFixed(0)} ms > ${TARGETS.renderMaxMs} ms`);
  const stall = Math.max(loopMaxMs, probeMaxMs);
  if (stall > TARGETS.loopDelayMaxMs) failures.push(`event loop stalled ${stall.toFixed(1)} ms > ${TARGETS.loopDelayMaxMs} ms`);
  if (failures.length > 0) {
    console.error(`pdf-worst-case: FAIL\n  ${failures.join('\n  ')}`);
    process.exitCode = 1;
  } else {
    console.log('pdf-worst-case: PASS');
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
