// Everything the relationship's workflow decides by: ids, clocks and small facts, copied before a
// step and handed whole to the next run; promise texts live in Postgres.
import type { Recipient, RecordStepInput } from '../../activities/types';
import type { AccountPatch } from '../../activities/account/types';
import type { Segment } from '../../domain/client';
import type { ClientNews } from '../engine/client-follower';
import type { StepPosition } from '../engine/step-position';
import type { AccountStage, AccountWorkflowInput, ChurnStage, Severity } from './rules';

export interface OpenComplaint {
  id: string;
  severity: Severity;
  openedAt: number;
  reminded: boolean;
  overdue: boolean;
}

/** What a promise is, in words, lives in Postgres (`commitments.what`): the state keeps its id and clock. */
export interface OpenCommitment {
  id: string;
  ownerId: string;
  ownerRole?: Recipient['role'];
  dueAt: number;
  reminded: boolean;
  overdue: boolean;
}

/** `waitSince` (from the step position) is when the current stage began; `waitEscalated`, whether its actions were escalated. */
export interface AccountState extends StepPosition {
  stage: AccountStage;
  managerId?: string;
  segment?: Segment;
  complaints: OpenComplaint[];
  /** When complaints came, within the recurrence window: the latest `complaintTimesKept(sla)` of them. */
  complaintTimes: number[];
  commitments: OpenCommitment[];
  lastSatisfaction?: number;
  nextReviewAt: number;
  reviewOpen: boolean;
  /** After a recovery: until when a new problem sends the client straight back to `stage`. */
  watch?: { until: number; stage: ChurnStage };
  /** The owners of the current stage whose required action is done (absent in runs from before). */
  stageActionsDone?: Recipient['role'][];
  /** News from a completed onboarding, not yet recorded. */
  ownerNews?: ClientNews;
  run: number;
}

export interface ContinuedAccountInput extends AccountWorkflowInput {
  continued: AccountState;
}

/**
 * A state carried over from a run of before: runs before the bounds carried each open promise's
 * text (`what`) and every complaint time; the text is left behind (the activities read it from
 * Postgres) and only the latest complaint times are kept.
 */
export function withoutTexts(state: AccountState, keptTimes: number): AccountState {
  return {
    ...state,
    commitments: state.commitments.map(({ what: _text, ...commitment }: OpenCommitment & { what?: string }) => commitment),
    complaintTimes: state.complaintTimes.slice(-keptTimes),
  };
}

/** What a step of the relationship carries besides its health, which every step adds. */
export type AccountStepExtra = Partial<Omit<RecordStepInput, 'account'>> & { account?: Omit<AccountPatch, 'health'> };
export type AccountRecord = (step: string, to: AccountStage, extra?: AccountStepExtra) => Promise<void>;
