// The worker's resident memory over a benchmark, by phase: sampled every second from /proc
// (VmRSS of each worker OS process, summed), the peak of each phase the bench marks, and each
// process's own high-water mark (VmHWM) at the end. Without worker processes, this process's RSS.
import type { BenchChild } from './child-processes';

export interface MemoryWatch {
  /** From now on, samples count towards `phase`. */
  mark(phase: string): void;
  /** Prints each phase's peak and each worker's VmHWM; answers the peaks by phase (MB). */
  report(): Record<string, number>;
  /** The RSS now (MB). */
  now(): number;
  stop(): void;
}

export function watchMemory(workers: BenchChild[]): MemoryWatch {
  const rssNow = () => (workers.length ? workers.reduce((sum, w) => sum + w.memoryMb().rss, 0) : process.memoryUsage().rss / 1024 / 1024);
  const peaks = new Map<string, number>();
  let phase = 'seeding';
  const sample = () => peaks.set(phase, Math.max(peaks.get(phase) ?? 0, rssNow()));
  const timer = setInterval(sample, 1_000);
  return {
    mark(next) {
      sample();
      phase = next;
      sample();
    },
    now: rssNow,
    report() {
      sample();
      const who = workers.length
        ? `worker process${workers.length > 1 ? 'es' : ''} (pid ${workers.map((w) => w.pid).join(', ')})`
        : 'this process (worker in process)';
      console.log(`\nresident memory of the ${who}, peak by phase:`);
      for (const [name, mb] of peaks) console.log(`  ${name.padEnd(18)} ${mb.toFixed(0)} MB`);
      for (const w of workers) {
        console.log(
          `  pid ${w.pid} VmHWM (its peak over the whole run) ${w.memoryMb().peak.toFixed(0)} MB; printed ${(w.printedBytes() / 1024).toFixed(0)} kB`,
        );
      }
      return Object.fromEntries(peaks);
    },
    stop: () => clearInterval(timer),
  };
}
