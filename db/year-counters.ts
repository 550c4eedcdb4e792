// Per-year counters bumped inside the caller's transaction: unlike a sequence, a rolled-back
// transaction gives its value back, so contract numbers and archive references have no gaps.
import { queryOne, type Queryable } from './pool';

export type YearCounter = 'contract_number_counters' | 'archive_counters';

export async function nextInYear(tx: Queryable, counter: YearCounter, year: number): Promise<number> {
  const { last } = (await queryOne<{ last: number }>(
    tx,
    `INSERT INTO ${counter} (year, last) VALUES ($1, 1)
     ON CONFLICT (year) DO UPDATE SET last = ${counter}.last + 1 RETURNING last`,
    [year],
  ))!;
  return last;
}
