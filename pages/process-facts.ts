// What a person deciding a step needs to see beside its form: the process as the API reads it
// (read once per page), and from it the terms and each deviation beside the standard clause.
import type { Request } from 'express';
import type { ProcessType } from '../domain/processes';
import { PROCESS_APIS } from '../api/process-apis';
import type { PagesDeps } from './deps';

export interface ProcessFacts {
  /** The process as its API read answers it, when it could be read. */
  body: Record<string, unknown> | undefined;
  deviations: { clause: string; standard: string; proposed: string }[];
  terms: Record<string, unknown> | undefined;
  changes: Record<string, unknown> | undefined;
}

/** Reads each process once for the page, however many of its tasks the page shows. */
export function processReader(deps: PagesDeps, req: Request): (type: ProcessType, id: string) => Promise<ProcessFacts> {
  const read = new Map<string, Promise<ProcessFacts>>();
  return (type, id) => {
    const url = PROCESS_APIS[type].path(encodeURIComponent(id));
    let facts = read.get(url);
    if (!facts) {
      facts = deps.call(req, 'GET', url).then((answer) => {
        const body =
          answer.status === 200 && answer.body && typeof answer.body === 'object' ? (answer.body as Record<string, unknown>) : undefined;
        const object = (v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);
        return {
          body,
          deviations: Array.isArray(body?.deviations) ? (body.deviations as ProcessFacts['deviations']) : [],
          terms: object(body?.terms),
          changes: object(body?.changes),
        };
      });
      read.set(url, facts);
    }
    return facts;
  };
}
