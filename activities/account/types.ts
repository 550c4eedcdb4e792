// What a relationship's step carries for its projection: types only, so its workflow can import them.
import type { NotificationKind } from '../../workflows/engine/notifications';
import type { Recipient } from '../types';

/** What an account step changes in the relationship's projection (accounts, complaints, commitments, reviews). */
export interface AccountPatch {
  /** The relationship's health after the step; every step carries it. */
  health: { score: number; reasons: { reason: string; points: number }[] };
  /** The first step: the relationship's row. */
  opened?: { managerId?: string; segment?: string; openedBy: string };
  managerId?: string;
  segment?: string;
  /** The watch after a recovery; null ends it. */
  watch?: { until: string; stage: string } | null;
  complaint?: { id: string; summary: string; category: string; severity: string; reportedBy: string; dueAt: string };
  complaintOverdue?: string;
  complaintResolved?: { id: string; resolution: string; rootCause: string };
  commitment?: { id: string; what: string; dueAt: string; ownerId: string };
  commitmentOverdue?: string;
  commitmentFulfilled?: { id: string; note: string };
  /** Notifications quoting a promise (due soon, overdue): the activity reads its words from `commitments`, the workflow carries none. */
  promiseNotice?: { commitmentId: string; wording: 'due' | 'overdue'; kind: NotificationKind; recipients: Recipient[] };
  review?: { id: string; satisfaction: number; businessChanges: string; note: string };
  loss?: { reason: string; competitor?: string; note: string; atStage: string };
}

export interface AccountStep {
  /** The relationship's projection (accounts, complaints, commitments, reviews). */
  account?: AccountPatch;
}
