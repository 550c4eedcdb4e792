// The API's Temporal client: every start, signal and update it sends carries the id of the request
// that caused it in a Temporal header, which the worker puts on the workflow's and activities' log
// lines for that step (workflows/engine/request-id-interceptors.ts, worker/request-id.ts). With
// tracing on, the SDK's OpenTelemetry interceptor carries the trace the same way.
import { Client, type Connection, type WorkflowClientInterceptor } from '@temporalio/client';
import { defaultPayloadConverter, type Headers } from '@temporalio/common';
import { activeTracing } from '../../config/tracing';
import { REQUEST_ID_HEADER } from '../../domain/request-id';
import { currentRequest } from './request-context';

/** `headers` with the current request's id, or as they are outside a request. */
function withRequestId(headers: Headers, requestId = currentRequest()?.requestId): Headers {
  return requestId ? { ...headers, [REQUEST_ID_HEADER]: defaultPayloadConverter.toPayload(requestId) } : headers;
}

/** Puts the request id on every call that makes a workflow act: starts, signals and updates. */
export function requestIdClientInterceptor(
  requestId: () => string | undefined = () => currentRequest()?.requestId,
): WorkflowClientInterceptor {
  return {
    startWithDetails: (input, next) => next({ ...input, headers: withRequestId(input.headers, requestId()) }),
    signal: (input, next) => next({ ...input, headers: withRequestId(input.headers, requestId()) }),
    signalWithStart: (input, next) => next({ ...input, headers: withRequestId(input.headers, requestId()) }),
    startUpdate: (input, next) => next({ ...input, headers: withRequestId(input.headers, requestId()) }),
    startUpdateWithStart: (input, next) =>
      next({
        ...input,
        workflowStartHeaders: withRequestId(input.workflowStartHeaders, requestId()),
        updateHeaders: withRequestId(input.updateHeaders, requestId()),
      }),
  };
}

/** The client the API starts and steps processes with, its interceptors in place. */
export function createApiTemporalClient(connection: Connection, namespace: string): Client {
  const otel = activeTracing()?.temporal;
  return new Client({
    connection,
    namespace,
    interceptors: {
      workflow: [requestIdClientInterceptor(), ...(otel ? [new otel.OpenTelemetryWorkflowClientInterceptor()] : [])],
    },
  });
}
