// The request id on the worker's activity lines: the workflow hands it on in the header of each
// activity it schedules while handling a request's step (workflows/engine/request-id-interceptors.ts),
// and here it becomes an attribute of that activity's log lines ("Activity completed", "Activity
// failed" and anything the activity logs through its context), and goes on in the header of the
// workflows the activity starts (a step's delivery of its mails and webhook calls).
import { AsyncLocalStorage } from 'node:async_hooks';
import { defaultPayloadConverter } from '@temporalio/common';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { REQUEST_ID_HEADER, REQUEST_ID_LOG_KEY, saneRequestId } from '../domain/request-id';

/** The workflow interceptor module every bundle of the process workflows is made with (resolved when bundling). */
export const requestIdWorkflowModule = (): string => require.resolve('../workflows/engine/request-id-interceptors');

// The id of the activity running now, for what it starts in turn (a step's delivery workflow).
const activityRequests = new AsyncLocalStorage<string>();

/** The request id of the activity whose code is running, if it came with one. */
export const requestIdOfCurrentActivity = (): string | undefined => activityRequests.getStore();

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
        return requestId ? activityRequests.run(requestId, () => next(input)) : next(input);
      },
    },
    outbound: {
      getLogAttributes: (input, next) => next(requestId ? { ...input, [REQUEST_ID_LOG_KEY]: requestId } : input),
    },
  };
};
