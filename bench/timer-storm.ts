// Benchmark: a timer storm. N contracts in force whose renewal notice falls at one moment and
// whose expiry falls at the next, and M relationships whose periodic review falls due together
// (the durations shortened through the configuration every contract and relationship copies
// when it starts). Seeds them honestly through the API (real contracts to `active`, real
// relationships opened by a first complaint), prints how long that took, then measures how long
// until every one has its renewal task, its review task and its expiry recorded in Postgres, and
// the worker's resident memory (a worker OS process of its own) while it holds them.
// Targets: each wave drained within 5 minutes of its moment; worker RSS ≤ 1 GB.
//   npm run bench:storm   (BENCH_STORM_CONTRACTS=5000 BENCH_STORM_ACCOUNTS=5000 BENCH_STORM_CONCURRENCY=16
//                          BENCH_STORM_LEAD=<seconds from start to the notices> BENCH_STORM_NOTICE=60)
import { Pool } from 'pg';
import { benchOn } from './stack';
import { parties, seedContracts, seedRelationships } from './seed';
import { watchMemory } from './memory-watch';

const CONTRACTS = Number(process.env.BENCH_STORM_CONTRACTS ?? 5_000);
const ACCOUNTS = Number(process.env.BENCH_STORM_ACCOUNTS ?? 5_000);
const CONCURRENCY = Number(process.env.BENCH_STORM_CONCURRENCY ?? 16);
/** Seconds from now to the renewal notices: the seeding must be done by then (on the 2-core machine, ~0.5 s a contract to active, ~0.1 s a relationship). */
const LEAD_S = Number(process.env.BENCH_STORM_LEAD ?? Math.ceil(90 + CONTRACTS * 0.55 + ACCOUNTS * 0.15));
/** Seconds from the notices to the expiries. */
const NOTICE_S = Number(process.env.BENCH_STORM_NOTICE ?? 60);
const TARGETS = {
  drainS: Number(process.env.BENCH_TARGET_STORM_DRAIN_S ?? 300),
  workerRssMb: Number(process.env.BENCH_TARGET_WORKER_RSS_MB ?? 1_024),
};
/** Past this after the expiries, the bench stops waiting and reports what was left. */
const GIVE_UP_AFTER_S = Number(process.env.BENCH_STORM_GIVE_UP ?? 900);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const planned = Date.now();
const noticeAt = planned + LEAD_S * 1000;
const expiryAt = noticeAt + NOTICE_S * 1000;
// Every contract ends today: expiry is 00:00 UTC of today plus CONTRACT_EXPIRY_AFTER_END_DATE.
const endDate = new Date(planned).toISOString().slice(0, 10);
const env = {
  SLA_RENEWAL_NOTICE: `${NOTICE_S}s`,
  CONTRACT_EXPIRY_AFTER_END_DATE: `${expiryAt - Date.parse(endDate)}ms`,
  // Relationships are opened first, from about now: each one's review falls due LEAD_S after it opened.
  ...Object.fromEntries(['KEY', 'GOLD', 'REGULAR', 'LOW'].map((s) => [`ACCOUNT_REVIEW_EVERY_${s}`, `${LEAD_S}s`])),
};

interface Wave {
  name: string;
  total: number;
  sql: string;
  /** When the last of the wave was due. */
  dueAt: () => number;
  doneAt?: number;
  count: number;
}

const clock = (ms: number) => new Date(ms).toISOString().slice(11, 19);

benchOn(
  env,
  async (stack) => {
    const memory = watchMemory(stack.workers);
    const db = new Pool({ connectionString: stack.databaseUrl, max: 2 });
    const misses: string[] = [];
    try {
      const p = await parties(stack);
      console.log(
        `\nseeding ${ACCOUNTS} relationships and ${CONTRACTS} contracts, ${CONCURRENCY} at a time, over ${stack.apiUrls.length} API(s)`,
      );
      console.log(`notices due at ${clock(noticeAt)}, expiries at ${clock(expiryAt)} (UTC)`);
      const accounts = await seedRelationships(stack, p, { count: ACCOUNTS, concurrency: CONCURRENCY });
      const lastReviewDueAt = Date.now() + LEAD_S * 1000;
      const contracts = await seedContracts(stack, p, { count: CONTRACTS, concurrency: CONCURRENCY, until: 'active', endDate });
      const seededAt = Date.now();
      console.log(
        `seeding: ${ACCOUNTS} relationships in ${accounts.seconds.toFixed(0)} s (${((ACCOUNTS / accounts.seconds) * 60).toFixed(0)}/min), ` +
          `${CONTRACTS} contracts to active in ${contracts.seconds.toFixed(0)} s (${((CONTRACTS / contracts.seconds) * 60).toFixed(0)}/min)`,
      );
      if (seededAt > noticeAt) {
        misses.push(`seeding ended ${((seededAt - noticeAt) / 1000).toFixed(0)} s after the notices were due: raise BENCH_STORM_LEAD`);
        return misses;
      }
      memory.mark('seeded, at rest');
      console.log(`waiting ${((noticeAt - seededAt) / 1000).toFixed(0)} s for the storm`);
      await sleep(noticeAt - Date.now() - 2_000);
      memory.mark('storm');

      const waves: Wave[] = [
        {
          // A contract whose expiry fires before its notice expires without one, as it should: done with this wave.
          name: 'renewal tasks',
          total: CONTRACTS,
          sql: `SELECT count(*)::int AS n FROM contract_registry r
                WHERE r.status = 'expired' OR EXISTS (SELECT 1 FROM tasks t WHERE t.contract_number = r.number AND t.kind = 'renewal')`,
          dueAt: () => noticeAt,
          count: 0,
        },
        {
          name: 'review tasks',
          total: ACCOUNTS,
          sql: `SELECT count(*)::int AS n FROM tasks WHERE kind = 'account_review'`,
          dueAt: () => lastReviewDueAt,
          count: 0,
        },
        {
          name: 'expiries',
          total: CONTRACTS,
          sql: `SELECT count(*)::int AS n FROM contract_registry WHERE status = 'expired'`,
          dueAt: () => expiryAt,
          count: 0,
        },
      ];
      const giveUpAt = Math.max(expiryAt, lastReviewDueAt) + GIVE_UP_AFTER_S * 1000;
      let lastPrint = 0;
      while (waves.some((w) => w.doneAt === undefined) && Date.now() < giveUpAt) {
        for (const wave of waves.filter((w) => w.doneAt === undefined)) {
          wave.count = (await db.query<{ n: number }>(wave.sql)).rows[0]!.n;
          if (wave.count >= wave.total) wave.doneAt = Date.now();
        }
        if (Date.now() - lastPrint > 15_000) {
          lastPrint = Date.now();
          console.log(`  ${clock(Date.now())} ${waves.map((w) => `${w.name} ${w.count}/${w.total}`).join(', ')}`);
        }
        await sleep(1_000);
      }
      console.log(`\nthe storm (${CONTRACTS} contracts, ${ACCOUNTS} relationships):`);
      for (const wave of waves) {
        const drained = wave.doneAt === undefined ? undefined : (wave.doneAt - wave.dueAt()) / 1000;
        console.log(
          `  ${wave.name.padEnd(14)} ${wave.count}/${wave.total}` +
            (drained === undefined ? ' NOT DRAINED' : `, the last ${drained.toFixed(0)} s after the last was due`),
        );
        if (drained === undefined || drained > TARGETS.drainS) {
          misses.push(
            `${wave.name}: ${drained === undefined ? `${wave.count}/${wave.total}` : `${drained.toFixed(0)} s`} > ${TARGETS.drainS} s`,
          );
        }
      }
      const noticed = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM tasks WHERE kind = 'renewal'`)).rows[0]!.n;
      console.log(`  ${noticed} of ${CONTRACTS} contracts had their renewal task before their expiry fired; the others expired first`);
      console.log(
        `  reviews fell due over ${accounts.seconds.toFixed(0)} s (as the relationships were opened), the last at ${clock(lastReviewDueAt)}`,
      );
      const peak = memory.report();
      if (peak.storm > TARGETS.workerRssMb) misses.push(`worker RSS in the storm ${peak.storm.toFixed(0)} MB > ${TARGETS.workerRssMb} MB`);
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
