// What a contract's workflow carries is bounded whatever people type: ids, clocks and small facts
// (drafts and documents live in Postgres). The only lists are the people who drafted and who
// approved its terms, each kept once, so they are bounded by the staff. The largest state there can
// be is built here field by field and measured, for the README's table of workflow sizes.
import { describe, expect, it } from 'vitest';
import type { ContinuedContractInput, ContractState } from '../../workflows/contract/state';
import type { ContractSla } from '../../workflows/contract/rules';

const UUID = 'ffffffff-ffff-4fff-bfff-ffffffffffff';
/** Longer than any number JSON writes for a clock or a count. */
const N = -1.2345678901234567e300;
const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value), 'utf8');
const people = (n: number) => Array.from({ length: n }, (_, i) => `${UUID.slice(0, 24)}${String(i).padStart(12, '0')}`);

function largestState(staff: number): ContractState {
  return {
    number: 'CT-2199-999999999',
    status: 'original_received',
    clientId: UUID,
    managerId: UUID,
    template: 'en',
    endDate: '2199-12-31',
    drafters: people(staff),
    approvers: people(staff),
    documentId: UUID,
    sentAt: N,
    followUpOpen: true,
    nextFollowUpAt: N,
    expectedSigningDate: '2199-12-31',
    reminded: true,
    escalated: true,
    renewalNoticeOpen: true,
    waitSince: N,
    waitReminded: true,
    waitEscalated: true,
    seq: Number.MAX_SAFE_INTEGER,
    lastStepAt: N,
    registered: true,
    run: Number.MAX_SAFE_INTEGER,
    parentWorkflowId: `onboarding-${UUID}`,
    clientCode: 'CL-999999999',
  };
}

const SLA: ContractSla = {
  followUpAfterMs: N,
  reminderAfterMs: N,
  escalationAfterMs: N,
  renewalNoticeMs: N,
  expiryAfterEndDateMs: N,
  stepReminderAfterMs: N,
  stepEscalationAfterMs: N,
  historyLimit: N,
};

describe("the largest state of a contract's workflow", () => {
  it('is under 1.5 KB, plus 40 bytes for each person in its lists of drafters and approvers', () => {
    const alone = bytes({ continued: largestState(0), sla: SLA } satisfies ContinuedContractInput);
    const thousand = bytes({ continued: largestState(1000), sla: SLA } satisfies ContinuedContractInput);
    console.log(
      `contract continue-as-new input: ${alone} bytes with no one listed, ${thousand} bytes with 1,000 drafters and 1,000 approvers`,
    );
    expect(alone).toBeLessThan(1536);
    expect(thousand).toBeLessThan(alone + 2000 * 40);
    // Far below Temporal's 2 MB payload limit even with a staff of 1,000 people on one contract.
    expect(thousand).toBeLessThan((2 * 1024 * 1024) / 20);
  });
});
