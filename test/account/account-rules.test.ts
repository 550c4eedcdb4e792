// The health score and the ids of the relationship's rows, as pure functions.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { idFor } from '../../api/account/service';
import { healthOf, stageRank } from '../../workflows/account/rules';

describe('healthOf', () => {
  it('is 100 with nothing against the client', () => {
    expect(healthOf({ stage: 'healthy', openComplaints: [], recentComplaints: 0, overdueCommitments: 0 })).toEqual({
      score: 100,
      reasons: [],
    });
  });

  it('takes points off for each fact and names it', () => {
    const health = healthOf({
      stage: 'dissatisfied',
      openComplaints: [
        { severity: 'high', overdue: true },
        { severity: 'medium', overdue: false },
      ],
      recentComplaints: 3,
      overdueCommitments: 1,
      lastSatisfaction: 4,
    });
    expect(health.reasons).toEqual([
      { reason: 'stage: dissatisfied', points: -15 },
      { reason: '1 open medium complaint', points: -6 },
      { reason: '1 open high complaint', points: -12 },
      { reason: '1 complaint past the resolution deadline', points: -10 },
      { reason: '3 complaints within the recurrence window', points: -6 },
      { reason: '1 overdue commitment', points: -10 },
      { reason: 'last review satisfaction 4/10', points: -16 },
    ]);
    expect(health.score).toBe(100 - 15 - 6 - 12 - 10 - 6 - 10 - 16);
  });

  it('never falls below 0, and ranks the stages in the order of the slide', () => {
    const worst = healthOf({
      stage: 'arbitration',
      openComplaints: Array(20).fill({ severity: 'high', overdue: true }),
      recentComplaints: 20,
      overdueCommitments: 9,
      lastSatisfaction: 1,
    });
    expect(worst.score).toBe(0);
    expect(stageRank('healthy')).toBeLessThan(stageRank('dissatisfied'));
    expect(stageRank('ultimatum')).toBeLessThan(stageRank('arbitration'));
  });
});

describe('idFor', () => {
  it('names the same row for the same key and scope, a fresh one otherwise, always a valid UUID', () => {
    const a = idFor('client-1:complaint', 'key-1');
    expect(idFor('client-1:complaint', 'key-1')).toBe(a);
    expect(idFor('client-2:complaint', 'key-1')).not.toBe(a);
    expect(idFor('client-1:complaint', undefined)).not.toBe(idFor('client-1:complaint', undefined));
    for (const id of [a, idFor('x', 'y'), idFor('client-1:review', 'Ключ 🔑')]) expect(z.uuid().safeParse(id).success, id).toBe(true);
  });
});
