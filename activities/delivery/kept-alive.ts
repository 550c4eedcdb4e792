// A send in progress says it is alive: a heartbeat to Temporal, so an attempt lost with its worker
// is retried within seconds rather than after its whole timeout, and (for a mail) its lease in
// Postgres renewed, so a lease outlives a slow send but not a dead worker by more than moments.
import { Context } from '@temporalio/activity';

const HEARTBEAT_EVERY_MS = 2_000;
const RENEW_EVERY_MS = 5_000;

const currentContext = (): Context | undefined => {
  try {
    return Context.current();
  } catch {
    // Called outside an activity (a test calling the function itself): nobody to tell.
    return undefined;
  }
};

export async function keptAlive<T>(work: Promise<T>, renewLease?: () => Promise<unknown>): Promise<T> {
  const context = currentContext();
  const beat = setInterval(() => context?.heartbeat(), HEARTBEAT_EVERY_MS);
  const renew = renewLease ? setInterval(() => void renewLease().catch(() => undefined), RENEW_EVERY_MS) : undefined;
  try {
    return await work;
  } finally {
    clearInterval(beat);
    if (renew) clearInterval(renew);
  }
}
