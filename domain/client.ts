// What every process knows of a client, whichever process set it: its requisites, and its segment
// (given at qualification, read by the relationship's review clock and by the managers' workload). Imported
// by workflow code, so free of I/O, Node built-ins and zod.

/** Seed 003: key, "gold", regular ("middle") and low-value clients. */
export const SEGMENTS = ['key', 'gold', 'regular', 'low'] as const;
export type Segment = (typeof SEGMENTS)[number];

/** Requisites of a legal entity as the standard form prints them. */
export interface Requisites {
  legalName: string;
  inn: string;
  kpp?: string;
  address: string;
  bankName: string;
  bik: string;
  account: string;
  correspondentAccount: string;
}
