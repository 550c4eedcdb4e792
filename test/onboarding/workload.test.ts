import { describe, expect, it } from 'vitest';
import {
  chooseManager,
  clientLoad,
  DEFAULT_WORKLOAD_WEIGHTS,
  workloadWeightsSchema,
  type ClientLoad,
  type ManagerLoadInput,
} from '../../domain/workload';

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
    const { total, parts } = clientLoad(
      client('gold', { contacts: 4, decisionsCentralised: false, expectedAnnualRevenue: 10_000_000 }),
      DEFAULT_WORKLOAD_WEIGHTS,
    );
    expect(parts).toEqual({ segment: 20, contacts: 6, decentralised: 5, revenue: 5 });
    expect(total).toBe(36);
  });

  it('gives the new client to the manager with most room, recording every candidate', () => {
    const result = chooseManager(
      [manager('a', [client('key'), client('key')]), manager('b', [client('regular')]), manager('c', [client('gold')])],
      client('regular'),
      100,
    );
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

  it("records each candidate's load and what it is made of", () => {
    const held = [client('gold', { contacts: 3, decisionsCentralised: false, expectedAnnualRevenue: 2_000_000 }), client('low')];
    const { candidates } = chooseManager([manager('m', held)], client('regular', { contacts: 2 }), 100);
    expect(candidates).toEqual([
      {
        managerId: 'm',
        name: 'm',
        clients: 2,
        load: 35,
        loadAfter: 47,
        room: 53,
        overNorm: false,
        parts: { segment: 25, contacts: 4, decentralised: 5, revenue: 1 },
      },
    ]);
  });

  it('lets a manager reach the norm exactly, but not pass it', () => {
    expect(chooseManager([manager('a', [client('key')])], client('key'), 60).chosen).toBe('a');
    expect(chooseManager([manager('a', [client('key')])], client('key'), 59.99).chosen).toBeUndefined();
    expect(chooseManager([], client('key'), 100)).toEqual({ chosen: undefined, candidates: [] });
  });

  it('weighs a negative count or revenue as nothing, and refuses a norm that is not a number', () => {
    expect(clientLoad(client('low', { contacts: -3, expectedAnnualRevenue: -5_000_000 }), DEFAULT_WORKLOAD_WEIGHTS).total).toBe(5);
    expect(() => chooseManager([manager('a', [])], client('low'), Number.NaN)).toThrow(RangeError);
  });

  it('parses weights from JSON configuration, refusing negative, missing or non-numeric ones', () => {
    const parsed = workloadWeightsSchema.parse(
      JSON.parse('{"segment":{"key":40,"gold":25,"regular":10,"low":2},"perExtraContact":3,"decentralised":8,"perMillionRevenue":1}'),
    );
    expect(clientLoad(client('key', { contacts: 2, decisionsCentralised: false, expectedAnnualRevenue: 3_000_000 }), parsed).total).toBe(
      54,
    );
    expect(
      workloadWeightsSchema.safeParse({ ...DEFAULT_WORKLOAD_WEIGHTS, segment: { ...DEFAULT_WORKLOAD_WEIGHTS.segment, gold: -1 } }).success,
    ).toBe(false);
    expect(workloadWeightsSchema.safeParse({ ...DEFAULT_WORKLOAD_WEIGHTS, decentralised: '5' }).success).toBe(false);
    const { perMillionRevenue: _, ...missing } = DEFAULT_WORKLOAD_WEIGHTS;
    expect(workloadWeightsSchema.safeParse(missing).success).toBe(false);
  });
});
