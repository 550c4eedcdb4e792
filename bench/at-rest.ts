// Benchmark: open processes at rest. N contracts waiting for their signed original and M
// relationships (opened by a first complaint), seeded through the API; then what holding them
// costs: the worker's resident memory (a worker OS process of its own), Postgres's size per
// process (pg_database_size before and after, divided by the processes), and the API's latency at
// that size: p95 over BENCH_REST_SAMPLES (100) calls each of the task lists, the process list, the
// registry (first and deep pages), a client's timeline, and the analytics routes.
// Targets: list and timeline reads p95 ≤ 200 ms; analytics p95 ≤ 1 s.
//   npm run bench:rest   (BENCH_REST_CONTRACTS=10000 BENCH_REST_ACCOUNTS=10000 BENCH_REST_CONCURRENCY=16)
import { Pool } from 'pg';
import { benchOn, percentile, type BenchStack } from './stack';
import { parties, seedContracts, seedRelationships } from './seed';
import { watchMemory } from './memory-watch';

const CONTRACTS = Number(process.env.BENCH_REST_CONTRACTS ?? 10_000);
const ACCOUNTS = Number(process.env.BENCH_REST_ACCOUNTS ?? 10_000);
const CONCURRENCY = Number(process.env.BENCH_REST_CONCURRENCY ?? 16);
const SAMPLES = Number(process.env.BENCH_REST_SAMPLES ?? 100);
/** How many pages deep the deep-page reads are taken from. */
const DEPTH = Number(process.env.BENCH_REST_PAGE_DEPTH ?? 10);
const TARGETS = {
  readP95Ms: Number(process.env.BENCH_TARGET_READ_P95_MS ?? 200),
  analyticsP95Ms: Number(process.env.BENCH_TARGET_ANALYTICS_P95_MS ?? 1_000),
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Read {
  name: string;
  token: string;
  url: string;
  analytics?: boolean;
}

const databaseSize = async (db: Pool): Promise<number> =>
  Number((await db.query<{ size: string }>('SELECT pg_database_size(current_database()) AS size')).rows[0]!.size);

/** The URL of the page `DEPTH` pages into a paged list (or the last one there is). */
async function deepPage(stack: BenchStack, token: string, url: string): Promise<string> {
  let page = url;
  for (let i = 1; i < DEPTH; i++) {
    const answer = await stack.call('paging', token, 'GET', page);
    if (!answer.nextCursor) break;
    page = `${url}${url.includes('?') ? '&' : '?'}cursor=${encodeURIComponent(answer.nextCursor as string)}`;
  }
  return page;
}

benchOn(
  {},
  async (stack) => {
    const memory = watchMemory(stack.workers);
    const db = new Pool({ connectionString: stack.databaseUrl, max: 2 });
    const misses: string[] = [];
    try {
      const p = await parties(stack);
      const kamHead = await stack.person('kam_head', ['kam_head']);
      const sizeBefore = await databaseSize(db);
      console.log(
        `\nseeding ${CONTRACTS} contracts to sent and ${ACCOUNTS} relationships, ${CONCURRENCY} at a time, over ${stack.apiUrls.length} API(s)`,
      );
      const contracts = await seedContracts(stack, p, { count: CONTRACTS, concurrency: CONCURRENCY, until: 'sent', endDate: '2030-12-31' });
      const accounts = await seedRelationships(stack, p, { count: ACCOUNTS, concurrency: CONCURRENCY });
      console.log(
        `seeding: ${CONTRACTS} contracts in ${contracts.seconds.toFixed(0)} s (${((CONTRACTS / contracts.seconds) * 60).toFixed(0)}/min), ` +
          `${ACCOUNTS} relationships in ${accounts.seconds.toFixed(0)} s (${((ACCOUNTS / accounts.seconds) * 60).toFixed(0)}/min)`,
      );
      memory.mark('at rest');
      await db.query('VACUUM ANALYZE');
      const sizeAfter = await databaseSize(db);
      const processes = CONTRACTS + ACCOUNTS;
      // At rest: nothing happens for a while; the worker holds what it holds.
      await sleep(Number(process.env.BENCH_REST_IDLE_S ?? 20) * 1000);

      const relationshipClient = accounts.clientIds[0]!;
      const reads: Read[] = [
        { name: 'tasks (manager)', token: p.manager.token, url: '/api/tasks' },
        { name: 'tasks (ops)', token: p.ops.token, url: '/api/tasks' },
        { name: 'tasks (kam_head)', token: kamHead.token, url: '/api/tasks' },
        { name: 'processes', token: p.manager.token, url: '/api/processes' },
        { name: 'processes contract', token: p.manager.token, url: '/api/processes?type=contract' },
        { name: 'processes sent', token: p.manager.token, url: '/api/processes?type=contract&stage=sent' },
        { name: 'processes overdue', token: p.manager.token, url: '/api/processes?overdue=true' },
        { name: `processes p.${DEPTH}`, token: p.manager.token, url: await deepPage(stack, p.manager.token, '/api/processes') },
        { name: 'registry', token: p.manager.token, url: '/api/registry' },
        { name: 'registry sent', token: p.manager.token, url: '/api/registry?status=sent' },
        { name: `registry p.${DEPTH}`, token: p.manager.token, url: await deepPage(stack, p.manager.token, '/api/registry') },
        { name: 'timeline (contracts client)', token: p.manager.token, url: `/api/clients/${p.client.id}/timeline` },
        { name: 'timeline (a relationship)', token: p.manager.token, url: `/api/clients/${relationshipClient}/timeline` },
        { name: 'waits', token: kamHead.token, url: '/api/analytics/waits', analytics: true },
        { name: 'losses', token: kamHead.token, url: '/api/analytics/losses', analytics: true },
        { name: 'churn', token: kamHead.token, url: '/api/analytics/churn', analytics: true },
        { name: 'cooling', token: kamHead.token, url: '/api/analytics/cooling?days=30', analytics: true },
      ];
      const results: { read: Read; p50: number; p95: number; max: number }[] = [];
      for (const read of reads) {
        const ms: number[] = [];
        for (let i = 0; i < SAMPLES; i++) {
          const started = performance.now();
          await stack.call(read.name, read.token, 'GET', read.url);
          ms.push(performance.now() - started);
        }
        results.push({ read, p50: percentile(ms, 50), p95: percentile(ms, 95), max: Math.max(...ms) });
      }

      console.log(`\nat rest: ${CONTRACTS} contracts waiting for their original, ${ACCOUNTS} relationships`);
      console.log(
        `Postgres: ${(sizeBefore / 1048576).toFixed(0)} MB → ${(sizeAfter / 1048576).toFixed(0)} MB, ` +
          `${((sizeAfter - sizeBefore) / processes / 1024).toFixed(1)} kB per process`,
      );
      console.log(`\nread (${SAMPLES} each, one at a time)        p50 ms   p95 ms   max ms  target`);
      for (const { read, p50, p95, max } of results) {
        const target = read.analytics ? TARGETS.analyticsP95Ms : TARGETS.readP95Ms;
        console.log(
          `${read.name.padEnd(38)} ${p50.toFixed(0).padStart(6)} ${p95.toFixed(0).padStart(8)} ${max.toFixed(0).padStart(8)}  ${target}`,
        );
        if (p95 > target) misses.push(`${read.name} p95 ${p95.toFixed(0)} ms > ${target} ms`);
      }
      memory.report();
      return misses;
    } finally {
      memory.stop();
      await db.end();
    }
  },
  {
    workers: Number(process.env.BENCH_WORKERS ?? 1),
    apis: Number(process.env.BENCH_APIS ?? 2),
  },
).catch((err) => {
  console.error(err);
  process.exit(1);
});
