// Benchmark: how long the pages take to draw at a realistic size. N contracts run through the
// real product (half waiting on the director, the rest dispatched), then each main page is asked
// for by a signed-in person, one at a time, and its p95 is checked against a target.
//   npm run bench:pages                (BENCH_CONTRACTS=200 BENCH_PAGE_REQUESTS=40 by default)
import { benchOn } from './stack';

const CONTRACTS = Number(process.env.BENCH_CONTRACTS ?? 200);
const REQUESTS = Number(process.env.BENCH_PAGE_REQUESTS ?? 40);
// On the 2-core reference machine, with server, Postgres, worker, API and the caller all on it.
const TARGETS: Record<string, number> = {
  'page: my tasks': Number(process.env.BENCH_TARGET_TASKS_P95_MS ?? 1_500),
  'page: processes': Number(process.env.BENCH_TARGET_PAGE_P95_MS ?? 500),
  'page: a contract': Number(process.env.BENCH_TARGET_PAGE_P95_MS ?? 500),
  'page: clients': Number(process.env.BENCH_TARGET_PAGE_P95_MS ?? 500),
  'page: a client': Number(process.env.BENCH_TARGET_PAGE_P95_MS ?? 500),
  'page: start a contract': Number(process.env.BENCH_TARGET_PAGE_P95_MS ?? 500),
  'page: where time goes': Number(process.env.BENCH_TARGET_PAGE_P95_MS ?? 500),
};

const isoDay = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

benchOn({}, async (stack) => {
  const [ops, manager, director] = await Promise.all([
    stack.person('ops', ['ops']),
    stack.person('manager', ['manager']),
    stack.person('director', ['director']),
  ]);
  const kamHead = await stack.person('kam_head', ['kam_head']);
  const clients: { id: string }[] = [];
  for (let i = 0; i < 20; i++) clients.push(await stack.newClient(ops.token, `ООО «Клиент ${i + 1}»`));

  const numbers: string[] = [];
  const seconds = await stack.run(CONTRACTS, 8, async (i) => {
    const contract = await stack.call('contract', manager.token, 'POST', '/api/contracts', {
      clientId: clients[i % clients.length]!.id,
      managerId: manager.id,
      template: 'ru',
      terms: {
        subject: 'Перевозка грузов',
        amount: 1_000_000,
        currency: 'RUB',
        startDate: isoDay(0),
        endDate: isoDay(365),
        paymentTermsDays: 30,
      },
      deviations: [],
    });
    numbers.push(contract.number as string);
    if (i % 2 === 0) {
      await stack.call('signature', director.token, 'POST', `/api/contracts/${contract.number}/signature`, {});
      await stack.call('dispatch', manager.token, 'POST', `/api/contracts/${contract.number}/dispatch`, { channel: 'courier' });
    }
  });
  console.log(`${CONTRACTS} contracts in ${seconds.toFixed(1)} s`);

  /** A browser's session: the person sets a password through an invitation link and signs in. */
  async function session(person: { id: string }): Promise<string> {
    const link = await stack.call('invitation', stack.adminToken, 'POST', `/api/staff/${person.id}/invitation`, {});
    const cookies = new Map<string, string>();
    const go = async (method: string, path: string, form?: Record<string, string>) => {
      const res = await fetch(`${stack.url}${path}`, {
        method,
        redirect: 'manual',
        headers: {
          cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; '),
          ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        },
        body: form ? new URLSearchParams(form).toString() : undefined,
      });
      for (const line of res.headers.getSetCookie()) {
        const [name, value] = line.split(';')[0]!.split('=');
        cookies.set(name!, value!);
      }
      return /name="_csrf" value="([^"]+)"/.exec(await res.text())?.[1] ?? '';
    };
    const csrf = await go('GET', link.path as string);
    const password = 'a bench password, long enough';
    await go('POST', link.path as string, { _csrf: csrf, password, repeat: password });
    return [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  const [managerCookie, directorCookie, headCookie] = [await session(manager), await session(director), await session(kamHead)];
  const page = async (step: string, cookie: string, path: string) => {
    for (let i = 0; i < REQUESTS; i++) {
      const started = performance.now();
      const res = await fetch(`${stack.url}${path}`, { headers: { cookie }, redirect: 'manual' });
      const html = await res.text();
      if (res.status !== 200) throw new Error(`${step}: ${res.status} ${html.slice(0, 300)}`);
      stack.time(step, performance.now() - started);
    }
  };
  // The director has every unsigned contract waiting (half of them), each with its form.
  await page('page: my tasks', directorCookie, '/tasks');
  await page('page: processes', managerCookie, '/processes');
  await page('page: a contract', managerCookie, `/processes/contract/${numbers[0]}`);
  await page('page: clients', managerCookie, '/clients');
  await page('page: a client', managerCookie, `/clients/${clients[0]!.id}`);
  await page('page: start a contract', managerCookie, '/start/contracts');
  await page('page: where time goes', headCookie, '/insight');
  console.log(`peak RSS ${stack.peakRssMb().toFixed(0)} MB`);
  return stack.report((step) => TARGETS[step]);
}).catch((err) => {
  console.error(err);
  process.exit(1);
});
