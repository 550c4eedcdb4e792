// The API's connection to Temporal: deadlines that hold to the millisecond, and a server that is
// back noticed as fast as one that is gone.
import { Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor, type ConnectionOptions } from '@temporalio/client';

type Interceptor = NonNullable<ConnectionOptions['interceptors']>[number];

/**
 * gRPC waits longer and longer between attempts to reconnect (up to 2 min by default), and until it
 * reconnects every call fails at once: after an outage of a minute the API would keep answering 503
 * long after Temporal is back. Capped at 2 s, it is back within about 2 s of the server.
 */
export const TEMPORAL_CHANNEL_ARGS = {
  'grpc.initial_reconnect_backoff_ms': 250,
  'grpc.max_reconnect_backoff_ms': 2_000,
} as const;

/**
 * The SDK's retry of UNAVAILABLE calls (10 attempts over ~20 s), except that it never pauses past
 * the call's deadline (`withDeadline`). gRPC checks a deadline only while an attempt is on the wire,
 * so with the stock interceptor a call meant to end after 2 s ends after the pause it is in, up to
 * 1.7 s later; here the next attempt starts at the deadline at the latest and fails at once.
 */
export function deadlineAwareRetryInterceptor(): Interceptor {
  const base = defaultGrpcRetryOptions();
  return (options, nextCall) => {
    const deadline = options.deadline === undefined ? undefined : new Date(options.deadline).getTime();
    const remaining = () => (deadline === undefined || !Number.isFinite(deadline) ? Infinity : deadline - Date.now());
    const retry = makeGrpcRetryInterceptor({
      retryableDecider: (attempt, status) => base.retryableDecider(attempt, status) && remaining() > 0,
      delayFunction: (attempt, status) => Math.max(0, Math.min(base.delayFunction(attempt, status), remaining())),
    });
    return retry(options, nextCall);
  };
}

export function temporalConnectionOptions(address: string): ConnectionOptions {
  return { address, channelArgs: TEMPORAL_CHANNEL_ARGS, interceptors: [deadlineAwareRetryInterceptor()] };
}

export function connectTemporal(address: string): Promise<Connection> {
  return Connection.connect(temporalConnectionOptions(address));
}
