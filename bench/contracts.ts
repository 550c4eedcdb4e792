// Benchmark: N contracts taken concurrently from creation to `active` through the HTTP API, with
// the worker and the API in this process on a real Temporal dev server and a real Postgres.
// Reports step latencies, throughput and memory, and fails when a target is missed.
//   npm run bench                      (BENCH_CONTRACTS=40 BENCH_CONCURRENCY=8 by default)
import { benchOn } from './stack';

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
const SIGNATURE = 'signature (with PDF)';

benchOn({}, async (stack) => {
  const [ops, manager, lawyer, director] = await Promise.all([
    stack.person('ops', ['ops']),
    stack.person('manager', ['manager']),
    stack.person('lawyer', ['lawyer']),
    stack.person('director', ['director']),
  ]);
  const client = await stack.newClient(ops.token, 'ООО «Бенчмарк»');

  const seconds = await stack.run(CONTRACTS, CONCURRENCY, async () => {
    const created = await stack.call('create', ops.token, 'POST', '/api/contracts', {
      clientId: client.id,
      managerId: manager.id,
      terms: { subject: 'перевозка', amount: 1000, currency: 'RUB', startDate: '2026-01-01', endDate: '2030-12-31', paymentTermsDays: 30 },
      deviations: [],
    });
    const n = created.number as string;
    await stack.call(SIGNATURE, director.token, 'POST', `/api/contracts/${n}/signature`);
    await stack.call('dispatch', manager.token, 'POST', `/api/contracts/${n}/dispatch`, { channel: 'courier' });
    await stack.call('original', manager.token, 'POST', `/api/contracts/${n}/original`);
    await stack.call('client-record', lawyer.token, 'POST', `/api/contracts/${n}/client-record`);
  });
  const perMinute = (CONTRACTS / seconds) * 60;

  console.log(
    `\n${CONTRACTS} contracts to active, ${CONCURRENCY} at a time: ${seconds.toFixed(1)} s, ${perMinute.toFixed(0)} contracts/min`,
  );
  const misses = stack.report((step) =>
    step === 'staff' || step === 'client' ? undefined : step === SIGNATURE ? TARGETS.signatureP95Ms : TARGETS.stepP95Ms,
  );
  const rssMb = stack.peakRssMb();
  console.log(`peak RSS (worker + API + bench client): ${rssMb.toFixed(0)} MB`);
  if (perMinute < TARGETS.contractsPerMinute) misses.push(`${perMinute.toFixed(0)} contracts/min < ${TARGETS.contractsPerMinute}`);
  if (rssMb > TARGETS.rssMb) misses.push(`peak RSS ${rssMb.toFixed(0)} MB > ${TARGETS.rssMb} MB`);
  return misses;
}).catch((err) => {
  console.error(err);
  process.exit(1);
});
