// The request id of the API call that caused what a workflow does now. The API puts it in a
// Temporal header on a start, a signal or an update (api/observability/temporal-client.ts); here it
// becomes an attribute of every workflow log line written while that start, signal or update is
// being handled (timers the start's run waits on included), and is handed on in the header of each
// activity and child workflow scheduled meanwhile, so the worker's activity lines carry it too
// (worker/request-id.ts). Registered as a workflow interceptor module when the bundle is made
// (worker/create-worker.ts). Nothing here changes a decision: headers and log attributes are not
// part of what a replay compares.
import { AsyncLocalStorage, defaultPayloadConverter, type Headers, type WorkflowInterceptorsFactory } from '@temporalio/workflow';
import { REQUEST_ID_HEADER, REQUEST_ID_LOG_KEY, saneRequestId } from '../../domain/request-id';

/** The id a header carries, if it is one we would have sent. */
function requestIdIn(headers: Headers): string | undefined {
  const payload = headers[REQUEST_ID_HEADER];
  if (!payload) return undefined;
  try {
    return saneRequestId(defaultPayloadConverter.fromPayload(payload));
  } catch {
    return undefined;
  }
}

// Made per workflow execution: each has its own scope, so no id leaks between workflows sharing a
// worker's context.
export const interceptors: WorkflowInterceptorsFactory = () => {
  // Follows the async work each start, signal or update sets off, as a cancellation scope does.
  const scope = new AsyncLocalStorage<string>();
  const within = <T>(headers: Headers, work: () => T): T => {
    const id = requestIdIn(headers);
    return id ? scope.run(id, work) : work();
  };
  const handedOn = <I extends { headers: Headers }>(input: I): I => {
    const id = scope.getStore();
    return id ? { ...input, headers: { ...input.headers, [REQUEST_ID_HEADER]: defaultPayloadConverter.toPayload(id) } } : input;
  };
  return {
    inbound: [
      {
        execute: (input, next) => within(input.headers, () => next(input)),
        handleSignal: (input, next) => within(input.headers, () => next(input)),
        validateUpdate: (input, next) => within(input.headers, () => next(input)),
        handleUpdate: (input, next) => within(input.headers, () => next(input)),
      },
    ],
    internals: [
      {
        // The activation that starts the workflow: its "Workflow started" line is written before
        // `execute` is intercepted, so the start's id is taken up here already.
        activate: (input, next) => {
          const start = input.activation.jobs?.find((job) => job.initializeWorkflow)?.initializeWorkflow;
          return start?.headers ? within(start.headers as Headers, () => next(input)) : next(input);
        },
      },
    ],
    outbound: [
      {
        scheduleActivity: (input, next) => next(handedOn(input)),
        scheduleLocalActivity: (input, next) => next(handedOn(input)),
        startChildWorkflowExecution: (input, next) => next(handedOn(input)),
        getLogAttributes: (input, next) => {
          const id = scope.getStore();
          return next(id ? { ...input, [REQUEST_ID_LOG_KEY]: id } : input);
        },
      },
    ],
  };
};
