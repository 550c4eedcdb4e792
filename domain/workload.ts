// The workload norm for choosing a manager (DOMAIN.md, "Assignment"; seed 001): a manager's load
// is a weighted sum over the clients they hold, weighing the client's segment and potential, how
// many people there the manager keeps relations with, and whether the client's purchasing
// decisions are centralised. The manager with most room under the norm gets the new client.
// Pure: no I/O, no Temporal.
import { z } from 'zod';

export interface ClientLoad {
  clientId: string;
  segment: 'key' | 'gold' | 'regular' | 'low';
  expectedAnnualRevenue?: number;
  /** Contact persons the manager keeps relations with. */
  contacts: number;
  decisionsCentralised: boolean;
}

export interface ManagerLoadInput {
  managerId: string;
  name: string;
  clients: ClientLoad[];
}

export const workloadWeightsSchema = z.object({
  segment: z.object({
    key: z.number().nonnegative(),
    gold: z.number().nonnegative(),
    regular: z.number().nonnegative(),
    low: z.number().nonnegative(),
  }),
  /** Each contact beyond the first. */
  perExtraContact: z.number().nonnegative(),
  /** Decisions spread over several people take more work. */
  decentralised: z.number().nonnegative(),
  /** Per million of expected annual revenue (a client's potential). */
  perMillionRevenue: z.number().nonnegative(),
});
export type WorkloadWeights = z.infer<typeof workloadWeightsSchema>;

export const DEFAULT_WORKLOAD_WEIGHTS: WorkloadWeights = {
  segment: { key: 30, gold: 20, regular: 10, low: 5 },
  perExtraContact: 2,
  decentralised: 5,
  perMillionRevenue: 0.5,
};

export interface LoadParts {
  segment: number;
  contacts: number;
  decentralised: number;
  revenue: number;
}

const round2 = (n: number): number => Math.round(n * 100) / 100;
const roundParts = (p: LoadParts): LoadParts => ({
  segment: round2(p.segment),
  contacts: round2(p.contacts),
  decentralised: round2(p.decentralised),
  revenue: round2(p.revenue),
});

/**
 * What one client weighs, and why. A count of contacts or a revenue below zero (impossible, but
 * this is a pure function anyone may call) weighs nothing rather than making room.
 */
export function clientLoad(client: ClientLoad, weights: WorkloadWeights): { total: number; parts: LoadParts } {
  const parts: LoadParts = {
    segment: weights.segment[client.segment],
    contacts: Math.max(0, client.contacts - 1) * weights.perExtraContact,
    decentralised: client.decisionsCentralised ? 0 : weights.decentralised,
    revenue: (Math.max(0, client.expectedAnnualRevenue ?? 0) / 1_000_000) * weights.perMillionRevenue,
  };
  const total = parts.segment + parts.contacts + parts.decentralised + parts.revenue;
  return { total: round2(total), parts: roundParts(parts) };
}

/** One manager as the choice saw them: what is recorded "so anyone can see why". */
export interface Candidate {
  managerId: string;
  name: string;
  /** How many clients they hold now. */
  clients: number;
  /** Their load now, and with the new client. */
  load: number;
  loadAfter: number;
  /** norm − loadAfter: negative when the new client would put them over the norm. */
  room: number;
  overNorm: boolean;
  /** What their load now is made of. */
  parts: LoadParts;
}

/** Code-unit order, the same on every machine and locale. */
const byId = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The manager with most room under the norm after taking the new client; none when all would be over it. */
export function chooseManager(
  managers: ManagerLoadInput[],
  newClient: ClientLoad,
  norm: number,
  weights: WorkloadWeights = DEFAULT_WORKLOAD_WEIGHTS,
): { chosen?: string; candidates: Candidate[] } {
  if (!Number.isFinite(norm)) throw new RangeError(`the workload norm must be a number, got ${norm}`);
  const added = clientLoad(newClient, weights).total;
  const candidates = managers
    .map((m): Candidate => {
      const loads = m.clients.map((c) => clientLoad(c, weights));
      const parts = loads.reduce<LoadParts>(
        (acc, l) => ({
          segment: acc.segment + l.parts.segment,
          contacts: acc.contacts + l.parts.contacts,
          decentralised: acc.decentralised + l.parts.decentralised,
          revenue: acc.revenue + l.parts.revenue,
        }),
        { segment: 0, contacts: 0, decentralised: 0, revenue: 0 },
      );
      const load = round2(loads.reduce((sum, l) => sum + l.total, 0));
      const loadAfter = round2(load + added);
      const room = round2(norm - loadAfter);
      return {
        managerId: m.managerId,
        name: m.name,
        clients: m.clients.length,
        load,
        loadAfter,
        room,
        overNorm: loadAfter > norm,
        parts: roundParts(parts),
      };
    })
    .sort((a, b) => b.room - a.room || a.clients - b.clients || byId(a.managerId, b.managerId));
  return { chosen: candidates.find((c) => !c.overNorm)?.managerId, candidates };
}

/** The norm managers are chosen under, and how clients weigh. */
export interface WorkloadNorm {
  norm: number;
  weights: WorkloadWeights;
}
export const DEFAULT_WORKLOAD_NORM: WorkloadNorm = { norm: 100, weights: DEFAULT_WORKLOAD_WEIGHTS };
