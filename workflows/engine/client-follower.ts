// Client news and the processes that follow clients: the words the engine delivers them in
// (engine/client-news.ts) and each follower declares itself with (workflows/client-followers.ts).
import { defineSignal } from '@temporalio/workflow';
import type { Segment } from '../../domain/client';

export interface ClientNews {
  managerId?: string;
  segment?: Segment;
  /** When given, the news holds only if this is the follower's manager (a contract handed over by them). */
  previousManagerId?: string;
}

/** A process that follows each client for as long as it is a client. */
export interface ClientFollower {
  /** The workflow type it runs as, to open it. */
  workflowType: string;
  /** The one workflow that follows this client. */
  workflowIdFor(clientId: string): string;
  /** Its input when opened by a process that made the client one; `settings` are the opener's copy of its settings. */
  openedWith(opening: ClientOpening): unknown;
}

export interface ClientOpening {
  clientId: string;
  clientCode?: string;
  news: ClientNews;
  /** Who opened it (the process type), and its copy of the follower's settings, if it carries one. */
  openedBy: string;
  settings?: unknown;
}

// The wire name is for ever: relationships already running listen under it.
export const clientNewsSignal = defineSignal<[ClientNews]>('accountOwner');
