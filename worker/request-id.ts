// The request id on the worker's activity lines: the workflow hands it on in the header of each
// activity it schedules while handling a request's step (workflows/engine/request-id-interceptors.ts),
// and here it becomes an attribute of that activity's log lines ("Activity completed", "Activity
// failed" and anything the activity logs through its context).
import { defaultPayloadConverter } from '@temporalio/common';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { REQUEST_ID_HEADER, REQUEST_ID_LOG_KEY, saneRequestId } from '../domain/request-id';

/** The workflow interceptor module every bundle of the process workflows is made with (resolved when bundling). */
export const requestIdWorkflowModule = (): string => require.resolve('../workflows/engine/request-id-interceptors');

/** Made per activity execution: its id is read from its own header when it starts. */
export const requestIdActivityInterceptors: ActivityInterceptorsFactory = () => {
  let requestId: string | undefined;
  return {
    inbound: {
      execute(input, next) {
        const payload = input.headers[REQUEST_ID_HEADER];
        if (payload) {
          try {
            requestId = saneRequestId(defaultPayloadConverter.fromPayload(payload));
          } catch {
            requestId = undefined;
          }
        }
        return next(input);
      },
    },
    outbound: {
      getLogAttributes: (input, next) => next(requestId ? { ...input, [REQUEST_ID_LOG_KEY]: requestId } : input),
    },
  };
};
