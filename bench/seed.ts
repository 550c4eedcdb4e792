// Honest seeding for the benchmarks that need many open processes: real contracts and real
// relationships made through the product's own API (no rows written behind its back), many at a
// time, spread over every API the stack runs, with progress printed as it goes.
import { randomUUID } from 'node:crypto';
import type { BenchStack } from './stack';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Calls answered 503 or 202 under the seeding's load and sent again with their key, by step. */
export const retried = new Map<string, number>();

/**
 * A step as a careful client sends it: with an Idempotency-Key, and sent again with the same key
 * while the API answers 503 (Temporal did not answer in time) or 202 (accepted, still being
 * recorded), as its answers ask; the same key is the same step, taken once.
 */
async function keyed(stack: BenchStack, step: string, token: string, url: string, body: unknown = {}): Promise<Record<string, any>> {
  const headers = { 'Idempotency-Key': randomUUID() };
  for (let attempt = 1; ; attempt++) {
    let answer: Record<string, any> | undefined;
    try {
      answer = await stack.call(step, token, 'POST', url, body, headers);
    } catch (err) {
      if (!/: 503 /.test((err as Error).message) || attempt >= 30) throw err;
    }
    if (answer && answer.accepted !== true) return answer;
    if (attempt >= 30) throw new Error(`${step}: still not recorded after ${attempt} attempts`);
    retried.set(step, (retried.get(step) ?? 0) + 1);
    await sleep(2_000);
  }
}

/** Prints how many calls were sent again, if any. */
export function printRetries(): void {
  if (retried.size === 0) return;
  console.log(`  sent again with their key after a 503 or 202: ${[...retried].map(([step, n]) => `${step} ${n}`).join(', ')}`);
}

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
    const created = await keyed(stack, 'seed create', p.ops.token, '/api/contracts', {
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
    await keyed(stack, 'seed signature', p.director.token, `/api/contracts/${n}/signature`);
    await keyed(stack, 'seed dispatch', p.manager.token, `/api/contracts/${n}/dispatch`, { channel: 'courier' });
    if (opts.until === 'active') {
      await keyed(stack, 'seed original', p.manager.token, `/api/contracts/${n}/original`);
      await keyed(stack, 'seed client record', p.lawyer.token, `/api/contracts/${n}/client-record`);
    }
    numbers.push(n);
    tick();
  });
  printRetries();
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
    await keyed(stack, 'seed first complaint', p.ops.token, `/api/clients/${client.id}/complaints`, {
      summary: 'Опоздание машины',
      category: 'delivery',
      severity: 'low',
      reportedBy: 'Логист клиента',
    });
    clientIds.push(client.id);
    tick();
  });
  printRetries();
  return { clientIds, seconds };
}
