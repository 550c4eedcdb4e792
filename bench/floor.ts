// Benchmark: the product's throughput against the Temporal floor, in one run on one server. (a) N
// contracts from creation to `active` over HTTP (create on the standard terms, signature, dispatch,
// original, client record), K at a time; (b) the same message pattern straight to Temporal: a
// trivial workflow (bench/floor/) started, then four updates, one no-op activity per step, on its
// own task queue with its own Worker in this process. Prints both in processes per minute and
// their ratio, then where the product's time goes: per step, the Postgres round trips of the API
// and of the worker's activities, the activities and workflow tasks in the histories, and the API's
// reads after the step. Fails when the ratio is under its target.
//   npm run bench:floor   (BENCH_CONTRACTS=40 BENCH_CONCURRENCY=8 BENCH_TRACE=5 BENCH_TARGET_FLOOR_RATIO=0.5)
//   BENCH_TEMPORAL_ADDRESS=host:port BENCH_WORKERS=1|2 for another Temporal and worker processes.
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { percentile, benchOn, type BenchStack } from './stack';
import { FLOOR_STEPS, floorRegisteredUpdate, floorStepUpdate, type floorWorkflow } from './floor/workflow';
import { startFloorWorker } from './floor/worker';
import { stepCosts } from './floor/history';
import { countQueries, installQueryCounter, type CountedQuery } from './query-counter';

installQueryCounter();

const CONTRACTS = Number(process.env.BENCH_CONTRACTS ?? 40);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
/** Contracts taken one at a time afterwards, for the table of where the time goes. */
const TRACE = Number(process.env.BENCH_TRACE ?? 5);
const WARM_UP = 4;
const TARGET_RATIO = Number(process.env.BENCH_TARGET_FLOOR_RATIO ?? 0.5);

interface ContractPath {
  /** The bench's name for the step, the update that takes it (none for the start), the call. */
  step: string;
  update?: string;
  take(n: string): Promise<Record<string, any>>;
}

async function people(stack: BenchStack) {
  const [ops, manager, lawyer, director] = await Promise.all([
    stack.person('ops', ['ops']),
    stack.person('manager', ['manager']),
    stack.person('lawyer', ['lawyer']),
    stack.person('director', ['director']),
  ]);
  const client = await stack.newClient(ops.token, 'ООО «Бенчмарк»');
  return { ops, manager, lawyer, director, client };
}

/** The minimum path of a contract, step by step, as bench/contracts.ts takes it. */
function contractPath(stack: BenchStack, p: Awaited<ReturnType<typeof people>>, prefix: string): ContractPath[] {
  const post = (step: string, token: string, url: string, body: unknown = {}) => stack.call(`${prefix}${step}`, token, 'POST', url, body);
  return [
    {
      step: 'create',
      take: () =>
        post('create', p.ops.token, '/api/contracts', {
          clientId: p.client.id,
          managerId: p.manager.id,
          terms: {
            subject: 'перевозка',
            amount: 1000,
            currency: 'RUB',
            startDate: '2026-01-01',
            endDate: '2030-12-31',
            paymentTermsDays: 30,
          },
          deviations: [],
        }),
    },
    { step: 'signature', update: 'sign', take: (n) => post('signature', p.director.token, `/api/contracts/${n}/signature`) },
    {
      step: 'dispatch',
      update: 'dispatch',
      take: (n) => post('dispatch', p.manager.token, `/api/contracts/${n}/dispatch`, { channel: 'courier' }),
    },
    { step: 'original', update: 'original', take: (n) => post('original', p.manager.token, `/api/contracts/${n}/original`) },
    {
      step: 'client record',
      update: 'clientRecord',
      take: (n) => post('client-record', p.lawyer.token, `/api/contracts/${n}/client-record`),
    },
  ];
}

async function throughOnePath(path: ContractPath[]): Promise<string> {
  const created = await path[0]!.take('');
  const n = created.number as string;
  for (const step of path.slice(1)) await step.take(n);
  return created.workflowId as string;
}

interface TracedStep {
  ms: number[];
  apiQueries: number[];
  workerQueries: number[];
  apiAfter: number[];
  statementsAfter: Map<string, number>;
  activities: number[];
  workflowTasks: number[];
  activityTypes: string;
}

const median = (values: number[]) => percentile(values, 50);

/** The API's queries after the last query of an activity: what it read back once the step was taken. */
function readsAfter(queries: CountedQuery[]): CountedQuery[] {
  let last = -1;
  queries.forEach((q, i) => {
    if (q.where !== 'api') last = i;
  });
  return last < 0 ? [] : queries.slice(last + 1).filter((q) => q.where === 'api');
}

async function traceWhereTimeGoes(path: ContractPath[], temporal: Client): Promise<Map<string, TracedStep>> {
  const traced = new Map<string, TracedStep>();
  const workflowIds: string[] = [];
  for (let i = 0; i < TRACE; i++) {
    let n = '';
    for (const step of path) {
      const started = performance.now();
      const { result, queries } = await countQueries(() => step.take(n));
      const ms = performance.now() - started;
      if (step.step === 'create') {
        n = result.number as string;
        workflowIds.push(result.workflowId as string);
      }
      const t: TracedStep = traced.get(step.step) ?? {
        ms: [],
        apiQueries: [],
        workerQueries: [],
        apiAfter: [],
        statementsAfter: new Map(),
        activities: [],
        workflowTasks: [],
        activityTypes: '',
      };
      traced.set(step.step, t);
      t.ms.push(ms);
      t.apiQueries.push(queries.filter((q) => q.where === 'api').length);
      t.workerQueries.push(queries.filter((q) => q.where !== 'api').length);
      if (i === 0 && process.env.BENCH_TRACE_SQL === '1') {
        console.log(`\n${step.step}:`);
        for (const q of queries) console.log(`  ${q.where.padEnd(34)} ${q.sql}`);
      }
      const after = readsAfter(queries);
      t.apiAfter.push(after.length);
      for (const q of after) t.statementsAfter.set(q.sql, (t.statementsAfter.get(q.sql) ?? 0) + 1);
    }
  }
  for (const workflowId of workflowIds) {
    const costs = await stepCosts(temporal, workflowId, ['registration']);
    for (const step of path) {
      const cost = costs.get(step.update ?? 'start');
      const t = traced.get(step.step)!;
      t.activities.push(cost?.activities ?? 0);
      t.workflowTasks.push(cost?.workflowTasks ?? 0);
      t.activityTypes = cost?.activityTypes.join(' + ') ?? '';
    }
  }
  return traced;
}

function printTable(traced: Map<string, TracedStep>, inProcessWorker: boolean): void {
  console.log(`\nwhere the time goes (medians over ${TRACE} contracts taken one at a time):`);
  console.log('step            ms    SQL API  SQL worker  API reads after  activities  workflow tasks  activity types');
  const total = { ms: 0, api: 0, worker: 0, after: 0, activities: 0, tasks: 0 };
  for (const [step, t] of traced) {
    const row = {
      ms: median(t.ms),
      api: median(t.apiQueries),
      worker: median(t.workerQueries),
      after: median(t.apiAfter),
      activities: median(t.activities),
      tasks: median(t.workflowTasks),
    };
    for (const k of Object.keys(total) as (keyof typeof total)[]) total[k] += row[k];
    console.log(
      `${step.padEnd(14)} ${row.ms.toFixed(0).padStart(4)} ${String(row.api).padStart(9)} ${(inProcessWorker ? String(row.worker) : 'n/a').padStart(11)}` +
        ` ${String(row.after).padStart(16)} ${String(row.activities).padStart(11)} ${String(row.tasks).padStart(15)}  ${t.activityTypes}`,
    );
  }
  console.log(
    `${'contract'.padEnd(14)} ${total.ms.toFixed(0).padStart(4)} ${String(total.api).padStart(9)} ${(inProcessWorker ? String(total.worker) : 'n/a').padStart(11)}` +
      ` ${String(total.after).padStart(16)} ${String(total.activities).padStart(11)} ${String(total.tasks).padStart(15)}`,
  );
  console.log('\nthe API reads after a step (statement: count per step):');
  for (const [step, t] of traced) {
    for (const [sql, count] of t.statementsAfter) console.log(`  ${step.padEnd(14)} ${(count / TRACE).toFixed(1)} × ${sql}`);
  }
}

benchOn({}, async (stack) => {
  const p = await people(stack);
  const product = contractPath(stack, p, '');
  const warmUp = contractPath(stack, p, 'warm-up ');

  // (a) the product over HTTP.
  await stack.run(WARM_UP, WARM_UP, async () => void (await throughOnePath(warmUp)));
  const productSeconds = await stack.run(CONTRACTS, CONCURRENCY, async () => void (await throughOnePath(product)));
  const productPerMinute = (CONTRACTS / productSeconds) * 60;

  // (b) the floor: the same pattern straight to Temporal, on the same server.
  const { namespace } = stack.config.temporal;
  const floorQueue = `bench-floor-${randomUUID().slice(0, 8)}`;
  const floorWorker = await startFloorWorker(stack.temporalAddress, namespace, floorQueue);
  const connection = await Connection.connect({ address: stack.temporalAddress });
  const temporal = new Client({ connection, namespace });
  let floorSeconds: number;
  try {
    const floorOnce = async (prefix: string) => {
      let started = performance.now();
      const handle = await temporal.workflow.start<typeof floorWorkflow>('floorWorkflow', {
        workflowId: `floor-${randomUUID()}`,
        taskQueue: floorQueue,
      });
      await handle.executeUpdate(floorRegisteredUpdate);
      stack.time(`${prefix}floor start`, performance.now() - started);
      for (let i = 0; i < FLOOR_STEPS; i++) {
        started = performance.now();
        await handle.executeUpdate(floorStepUpdate, { args: [`step ${i + 1}`] });
        stack.time(`${prefix}floor update`, performance.now() - started);
      }
      await handle.result();
    };
    await stack.run(WARM_UP, WARM_UP, () => floorOnce('warm-up '));
    floorSeconds = await stack.run(CONTRACTS, CONCURRENCY, () => floorOnce(''));
  } finally {
    await floorWorker.stop();
  }
  const floorPerMinute = (CONTRACTS / floorSeconds) * 60;
  const ratio = productPerMinute / floorPerMinute;

  // Where the product's time goes, one contract at a time.
  const traced = await traceWhereTimeGoes(contractPath(stack, p, 'traced '), temporal);
  await connection.close();

  console.log(`\n${CONTRACTS} processes each, ${CONCURRENCY} at a time, on ${stack.temporalAddress}:`);
  console.log(`  product (HTTP, create → active): ${productSeconds.toFixed(1)} s, ${productPerMinute.toFixed(0)} processes/min`);
  console.log(
    `  floor (start + ${FLOOR_STEPS} updates, a no-op activity each): ${floorSeconds.toFixed(1)} s, ${floorPerMinute.toFixed(0)} processes/min`,
  );
  console.log(`  ratio product/floor: ${ratio.toFixed(2)} (target ≥ ${TARGET_RATIO})`);
  const misses = stack.report((step) =>
    step.startsWith('warm-up') || step.startsWith('traced') || step === 'staff' || step === 'client' ? undefined : Infinity,
  );
  printTable(traced, stack.workerDb !== undefined);
  const rss = stack.workers.length
    ? stack.workers.map((w) => `${w.memoryMb().peak.toFixed(0)} MB`).join(', ') + ' (worker processes) + '
    : '';
  console.log(`peak RSS: ${rss}${stack.peakRssMb().toFixed(0)} MB (this process)`);
  if (ratio < TARGET_RATIO) misses.push(`product/floor ${ratio.toFixed(2)} < ${TARGET_RATIO}`);
  return misses;
}).catch((err) => {
  console.error(err);
  process.exit(1);
});
