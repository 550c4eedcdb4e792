// The fault suite, run on the dev server and on the real server on Postgres: waves of contracts,
// onboardings and relationships in flight while one part of the topology is killed or paused, then
// brought back. Every time: each API answers within its deadline with a clean 503 at worst (never
// a 500, never a hang), nothing is lost (every process reaches its end) and nothing is doubled (each
// client's processes wrote exactly what the control wave's did: the same steps, tasks,
// notifications and documents, one registry row and one number per contract).
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALL_TIMEOUT_MS, startFaultStack, type FaultStack, type TemporalKind } from './fault-stack';
import { Driver, HANG_MS, type Answer, type Team } from './load';

/** The Postgres pool's query timeout (db/pool.ts): the longest an API waits on a frozen Postgres. */
const POSTGRES_QUERY_TIMEOUT_MS = 20_000;
/** An answer later than its deadline by more than this is a failure. */
const SLACK_MS = 3_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const p95 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.max(0, Math.ceil(values.length * 0.95) - 1)] ?? 0;

interface Fault {
  name: string;
  /** Runs once the wave's processes are in flight; returns once the fault is over. */
  inject(stack: FaultStack, driver: Driver): Promise<string | void>;
  /** The longest any answer may take under it. */
  deadlineMs: number;
  /** Whether requests may get no HTTP answer at all (their API was killed). */
  cutsConnections?: boolean;
}

const FAULTS: Fault[] = [
  { name: 'control (no fault)', inject: async () => undefined, deadlineMs: CALL_TIMEOUT_MS + SLACK_MS },
  {
    name: 'Temporal kill -9, started again after 3 s',
    async inject(stack) {
      await stack.temporal.kill();
      await sleep(3_000);
      const started = Date.now();
      await stack.temporal.start();
      return `back in ${((Date.now() - started) / 1000).toFixed(1)} s`;
    },
    deadlineMs: CALL_TIMEOUT_MS + SLACK_MS,
  },
  {
    name: 'Postgres kill -9, started again after 3 s',
    async inject(stack) {
      await stack.postgres.kill();
      await sleep(3_000);
      const started = Date.now();
      await stack.postgres.start();
      return `back in ${((Date.now() - started) / 1000).toFixed(1)} s`;
    },
    deadlineMs: CALL_TIMEOUT_MS + SLACK_MS,
  },
  {
    name: 'one of two workers kill -9 (the other carries on)',
    async inject(stack) {
      await stack.topology.workers[0]!.kill('SIGKILL');
      await sleep(10_000);
      await stack.topology.workers[0]!.restart();
    },
    deadlineMs: CALL_TIMEOUT_MS + SLACK_MS,
  },
  {
    name: 'an API kill -9 mid-request, started again after 3 s',
    async inject(stack, driver) {
      const api = stack.topology.apis[0]!;
      // Killed while it holds requests, so some are cut for real.
      const waited = Date.now();
      while ((driver.inFlight.get(api.url!) ?? 0) === 0 && Date.now() - waited < 10_000) await sleep(5);
      const cut = driver.inFlight.get(api.url!) ?? 0;
      await api.kill('SIGKILL');
      await sleep(3_000);
      await api.restart();
      return `${cut} request(s) in flight when killed`;
    },
    deadlineMs: CALL_TIMEOUT_MS + SLACK_MS,
    cutsConnections: true,
  },
  {
    name: 'Postgres paused (SIGSTOP) for 25 s, past every deadline',
    async inject(stack) {
      stack.postgres.pause();
      await sleep(25_000);
      stack.postgres.resume();
    },
    deadlineMs: POSTGRES_QUERY_TIMEOUT_MS + SLACK_MS,
  },
];

/** What a client's processes wrote, as a comparable value: per process, its steps, tasks, notifications and documents. */
async function shapeOfClient(db: Client, clientId: string): Promise<string[]> {
  // Each list sorted by its own text: the order things happened in may differ, what was written may
  // not. A task's ref names its complaint or promise by id: the kind is what compares.
  const list = (expression: string, table: string) =>
    `coalesce((SELECT string_agg(x, ',' ORDER BY x) FROM (SELECT ${expression} AS x FROM ${table} WHERE workflow_id = p.workflow_id) s), '')`;
  const { rows } = await db.query<{ shape: string }>(
    `SELECT p.type || CASE WHEN p.parent_workflow_id IS NULL THEN '' ELSE ' (child)' END || ' ' || p.stage
            || ' | steps ' || ${list(`step || ':' || coalesce(status_from, '-') || '>' || status_to`, 'timeline_events')}
            || ' | tasks ' || ${list(`regexp_replace(ref, ':[0-9a-f-]{36}$', '') || ':' || CASE WHEN closed_at IS NULL THEN 'open' ELSE 'closed' END`, 'tasks')}
            || ' | notifications ' || ${list(`kind || ':' || coalesce(recipient_role, 'person')`, 'notifications')}
            || ' | documents ' || ${list('kind', 'documents')} AS shape
       FROM processes p WHERE p.client_id = $1`,
    [clientId],
  );
  return rows.map((row) => row.shape).sort();
}

interface Wave {
  fault: Fault;
  clients: { contract: string[]; onboarding: string; relationship: string[] };
  note?: string;
  /** Of the wave's five processes, those not yet at their end when the fault began. */
  inFlight: number;
  seconds: number;
}

const summarize = (answers: Answer[]) => {
  const ms = answers.map((a) => a.ms);
  const count = (f: (a: Answer) => boolean) => answers.filter(f).length;
  return {
    answers: answers.length,
    '2xx': count((a) => a.status >= 200 && a.status < 300),
    '503': count((a) => a.status === 503),
    cut: count((a) => a.status === 0),
    other: count((a) => a.status >= 300 && a.status !== 503),
    p95ms: Math.round(p95(ms)),
    maxMs: Math.round(Math.max(0, ...ms)),
  };
};

export function faultSuite(kind: TemporalKind): void {
  describe(`faults on the ${kind}: kill -9 and SIGSTOP under contracts, onboardings and relationships in flight`, () => {
    let stack: FaultStack;
    let driver: Driver;
    let team: Team;
    const waves: Wave[] = [];

    beforeAll(async () => {
      stack = await startFaultStack(kind);
      driver = new Driver(stack.topology);
      team = await driver.team();
    }, 300_000);
    afterAll(async () => {
      await stack?.stop();
    }, 120_000);

    it('every fault: clean 503s within the deadline, nothing lost, nothing doubled', async () => {
      for (const [i, fault] of FAULTS.entries()) {
        driver.phase = fault.name;
        const started = Date.now();
        let finished = 0;
        const clients = { contract: [] as string[], onboarding: '', relationship: [] as string[] };
        // Each process's client is registered under the fault too (one key, retried like a step).
        const scenarios = [
          driver.client(team, `ООО «Договор ${i}-1»`).then((id) => (clients.contract.push(id), driver.contract(team, id))),
          driver.client(team, `ООО «Договор ${i}-2»`).then((id) => (clients.contract.push(id), driver.contract(team, id))),
          driver.client(team, `ООО «Онбординг ${i}»`).then((id) => ((clients.onboarding = id), driver.onboarding(team, id))),
          driver.client(team, `ООО «Отношения ${i}-1»`).then((id) => (clients.relationship.push(id), driver.relationship(team, id))),
          driver.client(team, `ООО «Отношения ${i}-2»`).then((id) => (clients.relationship.push(id), driver.relationship(team, id))),
        ].map((scenario) => scenario.finally(() => finished++));
        const work = Promise.allSettled(scenarios);
        await sleep(500);
        // The fault must meet processes in the middle of their steps, or the wave proves nothing.
        const inFlight = scenarios.length - finished;
        expect(inFlight, `processes in flight when "${fault.name}" began`).toBeGreaterThanOrEqual(3);
        const note = (await fault.inject(stack, driver)) ?? undefined;
        const results = await work;
        const failed = results.flatMap((r) => (r.status === 'rejected' ? [String((r.reason as Error).message)] : []));
        // What the APIs said about it: their error lines, for the reason behind an answer.
        if (failed.length) {
          for (const api of stack.topology.apis) {
            const lines = api
              .output()
              .split('\n')
              .filter((line) => /"level":"(error|warn)"/.test(line));
            console.log(`${api.name}:\n${lines.slice(-15).join('\n')}`);
          }
        }
        expect(failed, `processes that did not reach their end under "${fault.name}"`).toEqual([]);
        waves.push({ fault, clients, note, inFlight, seconds: (Date.now() - started) / 1000 });
      }

      // Answers: a clean 503 at worst, with Retry-After; within the deadline; no hang; no connection
      // cut but by the API that was killed.
      const problems: string[] = [];
      for (const a of driver.answers) {
        const fault = FAULTS.find((f) => f.name === a.phase);
        const where = `${a.phase}: ${a.method} ${a.path} → ${a.status} in ${Math.round(a.ms)} ms`;
        if (a.status >= 500 && a.status !== 503) problems.push(`${where} ${JSON.stringify(a.body)}`);
        if (a.status === 503 && !/^\d+$/.test(a.retryAfter ?? '')) problems.push(`${where} without Retry-After`);
        if (a.status === 0 && a.error === 'TimeoutError') problems.push(`${where}: hung for ${HANG_MS / 1000} s`);
        else if (a.status === 0 && !fault?.cutsConnections) problems.push(`${where}: no answer (${a.error})`);
        if (a.status !== 0 && a.ms > (fault?.deadlineMs ?? CALL_TIMEOUT_MS + SLACK_MS)) problems.push(`${where}: past its deadline`);
      }

      // Nothing lost, nothing doubled: each wave's clients hold what the control wave's hold.
      // Nothing lost, nothing doubled: each wave's clients hold what the control wave's hold. What a
      // process does after its last answered step (an onboarding opening its client's relationship)
      // may still be retrying after the last fault, so this looks again until it holds or 2 minutes pass.
      const db = new Client({ connectionString: stack.databaseUrl });
      await db.connect();
      let differences: string[] = [];
      try {
        const control = waves[0]!;
        const expected = {
          contract: await shapeOfClient(db, control.clients.contract[0]!),
          onboarding: await shapeOfClient(db, control.clients.onboarding),
          relationship: await shapeOfClient(db, control.clients.relationship[0]!),
        };
        expect(expected.contract.join('\n')).toMatch(/^contract active/);
        expect(expected.onboarding.join('\n')).toMatch(/onboarding completed/);
        expect(expected.relationship.join('\n')).toMatch(/^account /);
        const settledBy = Date.now() + 120_000;
        for (;;) {
          differences = [];
          const compare = async (what: string, clientId: string, shape: string[]) => {
            const actual = await shapeOfClient(db, clientId);
            if (JSON.stringify(actual) !== JSON.stringify(shape))
              differences.push(`${what}:\n  ${actual.join('\n  ')}\nexpected\n  ${shape.join('\n  ')}`);
          };
          for (const wave of waves) {
            for (const id of wave.clients.contract) await compare(`${wave.fault.name}: a contract's client`, id, expected.contract);
            await compare(`${wave.fault.name}: the onboarding's client`, wave.clients.onboarding, expected.onboarding);
            for (const id of wave.clients.relationship)
              await compare(`${wave.fault.name}: a relationship's client`, id, expected.relationship);
          }
          const { rows } = await db.query<{
            rows: string;
            numbers: string;
            workflows: string;
            contracts: string;
            clients: string;
            open: string;
          }>(
            `SELECT (SELECT count(*) FROM contract_registry) AS rows, (SELECT count(DISTINCT number) FROM contract_registry) AS numbers,
                    (SELECT count(DISTINCT workflow_id) FROM contract_registry) AS workflows,
                    (SELECT count(*) FROM processes WHERE type = 'contract') AS contracts,
                    (SELECT count(*) FROM clients) AS clients,
                    (SELECT count(*) FROM complaints WHERE resolved_at IS NULL) AS open`,
          );
          const r = rows[0]!;
          if (!(r.rows === r.contracts && r.numbers === r.contracts && r.workflows === r.contracts))
            differences.push(`registry: ${r.rows} rows, ${r.numbers} numbers, ${r.workflows} workflows for ${r.contracts} contracts`);
          if (Number(r.clients) !== 5 * waves.length)
            differences.push(`${r.clients} clients registered, not ${5 * waves.length} (five a wave, once each)`);
          if (Number(r.open) !== 0) differences.push(`${r.open} complaints left open`);
          if (differences.length === 0 || Date.now() > settledBy) break;
          await sleep(2_000);
        }
      } finally {
        await db.end();
      }

      // The figures, for the README.
      console.log(`\nFaults on the ${kind} (2 workers, 2 APIs; Temporal call deadline ${CALL_TIMEOUT_MS} ms):`);
      console.table(
        waves.map((wave) => ({
          fault: wave.fault.name,
          'in flight': `${wave.inFlight}/5`,
          seconds: Number(wave.seconds.toFixed(1)),
          ...summarize(driver.answers.filter((a) => a.phase === wave.fault.name)),
          note: wave.note ?? '',
        })),
      );
      expect(differences, 'what a faulted wave wrote unlike the control wave').toEqual([]);
      expect(problems).toEqual([]);
    }, 1_500_000);
  });
}
