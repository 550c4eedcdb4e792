// Deadlines on calls to dependencies, so an answer never waits on a server that is gone.
import type { Client } from '@temporalio/client';

export type Dependency = 'postgres' | 'temporal';

/** A call to a dependency cut by its deadline; the error funnel answers 503 with Retry-After. */
export class DependencyTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(
    readonly dependency: Dependency,
    message: string,
  ) {
    super(message);
  }
}

/** `work`, or a DependencyTimeoutError after `ms`; the timer never keeps the process alive. */
export function withTimeout<T>(work: Promise<T>, ms: number, dependency: Dependency): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new DependencyTimeoutError(dependency, `${dependency} did not answer within ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * A Temporal call cut after `ms`. The gRPC deadline ends the call itself, including the client's
 * own retries (which go on for ~20 s against a server that is down); the race answers even if
 * something inside does not honour it. A call cut this way fails with gRPC DEADLINE_EXCEEDED (or
 * WorkflowUpdateRPCTimeoutOrCancelledError for an update) or a DependencyTimeoutError; the error
 * funnel turns each into a 503.
 */
export function withTemporalDeadline<T>(temporal: Pick<Client, 'connection'>, ms: number, fn: () => Promise<T>): Promise<T> {
  // The gRPC deadline is only checked while an attempt is on the wire, not during the client's pause
  // between retries, so the race (a hair later) is what bounds the answer.
  return withTimeout(temporal.connection.withDeadline(Date.now() + ms, fn), ms + 50, 'temporal');
}
