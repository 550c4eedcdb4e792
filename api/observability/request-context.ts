// The request being answered, wherever the code answering it is: its id and its logger, so a line
// written deep in a service or in the error funnel carries the request id without being handed it,
// and the Temporal client puts that id in the header of whatever it starts or steps.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger } from '../../config/logger';

export interface RequestContext {
  requestId: string;
  /** The API's logger with this request's id on every line. */
  log: Logger;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** The request whose handling this code is part of, if any. */
export const currentRequest = (): RequestContext | undefined => storage.getStore();

/** Runs `work` (and everything it sets off) as part of `request`. */
export const withinRequest = <T>(request: RequestContext, work: () => T): T => storage.run(request, work);
