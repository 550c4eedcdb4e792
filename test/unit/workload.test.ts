import { describe, expect, it } from 'vitest';
import { chooseManager, clientLoad, DEFAULT_WORKLOAD_WEIGHTS, workloadWeightsSchema, type ClientLoad, type ManagerLoadInput } from '../../domain/workload';

const client = (segment: ClientLoad['segment'], extra: Partial<ClientLoad> = {}): ClientLoad => ({
  clientId: `c-${Math.random()}`,
  segment,
  contacts: 1,
  decisionsCentralised: true,
  ...extra,
});
const manager = (managerId: string, clients: ClientLoad[]): ManagerLoadInput => ({ managerId, name: managerId, clients });

describe('the workload norm', () => {
  it("weighs a client's segment, contacts beyond the first, spread decisions and potential", () => {
    const { total, parts } = clientLoad(client('gold', { contacts: 4, decisionsCentralised: false, expectedAnnualRevenue: 10_000_000 }), DEFAULT_WORKLOAD_WEIGHTS);
    expect(parts).toEqual({ segment: 20, contacts: 6, decentralised: 5, revenue: 5 });
    expect(total).toBe(36);
  });

  it('gives the new client to the manager with most room, recording every candidate', () => {
    const result = chooseManager([manager('a', [client('key'), client('key')]), manager('b', [client('regular')]), manager('c', [client('gold')])], client('regular'), 100);
    expect(result.chosen).toBe('b');
    expect(result.candidates.map((c) => c.managerId)).toEqual(['b', 'c', 'a']);
    expect(result.candidates[0]).toMatchObject({ load: 10, loadAfter: 20, room: 80, overNorm: false, clients: 1 });
  });

  it('breaks ties by fewer clients, then by id', () => {
    const tie = chooseManager([manager('z', [client('low'), client('low')]), manager('y', [client('regular')])], client('low'), 100);
    expect(tie.chosen).toBe('y');
    expect(chooseManager([manager('b', []), manager('a', [])], client('low'), 100).chosen).toBe('a');
  });

  it('chooses no one when every manager would be over the norm', () => {
    const result = chooseManager([manager('a', [client('key')]), manager('b', [client('gold')])], client('key'), 45);
    expect(result.chosen).toBeUndefined();
    expect(result.candidates.every((c) => c.overNorm)).toBe(true);
  });

  it('changes its choice with the weights, and refuses negative ones', () => {
    const managers = [manager('many-contacts', [client('regular', { contacts: 9 })]), manager('key', [client('key')])];
    expect(chooseManager(managers, client('low'), 100).chosen).toBe('many-contacts');
    const contactsHeavy = { ...DEFAULT_WORKLOAD_WEIGHTS, perExtraContact: 10 };
    expect(chooseManager(managers, client('low'), 200, contactsHeavy).chosen).toBe('key');
    expect(workloadWeightsSchema.safeParse({ ...DEFAULT_WORKLOAD_WEIGHTS, perExtraContact: -1 }).success).toBe(false);
    expect(workloadWeightsSchema.safeParse(DEFAULT_WORKLOAD_WEIGHTS).success).toBe(true);
  });
});
