// Where a process stands in its own history: the position of its last step (which, with the
// workflow id, keys every row the step writes, across continue-as-new), when it was taken, and
// when the current wait began. Every process's state carries these; a step moves them.
export interface StepPosition {
  seq: number;
  lastStepAt: number;
  waitSince: number;
  waitReminded: boolean;
  waitEscalated: boolean;
}

/** Advances the position for a step moving from `from` to `to` now; answers how long it waited. */
export function advance(position: StepPosition, from: string, to: string): { at: number; waitedMs: number } {
  const at = Date.now();
  const waitedMs = at - position.lastStepAt;
  position.lastStepAt = at;
  position.seq++;
  if (to !== from) {
    // A new wait begins: its clock starts now, with no reminder or escalation given yet.
    position.waitSince = at;
    position.waitReminded = false;
    position.waitEscalated = false;
  }
  return { at, waitedMs };
}

/** Where a process stands before its first step, at `at`. */
export const startingPosition = (at: number): StepPosition => ({
  seq: 0,
  lastStepAt: at,
  waitSince: at,
  waitReminded: false,
  waitEscalated: false,
});
