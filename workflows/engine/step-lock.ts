// One step at a time: a ticket lock. Each caller takes the next ticket and waits until its ticket
// is served, so exactly one step (or timer) acts at a time, in arrival order. The lock this
// replaces, `await condition(() => !busy); busy = true`, let every waiter in at once: the SDK
// resolves all satisfied conditions in the same pass, before any of them sets `busy`.
// Waiting through `condition` (not a promise chain) keeps the hand-over at the same point of
// the activation as before, so recorded histories still replay.
import { condition } from '@temporalio/workflow';

export class StepLock {
  private issued = 0;
  private serving = 0;

  async run<T>(work: () => Promise<T>): Promise<T> {
    const ticket = this.issued++;
    await condition(() => this.serving === ticket);
    try {
      return await work();
    } finally {
      this.serving++;
    }
  }

  /** True while any work is running or waiting. */
  get busy(): boolean {
    return this.issued !== this.serving;
  }
}
