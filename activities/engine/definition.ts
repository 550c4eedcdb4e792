// What each process gives the activity side of the engine: its projection (the only writer of its
// tables) and its own activities, built from the worker's dependencies. The worker registers every
// process's activities under the names its workflow calls them.
import type { Pool } from 'pg';
import type { Config } from '../../config/env';
import type { WorkloadNorm } from '../../domain/workload';
import type { Projection } from './projection';
import type { DeliveryDeps } from '../delivery';

export interface ActivityDeps {
  db: Pool;
  company: Config['company'];
  /** The workload norm managers are chosen under; the defaults when absent. */
  workload?: WorkloadNorm;
  /** Notifications beyond the app (e-mail, webhooks); without it steps plan only webhook events and nothing is sent. */
  delivery?: Omit<DeliveryDeps, 'db'>;
}

type AnyActivity = (...args: any[]) => Promise<unknown>;

/** A document as it would be made now, unsigned: what a person about to sign it reads first. */
export interface DraftDocument {
  fileName: string;
  content: Buffer;
}

export interface ProcessActivities<A extends Record<string, AnyActivity> = Record<string, AnyActivity>> {
  projection: Projection;
  activities(deps: ActivityDeps): A;
  /** The process's document as a draft, made on request and kept nowhere; undefined when it has none (yet). */
  draft?(deps: ActivityDeps): (processId: string) => Promise<DraftDocument | undefined>;
}

/** Declares a process's activity side, keeping its activities' types for the workflow's proxies. */
export const processActivities = <A extends Record<string, AnyActivity>>(definition: ProcessActivities<A>): ProcessActivities<A> =>
  definition;
