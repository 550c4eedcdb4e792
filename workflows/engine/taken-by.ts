// The Temporal update a step is taken by, written on the step's timeline event: a request retried
// with its Idempotency-Key (after a 503 or a 202, when it was in fact done) is then recognised
// from Postgres, even after the workflow ended or continued as new. Timers and openings have none.
import { currentUpdateInfo } from '@temporalio/workflow';

export function takenBy(): { updateId?: string } {
  const id = currentUpdateInfo()?.id;
  return id ? { updateId: id } : {};
}
