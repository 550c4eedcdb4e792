// Benchmark: N contracts taken concurrently from creation to `active` through the HTTP API, with
// the worker and the API in this process on a real Temporal dev server and a real Postgres.
// Reports step latencies, throughput and memory, and fails when a target is missed.
//   npm run bench                      (BENCH_CONTRACTS=40 BENCH_CONCURRENCY=8 by default)
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startApi } from '../api/main';
import { loadConfig } from '../config/env';
import { migrate } from '../db/migrate';
import { createPool } from '../db/pool';
import { createDatabase, startEmbeddedPostgres } from '../scripts/embedded-postgres';
import { ensureTemporalCli, startTemporalDevServer } from '../scripts/temporal-cli';
import { installWorkerLogging, startContractWorker } from '../worker/create-worker';

const CONTRACTS = Number(process.env.BENCH_CONTRACTS ?? 40);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
// On the 2-core reference machine, with server, Postgres, worker, API and client all on it.
const TARGETS = {
  stepP95Ms: Number(process.env.BENCH_TARGET_STEP_P95_MS ?? 1_000),
  /** Signing renders the two-copy PDF inside the step. */
  signatureP95Ms: Number(process.env.BENCH_TARGET_SIGNATURE_P95_MS ?? 2_000),
  contractsPerMinute: Number(process.env.BENCH_TARGET_PER_MINUTE ?? 60),
  rssMb: Number(process.env.BENCH_TARGET_RSS_MB ?? 700),
};
const ADMIN = 'bench-admin-token-0123456789';
const SIGNATURE = 'signature (with PDF)';

const latencies = new Map<string, number[]>();
let peakRss = 0;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

async function main(): Promise<void> {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'contract-bench-'));
  const temporal = await startTemporalDevServer({ cli: await ensureTemporalCli(console.log), headless: true });
  const postgres = await startEmbeddedPostgres({ dataDir: path.join(scratch, 'pg'), persistent: false });
  const databaseUrl = await createDatabase(postgres.url, 'bench');
  await migrate(databaseUrl);
  const config = loadConfig({ DATABASE_URL: databaseUrl, TEMPORAL_ADDRESS: temporal.address, ADMIN_TOKEN: ADMIN, PORT: '0' });
  installWorkerLogging('warn');
  const db = createPool(databaseUrl);
  const worker = await startContractWorker(config, db);
  const api = await startApi(config);
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);

  const call = async (step: string, token: string, method: string, url: string, body: unknown = {}) => {
    const started = performance.now();
    const res = await fetch(`${api.url}${url}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = (await res.json()) as Record<string, any>;
    if (!res.ok) throw new Error(`${step}: ${res.status} ${JSON.stringify(json)}`);
    const list = latencies.get(step) ?? [];
    list.push(performance.now() - started);
    latencies.set(step, list);
    return json;
  };
  const person = async (name: string, roles: string[]) =>
    call('staff', ADMIN, 'POST', '/api/staff', { name, email: `${name}@bench.test`, roles }) as Promise<{ id: string; token: string }>;

  try {
    const [ops, manager, lawyer, director] = await Promise.all([
      person('ops', ['ops']),
      person('manager', ['manager']),
      person('lawyer', ['lawyer']),
      person('director', ['director']),
    ]);
    const client = await call('client', ops.token, 'POST', '/api/clients', {
      requisites: {
        legalName: 'ООО «Бенчмарк»', inn: '7707083893', kpp: '773601001', address: 'Москва', bankName: 'Банк',
        bik: '044525225', account: '40702810938000012345', correspondentAccount: '30101810400000000225',
      },
      contacts: [{ name: 'Иван', phone: '+7 495 000-00-00', decisionRole: 'leader' }],
    });

    const oneContract = async () => {
      const created = await call('create', ops.token, 'POST', '/api/contracts', {
        clientId: client.id,
        managerId: manager.id,
        terms: { subject: 'перевозка', amount: 1000, currency: 'RUB', startDate: '2026-01-01', endDate: '2030-12-31', paymentTermsDays: 30 },
        deviations: [],
      });
      const n = created.number as string;
      await call(SIGNATURE, director.token, 'POST', `/api/contracts/${n}/signature`);
      await call('dispatch', manager.token, 'POST', `/api/contracts/${n}/dispatch`, { channel: 'courier' });
      await call('original', manager.token, 'POST', `/api/contracts/${n}/original`);
      await call('client-record', lawyer.token, 'POST', `/api/contracts/${n}/client-record`);
    };

    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < CONTRACTS) {
          next++;
          await oneContract();
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const perMinute = (CONTRACTS / seconds) * 60;

    console.log(`\n${CONTRACTS} contracts to active, ${CONCURRENCY} at a time: ${seconds.toFixed(1)} s, ${perMinute.toFixed(0)} contracts/min`);
    console.log('step                     p50 ms   p95 ms   max ms');
    const misses: string[] = [];
    for (const [step, values] of latencies) {
      if (step === 'staff' || step === 'client') continue;
      const p95 = percentile(values, 95);
      const target = step === SIGNATURE ? TARGETS.signatureP95Ms : TARGETS.stepP95Ms;
      if (p95 > target) misses.push(`${step} p95 ${p95.toFixed(0)} ms > ${target} ms`);
      console.log(`${step.padEnd(24)} ${percentile(values, 50).toFixed(0).padStart(6)} ${p95.toFixed(0).padStart(8)} ${Math.max(...values).toFixed(0).padStart(8)}`);
    }
    const rssMb = peakRss / 1024 / 1024;
    console.log(`peak RSS (worker + API + bench client): ${rssMb.toFixed(0)} MB`);

    if (perMinute < TARGETS.contractsPerMinute) misses.push(`${perMinute.toFixed(0)} contracts/min < ${TARGETS.contractsPerMinute}`);
    if (rssMb > TARGETS.rssMb) misses.push(`peak RSS ${rssMb.toFixed(0)} MB > ${TARGETS.rssMb} MB`);
    console.log(misses.length ? `\nTARGETS MISSED: ${misses.join('; ')}` : '\nall targets met');
    process.exitCode = misses.length ? 1 : 0;
  } finally {
    clearInterval(sampler);
    await api.close();
    await worker.stop();
    await db.end();
    await postgres.stop();
    await temporal.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
