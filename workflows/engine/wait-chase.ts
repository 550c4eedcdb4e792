// The SLA chase of one wait, the same for every process: while the process stays where it is, a
// reminder to whoever the wait is on, then an escalation task for the head of key accounts (and a
// notice to the one it is on), each once, counted from when the wait began.
import type { Recipient } from '../../activities/types';
import { keepDeadlines, slaChase } from './deadlines';
import { isoDate, type ProcessRun, type RunState } from './process-run';

export interface WaitChase {
  /** What is awaited, in a sentence: "the director's signature". */
  what: string;
  /** Whom it waits on. */
  on(): Recipient;
  /** The process in a sentence: "contract CT-2026-00017". */
  name(): string;
  remindAfterMs: number;
  escalateAfterMs: number;
}

const capitalised = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

export function chaseWait<S extends RunState>(run: ProcessRun<S>, wait: WaitChase): Promise<void> {
  const current = run.stage;
  const s = () => run.state;
  const since = () => isoDate(s().waitSince);
  return keepDeadlines(
    run,
    `the chase of ${wait.what}`,
    () => run.stage === current,
    slaChase({
      since: () => s().waitSince,
      remindAfterMs: wait.remindAfterMs,
      escalateAfterMs: wait.escalateAfterMs,
      reminded: () => s().waitReminded,
      escalated: () => s().waitEscalated,
      remind: async () => {
        s().waitReminded = true;
        await run.record('reminder', current, {
          notifications: [
            {
              kind: 'reminder',
              message: `Reminder: ${wait.name()} has been waiting for ${wait.what} since ${since()}`,
              recipient: wait.on(),
            },
          ],
        });
      },
      escalate: async () => {
        s().waitEscalated = true;
        await run.record('escalation', current, {
          openTasks: [
            run.task('escalation', `${capitalised(wait.name())} has been waiting for ${wait.what} since ${since()}: see that it moves`, {
              role: 'kam_head',
            }),
          ],
          notifications: [
            {
              kind: 'escalation',
              message: `${capitalised(wait.name())} was escalated: ${wait.what} overdue since ${since()}`,
              recipient: wait.on(),
            },
          ],
        });
      },
    }),
  );
}
