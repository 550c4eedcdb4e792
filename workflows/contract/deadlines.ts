// The contract's clocks: the chase of the signed original (follow-up calls, a reminder, an
// escalation, counted from dispatch), the SLA chase of every other wait, and the watch over an
// active contract (renewal notice, expiry). All act through the step lock (engine/deadlines.ts).
import type { Recipient } from '../../activities/types';
import { isAwaitingOriginal, type ContractStatus } from './rules';
import type { ContractTaskKind } from './step-rules';
import { keepDeadlines } from '../engine/deadlines';
import { chaseWait as chaseWaitOf } from '../engine/wait-chase';
import { isoDate, type ContractRun } from './run';
import { expiresAt } from './steps';

const DAY_MS = 86_400_000;

/** Who each wait belongs to, for its reminder and its escalation. */
export const WAITS: Partial<Record<ContractStatus, { task: ContractTaskKind; what: string; owner: 'manager' | 'lawyer' | 'director' }>> = {
  pending_legal_approval: { task: 'legal_approval', what: 'legal approval', owner: 'lawyer' },
  changes_requested: { task: 'revise_terms', what: 'revised terms', owner: 'manager' },
  pending_signature: { task: 'signature', what: "the director's signature", owner: 'director' },
  ready_to_send: { task: 'dispatch', what: 'dispatch to the client', owner: 'manager' },
  original_received: { task: 'client_record', what: 'entry into the clients base', owner: 'lawyer' },
};

/** Follow-up calls, one reminder and one escalation, counted from the day the contract was sent. */
export function chaseOriginal(run: ContractRun): Promise<void> {
  const s = () => run.state;
  const n = () => run.state.number;
  return keepDeadlines(run, 'the chase of the original', () => isAwaitingOriginal(s().status), [
    {
      at: () => (s().followUpOpen || s().nextFollowUpAt === undefined ? Infinity : s().nextFollowUpAt!),
      fire: async () => {
        s().followUpOpen = true;
        s().nextFollowUpAt = undefined;
        await run.record('follow_up_due', s().status, {
          openTasks: [
            run.task('follow_up', `Call the client about contract ${n()}: did it arrive, when will it be signed?`, run.manager()),
          ],
        });
      },
    },
    {
      at: () => (s().reminded ? Infinity : s().sentAt! + run.sla.reminderAfterMs),
      fire: async () => {
        s().reminded = true;
        await run.record('reminder', s().status, {
          notifications: [
            {
              kind: 'reminder',
              message: `Reminder: the signed original of contract ${n()} has not come back yet`,
              recipient: run.manager(),
            },
          ],
        });
      },
    },
    {
      at: () => (s().escalated ? Infinity : s().sentAt! + run.sla.escalationAfterMs),
      fire: async () => {
        s().escalated = true;
        await run.record('escalation', s().status, {
          openTasks: [
            run.task('escalation', `Contract ${n()}: the signed original is overdue; help the manager get it back`, { role: 'kam_head' }),
          ],
          notifications: [
            {
              kind: 'escalation',
              message: `Contract ${n()} was escalated: no signed original since ${isoDate(s().sentAt!)}`,
              recipient: run.manager(),
            },
          ],
        });
      },
    },
  ]);
}

/** Any other wait: a reminder to whoever it waits on, then an escalation to the head of key accounts. */
export function chaseWait(run: ContractRun): Promise<void> {
  const wait = WAITS[run.state.status]!;
  return chaseWaitOf(run, {
    what: wait.what,
    on: (): Recipient => (wait.owner === 'manager' ? run.manager() : { role: wait.owner }),
    name: () => `contract ${run.state.number}`,
    remindAfterMs: run.sla.stepReminderAfterMs!,
    escalateAfterMs: run.sla.stepEscalationAfterMs!,
  });
}

/** A renewal task some time before the end date, then expiry unless the contract was renewed. */
export function watchExpiry(run: ContractRun): Promise<void> {
  const s = () => run.state;
  return keepDeadlines(run, 'the expiry watch', () => s().status === 'active', [
    {
      at: () => expiresAt(run),
      fire: () => run.closeAs('expiry', 'expired', undefined, 'expired', `Contract ${s().number} expired after ${s().endDate}`),
    },
    {
      at: () => (s().renewalNoticeOpen ? Infinity : expiresAt(run) - run.sla.renewalNoticeMs),
      fire: async () => {
        s().renewalNoticeOpen = true;
        const daysLeft = Math.max(0, Math.round((expiresAt(run) - Date.now()) / DAY_MS));
        await run.record('renewal_due', s().status, {
          openTasks: [
            run.task(
              'renewal',
              `Contract ${s().number} ends on ${s().endDate} (${daysLeft} days left): renew it or let it expire`,
              run.manager(),
            ),
          ],
        });
      },
    },
  ]);
}
