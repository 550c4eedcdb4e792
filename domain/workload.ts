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
  segment: z.object({ key: z.number().nonnegative(), gold: z.number().nonnegative(), regular: z.number().nonnegative(), low: z.number().nonnegative() }),
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

export function clientLoad(client: ClientLoad, weights: WorkloadWeights): { total: number; parts: LoadParts } {
  const parts: LoadParts = {
    segment: weights.segment[client.segment],
    contacts: Math.max(0, client.contacts - 1) * weights.perExtraContact,
    decentralised: client.decisionsCentralised ? 0 : weights.decentralised,
    revenue: ((client.expectedAnnualRevenue ?? 0) / 1_000_000) * weights.perMillionRevenue,
  };
  const total = parts.segment + parts.contacts + parts.decentralised + parts.revenue;
  return { total: Math.round(total * 100) / 100, parts };
}

export interface Candidate {
  managerId: string;
  name: string;
  clients: number;
  load: number;
  loadAfter: number;
  room: number;
  overNorm: boolean;
  parts: LoadParts;
}

/** The manager with most room under the norm after taking the new client; none when all would be over it. */
export function chooseManager(
  managers: ManagerLoadInput[],
  newClient: ClientLoad,
  norm: number,
  weights: WorkloadWeights = DEFAULT_WORKLOAD_WEIGHTS,
): { chosen?: string; candidates: Candidate[] } {
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
      const load = Math.round(loads.reduce((sum, l) => sum + l.total, 0) * 100) / 100;
      const loadAfter = Math.round((load + added) * 100) / 100;
      return { managerId: m.managerId, name: m.name, clients: m.clients.length, load, loadAfter, room: Math.round((norm - loadAfter) * 100) / 100, overNorm: loadAfter > norm, parts };
    })
    .sort((a, b) => b.room - a.room || a.clients - b.clients || a.managerId.localeCompare(b.managerId));
  return { chosen: candidates.find((c) => !c.overNorm)?.managerId, candidates };
}

/** The norm managers are chosen under, and how clients weigh. */
export interface WorkloadNorm {
  norm: number;
  weights: WorkloadWeights;
}
export const DEFAULT_WORKLOAD_NORM: WorkloadNorm = { norm: 100, weights: DEFAULT_WORKLOAD_WEIGHTS };
