// Benchmark: N client relationships driven concurrently through the churn path over HTTP (the
// first complaint starting each, recurring complaints, a commitment, a review, an ultimatum, the
// recovery, the complaints resolved, a quarter of them lost), then the analytics read over them.
// Reports step latencies, throughput and memory, and fails when a target is missed.
//   npm run bench:accounts             (BENCH_CLIENTS=40 BENCH_CONCURRENCY=8 by default)
import { benchOn } from './stack';

const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 40);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
// On the 2-core reference machine, with server, Postgres, worker, API and client all on it.
const TARGETS = {
  stepP95Ms: Number(process.env.BENCH_TARGET_STEP_P95_MS ?? 1_000),
  /** The first complaint starts the relationship in the same call (update-with-start). */
  firstComplaintP95Ms: Number(process.env.BENCH_TARGET_FIRST_P95_MS ?? 1_500),
  analyticsP95Ms: Number(process.env.BENCH_TARGET_ANALYTICS_P95_MS ?? 500),
  stepsPerMinute: Number(process.env.BENCH_TARGET_STEPS_PER_MINUTE ?? 1_200),
  rssMb: Number(process.env.BENCH_TARGET_RSS_MB ?? 700),
};
const FIRST = 'first complaint (start)';
const ANALYTICS = ['losses', 'churn', 'cooling'];

benchOn({}, async (stack) => {
  const [ops, manager, kamHead, director] = await Promise.all([
    stack.person('ops', ['ops']),
    stack.person('manager', ['manager']),
    stack.person('kam_head', ['kam_head']),
    stack.person('director', ['director']),
  ]);
  const clients: { id: string }[] = [];
  for (let i = 0; i < CLIENTS; i++) clients.push(await stack.newClient(ops.token, `ООО «Клиент ${i + 1}»`));

  let steps = 0;
  const step = async (name: string, token: string, url: string, body: unknown) => {
    steps++;
    return stack.call(name, token, 'POST', url, body);
  };
  const complaint = (severity: string) => ({ summary: 'Опоздание машины', category: 'delivery', severity, reportedBy: 'Логист клиента' });

  const seconds = await stack.run(CLIENTS, CONCURRENCY, async (i) => {
    const c = `/api/clients/${clients[i]!.id}`;
    const complaints = [(await step(FIRST, ops.token, `${c}/complaints`, complaint('medium'))).id as string];
    complaints.push((await step('complaint', ops.token, `${c}/complaints`, complaint('low'))).id);
    complaints.push((await step('complaint', ops.token, `${c}/complaints`, complaint('high'))).id);
    const promise = await step('commitment', manager.token, `${c}/commitments`, {
      what: 'Резерв машин',
      dueDate: '2099-01-01',
      ownerId: manager.id,
    });
    await step('review', manager.token, `${c}/reviews`, { satisfaction: 6, businessChanges: 'Новый склад', note: 'Недовольны сроками' });
    await step('escalation', kamHead.token, `${c}/escalation`, { stage: 'ultimatum', evidence: 'Письмо руководства клиента' });
    await step('escalation resolve', director.token, `${c}/escalation/resolve`, { outcome: 'recovered', actions: 'План согласован' });
    for (const id of complaints)
      await step('complaint resolve', manager.token, `/api/complaints/${id}/resolve`, { resolution: 'Исправлено', rootCause: 'process' });
    await step('commitment fulfil', manager.token, `/api/commitments/${promise.id}/fulfil`, { note: 'Выполнено' });
    if (i % 4 === 0) await step('loss', director.token, `${c}/loss`, { reason: 'price', competitor: 'ООО «Дешевле»', note: 'Цена' });
  });
  const perMinute = (steps / seconds) * 60;
  for (let i = 0; i < 20; i++) {
    await stack.call('losses', kamHead.token, 'GET', '/api/analytics/losses');
    await stack.call('churn', kamHead.token, 'GET', '/api/analytics/churn');
    await stack.call('cooling', kamHead.token, 'GET', '/api/analytics/cooling?days=30');
  }

  console.log(
    `\n${CLIENTS} relationships through the churn path, ${CONCURRENCY} at a time: ${steps} steps in ${seconds.toFixed(1)} s, ${perMinute.toFixed(0)} steps/min`,
  );
  const misses = stack.report((name) =>
    name === 'staff' || name === 'client'
      ? undefined
      : name === FIRST
        ? TARGETS.firstComplaintP95Ms
        : ANALYTICS.includes(name)
          ? TARGETS.analyticsP95Ms
          : TARGETS.stepP95Ms,
  );
  const rssMb = stack.peakRssMb();
  console.log(`peak RSS (worker + API + bench client): ${rssMb.toFixed(0)} MB`);
  if (perMinute < TARGETS.stepsPerMinute) misses.push(`${perMinute.toFixed(0)} steps/min < ${TARGETS.stepsPerMinute}`);
  if (rssMb > TARGETS.rssMb) misses.push(`peak RSS ${rssMb.toFixed(0)} MB > ${TARGETS.rssMb} MB`);
  return misses;
}).catch((err) => {
  console.error(err);
  process.exit(1);
});
