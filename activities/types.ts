// Inputs and outputs of the activities: types and constants only, so workflow code can import them.
import type { ProcessType } from '../domain/processes';
import type { Actor, Role } from '../domain/people';
import type { NotificationKind } from '../workflows/engine/notifications';

export interface Recipient {
  role: Role;
  /** The one person the step waits on; without it, anyone holding the role. */
  staffId?: string;
}

/** A task's kind: the process's own word for it (snake_case), the same for every task of that kind. */
export type TaskKindName = string;

export interface TaskSpec {
  kind: TaskKindName;
  /** Its name within the process, when several of one kind may be open at once; by default its kind. */
  ref?: string;
  title: string;
  assignee: Recipient;
  /** When it is due, where the process keeps a deadline for it. */
  dueAt?: string;
}

/** The process a row belongs to: its type, its subject (the client), its contract where there is one. */
export interface ProcessRef {
  type: ProcessType;
  clientId: string;
  contractNumber?: string;
  /** The process that started this one (an onboarding's contract, a contract's amendment). */
  parentWorkflowId?: string;
}

export interface NotificationSpec {
  kind: NotificationKind;
  message: string;
  recipient: Recipient;
}

/**
 * One step of any process, written atomically: its projection, the timeline, tasks and notifications.
 * A process adds its own record of the step under its own key (`projection`, or the key its
 * projection reads: a contract's `registry`), checked by its projection.
 */
export interface RecordStepInput {
  workflowId: string;
  /** The Temporal update that took this step (a person's step), so a keyed retry is recognised. */
  updateId?: string;
  /** Absent only in steps written before processes named themselves (the contract number then says it). */
  process?: ProcessRef;
  /** A contract's number, in steps written before processes named themselves (no `process`). */
  number?: string;
  /** Position of this step in the workflow; with the workflow id it makes every row's key. */
  seq: number;
  step: string;
  /** The process's stage before and after (a contract's status). */
  from: string | null;
  to: string;
  actor?: Actor;
  at: string;
  waitedMs: number;
  details?: Record<string, unknown>;
  /** The process's own record of the step, checked and written by its projection (activities/<process>/projection.ts). */
  projection?: Record<string, unknown>;
  closeTasks?: TaskKindName[] | 'all';
  /** Tasks closed by their ref, when several of one kind are open. */
  closeTaskRefs?: string[];
  openTasks?: TaskSpec[];
  notifications?: NotificationSpec[];
  /** A reassigned contract's open tasks move from one manager to the other. */
  reassignTasks?: { from: string; to: string };
}
