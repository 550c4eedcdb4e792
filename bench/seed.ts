// Honest seeding for the benchmarks that need many open processes: real contracts and real
// relationships made through the product's own API (no rows written behind its back), many at a
// time, spread over every API the stack runs, with progress printed as it goes.
import type { BenchStack } from './stack';

export interface Parties {
  ops: { id: string; token: string };
  manager: { id: string; token: string };
  lawyer: { id: string; token: string };
  director: { id: string; token: string };
  /** The client every seeded contract is with. */
  client: { id: string };
}

export async function parties(stack: BenchStack): Promise<Parties> {
  const [ops, manager, lawyer, director] = await Promise.all([
    stack.person('ops', ['ops']),
    stack.person('manager', ['manager']),
    stack.person('lawyer', ['lawyer']),
    stack.person('director', ['director']),
  ]);
  return { ops, manager, lawyer, director, client: await stack.newClient(ops.token, 'ООО «Бенчмарк»') };
}

/** Prints `done/count` every tenth of the way. */
function progress(what: string, count: number): () => void {
  let done = 0;
  const started = performance.now();
  const every = Math.max(1, Math.ceil(count / 10));
  return () => {
    done++;
    if (done % every === 0 || done === count) {
      console.log(`  ${what}: ${done}/${count} in ${((performance.now() - started) / 1000).toFixed(0)} s`);
    }
  };
}

/**
 * `count` contracts on the standard terms taken through the API to `until`: `sent` (dispatched,
 * waiting for the signed original) or `active`. Answers their numbers and the seconds it took.
 */
export async function seedContracts(
  stack: BenchStack,
  p: Parties,
  opts: { count: number; concurrency: number; until: 'sent' | 'active'; startDate?: string; endDate: string },
): Promise<{ numbers: string[]; seconds: number }> {
  const numbers: string[] = [];
  const tick = progress(`contracts to ${opts.until}`, opts.count);
  const seconds = await stack.run(opts.count, opts.concurrency, async () => {
    const created = await stack.call('seed create', p.ops.token, 'POST', '/api/contracts', {
      clientId: p.client.id,
      managerId: p.manager.id,
      terms: {
        subject: 'перевозка',
        amount: 1000,
        currency: 'RUB',
        startDate: opts.startDate ?? '2020-01-01',
        endDate: opts.endDate,
        paymentTermsDays: 30,
      },
      deviations: [],
    });
    const n = created.number as string;
    await stack.call('seed signature', p.director.token, 'POST', `/api/contracts/${n}/signature`);
    await stack.call('seed dispatch', p.manager.token, 'POST', `/api/contracts/${n}/dispatch`, { channel: 'courier' });
    if (opts.until === 'active') {
      await stack.call('seed original', p.manager.token, 'POST', `/api/contracts/${n}/original`);
      await stack.call('seed client record', p.lawyer.token, 'POST', `/api/contracts/${n}/client-record`);
    }
    numbers.push(n);
    tick();
  });
  return { numbers, seconds };
}

/** `count` clients, each with its relationship opened by a first complaint. Answers their ids and the seconds it took. */
export async function seedRelationships(
  stack: BenchStack,
  p: Parties,
  opts: { count: number; concurrency: number },
): Promise<{ clientIds: string[]; seconds: number }> {
  const clientIds: string[] = [];
  const tick = progress('relationships', opts.count);
  const seconds = await stack.run(opts.count, opts.concurrency, async (i) => {
    const client = await stack.newClient(p.ops.token, `ООО «Клиент ${i + 1}»`);
    await stack.call('seed first complaint', p.ops.token, 'POST', `/api/clients/${client.id}/complaints`, {
      summary: 'Опоздание машины',
      category: 'delivery',
      severity: 'low',
      reportedBy: 'Логист клиента',
    });
    clientIds.push(client.id);
    tick();
  });
  return { clientIds, seconds };
}
