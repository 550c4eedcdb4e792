// The clock of a wait, shared by every process: a set of deadlines (a reminder, an escalation, a
// follow-up call, an expiry…), each due at a moment computed from the process's state, each acted
// on through the step lock, so a deadline and a step never both act. Every step re-plans them.
import { ActivityFailure, condition, isCancellation, log } from '@temporalio/workflow';
import type { StepLock } from './step-lock';

export interface Deadline {
  /** When it falls due; Infinity while it is not pending. */
  at(): number;
  /** Acts on it (inside the lock): records the reminder, opens the task, ends the process. */
  fire(): Promise<void>;
}

export interface ProcessClock {
  lock: StepLock;
  /** A counter every step bumps, so a wait re-plans. */
  changes(): number;
  /** Counts a change that is not a step (a deadline whose record failed). */
  changed(): void;
  /** True when the process should stop waiting and continue as new. */
  mustContinueAsNew(): boolean;
}

/** Waits until a step changes something or `deadline` passes; true when the deadline passed. */
export async function deadlinePassed(clock: ProcessClock, deadline: number): Promise<boolean> {
  const seen = clock.changes();
  const remaining = deadline - Date.now();
  if (remaining <= 0) return true;
  return !(await condition(() => clock.changes() !== seen || clock.mustContinueAsNew(), remaining));
}

export async function untilChanged(clock: ProcessClock): Promise<void> {
  const seen = clock.changes();
  await condition(() => clock.changes() !== seen || clock.mustContinueAsNew());
}

/** A record made by a deadline is best effort: one that cannot be written is logged, never retried forever. */
export async function quietly(clock: ProcessClock, what: string, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (err) {
    if (!(err instanceof ActivityFailure) || isCancellation(err)) throw err;
    clock.changed();
    log.error(`${what} could not be recorded`, { error: String(err.cause?.message ?? err.message) });
  }
}

/**
 * Keeps the deadlines of one wait while `waiting()` holds: sleeps until the earliest, then fires
 * the first of them (in the order given) that is due by then. Returns when the wait is over or the
 * process must continue as new.
 */
export async function keepDeadlines(clock: ProcessClock, what: string, waiting: () => boolean, deadlines: Deadline[]): Promise<void> {
  while (waiting() && !clock.mustContinueAsNew()) {
    const due = Math.min(...deadlines.map((d) => d.at()));
    if (due === Infinity) {
      await untilChanged(clock);
      continue;
    }
    if (!(await deadlinePassed(clock, due))) continue;
    await clock.lock.run(() =>
      quietly(clock, what, async () => {
        if (!waiting()) return;
        const now = Date.now();
        await deadlines.find((d) => d.at() <= now)?.fire();
      }),
    );
  }
}

/** The SLA chase of a wait: a reminder to whoever it waits on, then an escalation to the head of key accounts. */
export function slaChase(opts: {
  since: () => number;
  remindAfterMs: number;
  escalateAfterMs: number;
  reminded: () => boolean;
  escalated: () => boolean;
  remind: () => Promise<void>;
  escalate: () => Promise<void>;
}): Deadline[] {
  return [
    { at: () => (opts.reminded() ? Infinity : opts.since() + opts.remindAfterMs), fire: opts.remind },
    { at: () => (opts.escalated() ? Infinity : opts.since() + opts.escalateAfterMs), fire: opts.escalate },
  ];
}
