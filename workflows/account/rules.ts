// The account relationship's vocabulary (DOMAIN.md, "Losing a key client: the churn stages"):
// complaints, commitments, reviews, the churn stages with their owners, losses, and the health
// score. Imported by workflow code, so free of I/O, Node built-ins and zod.
import type { Actor, Role } from '../../domain/people';
import type { Segment } from '../../domain/client';
import type { ProcessEvent } from '../engine/process-events';

/** The slide of a key client, in order; each stage is a chance to act. */
export const CHURN_STAGES = ['healthy', 'dissatisfied', 'adversarial', 'ultimatum', 'arbitration'] as const;
export type ChurnStage = (typeof CHURN_STAGES)[number];
export const ACCOUNT_STAGES = [...CHURN_STAGES, 'lost'] as const;
export type AccountStage = (typeof ACCOUNT_STAGES)[number];
/** Stages staff report (dissatisfied is noticed by the process itself). */
export const REPORTED_STAGES = ['adversarial', 'ultimatum', 'arbitration'] as const;
export type ReportedStage = (typeof REPORTED_STAGES)[number];

/** What a relationship tells other systems (webhooks): the client's churn stage moved, or the client is lost. */
export const ACCOUNT_EVENTS: readonly ProcessEvent[] = [
  {
    type: 'client.stage_changed',
    summary: "The client's churn stage changed (data.from, data.to), a loss included",
    reaching: ACCOUNT_STAGES,
  },
  { type: 'client.lost', summary: 'The client is lost: the reason and the competitor that won it are in data.details', reaching: ['lost'] },
];

export const COMPLAINT_CATEGORIES = ['delivery', 'documents', 'billing', 'quality', 'staff', 'other'] as const;
export type ComplaintCategory = (typeof COMPLAINT_CATEGORIES)[number];
export const SEVERITIES = ['low', 'medium', 'high'] as const;
export type Severity = (typeof SEVERITIES)[number];
/** Where the cause lay: a process failure is not a person's, and is not fixed by blaming one. */
export const ROOT_CAUSES = ['person', 'process', 'product', 'external'] as const;
export type RootCause = (typeof ROOT_CAUSES)[number];
export const LOSS_REASONS = ['price', 'quality', 'service', 'relationship', 'client_business', 'other'] as const;
export type LossReason = (typeof LOSS_REASONS)[number];

export const STAGE_ACTION_KINDS = ['evaluate_service', 'improvement_plan', 'root_cause_plan', 'arbitration_response'] as const;
export type StageActionKind = (typeof STAGE_ACTION_KINDS)[number];

export const stageRank = (stage: AccountStage): number => ACCOUNT_STAGES.indexOf(stage);

/** Who owns each stage past healthy, what they must do, and who is next up when it is overdue. */
export const STAGE_ACTIONS: Record<
  Exclude<ChurnStage, 'healthy'>,
  { kind: StageActionKind; owners: Role[]; title: string; escalateTo: Role }
> = {
  dissatisfied: {
    kind: 'evaluate_service',
    owners: ['manager'],
    title: 'Recurring problems: evaluate the whole service to this client, not the last incident',
    escalateTo: 'kam_head',
  },
  adversarial: {
    kind: 'improvement_plan',
    owners: ['kam_head'],
    title: "The client's staff turned against us: drive an improvement plan for the measures the client watches",
    escalateTo: 'director',
  },
  ultimatum: {
    kind: 'root_cause_plan',
    owners: ['director', 'kam_head'],
    title:
      "The client's management issued an ultimatum: answer with a root-cause analysis of the process and a plan agreed with the client",
    escalateTo: 'director',
  },
  arbitration: {
    kind: 'arbitration_response',
    owners: ['lawyer'],
    title: 'The client went to arbitration: prepare the response',
    escalateTo: 'director',
  },
};

export interface AccountSla {
  /** A complaint must be resolved within this, by severity; reminded at half of it, escalated past it. */
  complaintDueMs: Record<Severity, number>;
  /** This many complaints within the window make the client dissatisfied. */
  complaintsToDissatisfied: number;
  complaintWindowMs: number;
  /** The owner of a commitment is reminded this long before it is due. */
  commitmentReminderBeforeMs: number;
  /** A periodic review is due this often, by segment (key clients most often). */
  reviewEveryMs: Record<Segment, number>;
  /** A review at or below this satisfaction makes the client dissatisfied. */
  lowSatisfaction: number;
  /** A stage's actions are due this long after it began; past it the stage escalates. */
  stageDeadlineMs: Record<Exclude<ChurnStage, 'healthy'>, number>;
  /** After a recovery, a new complaint within this sends the client straight back. */
  watchPeriodMs: number;
  historyLimit?: number;
  /**
   * How many complaints, and how many commitments, may be open at once for one client: a step
   * past it is refused (422), so the relationship's state stays bounded (ACCOUNT_BOUNDS below).
   * Absent in relationships started before the caps: ACCOUNT_BOUNDS' defaults apply.
   */
  maxOpenComplaints?: number;
  maxOpenCommitments?: number;
}

/**
 * What bounds the relationship's workflow state (and so its continue-as-new input, its query and
 * its answers), whatever people type: it carries ids, clocks and small facts, never texts, and
 * the number of items it carries is capped.
 * - open complaints ≤ maxOpenComplaints (≈ 110 bytes each in the state),
 * - open commitments ≤ maxOpenCommitments (≈ 150 bytes each),
 * - complaint times kept for the recurrence count ≤ max(recentComplaintsKept, complaintsToDissatisfied)
 *   (14 bytes each): only the count within the window matters, and past this many the health has
 *   long bottomed out (the reason then says "N or more").
 * The configuration refuses caps above `capLimit`, so the largest state stays far below
 * Temporal's 2 MB payload limit (and below its 512 KB warning).
 */
export const ACCOUNT_BOUNDS = Object.freeze({
  maxOpenComplaints: 500,
  maxOpenCommitments: 500,
  recentComplaintsKept: 100,
  capLimit: 1000,
});

const DAY = 86_400_000;
export const DEFAULT_ACCOUNT_SLA: AccountSla = Object.freeze({
  complaintDueMs: { low: 7 * DAY, medium: 3 * DAY, high: 1 * DAY },
  complaintsToDissatisfied: 3,
  complaintWindowMs: 90 * DAY,
  commitmentReminderBeforeMs: 2 * DAY,
  reviewEveryMs: { key: 30 * DAY, gold: 60 * DAY, regular: 90 * DAY, low: 180 * DAY },
  lowSatisfaction: 5,
  stageDeadlineMs: { dissatisfied: 14 * DAY, adversarial: 14 * DAY, ultimatum: 7 * DAY, arbitration: 10 * DAY },
  watchPeriodMs: 60 * DAY,
  historyLimit: 10_000,
  maxOpenComplaints: ACCOUNT_BOUNDS.maxOpenComplaints,
  maxOpenCommitments: ACCOUNT_BOUNDS.maxOpenCommitments,
});

/** How many of the latest complaint times a relationship keeps. */
export const complaintTimesKept = (sla: Pick<AccountSla, 'complaintsToDissatisfied'>): number =>
  Math.max(ACCOUNT_BOUNDS.recentComplaintsKept, sla.complaintsToDissatisfied);

/** The heads of the business: they act on any client. */
export const actorIsHead = (actor: Pick<Actor, 'roles'>): boolean =>
  actor.roles.some((r) => r === 'kam_head' || r === 'director' || r === 'admin');

/**
 * Why `actor` may not take a step about a client managed by `managerId`, or undefined when they
 * may: a head may; a holder of one of `others` (a lawyer reporting arbitration, say) may; a manager
 * may for a client they manage (any manager while the client has none); nobody else.
 */
export function notTheClientsManager(
  actor: Pick<Actor, 'roles' | 'staffId'>,
  managerId: string | undefined,
  others: readonly Role[] = [],
): string | undefined {
  if (actorIsHead(actor) || others.some((r) => actor.roles.includes(r))) return undefined;
  if (!actor.roles.includes('manager')) return "this is for the client's manager or a head of key accounts";
  if (managerId && actor.staffId !== managerId) return 'this client is managed by another manager';
  return undefined;
}

export interface AccountWorkflowInput {
  clientId: string;
  clientCode?: string;
  managerId?: string;
  segment?: Segment;
  /**
   * What opened the relationship: its onboarding, or the first complaint, commitment, review or
   * escalation; `resume` for a new run of a relationship whose last run Temporal ended without it.
   */
  openedBy: { kind: 'onboarding' | 'complaint' | 'commitment' | 'review' | 'escalation' | 'resume'; staffId?: string; name?: string };
  sla: AccountSla;
}

// ---- The health score -----------------------------------------------------------------------------

export interface HealthFacts {
  stage: AccountStage;
  openComplaints: { severity: Severity; overdue: boolean }[];
  /** Complaints (open or not) within the recurrence window. */
  recentComplaints: number;
  /** True when `recentComplaints` is only a lower bound (every complaint time kept is in the window). */
  recentComplaintsAtLeast?: boolean;
  overdueCommitments: number;
  lastSatisfaction?: number;
}

export interface HealthReason {
  reason: string;
  points: number;
}

export interface Health {
  score: number;
  reasons: HealthReason[];
}

const SEVERITY_POINTS: Record<Severity, number> = { low: 3, medium: 6, high: 12 };
const STAGE_POINTS: Record<AccountStage, number> = {
  healthy: 0,
  dissatisfied: 15,
  adversarial: 30,
  ultimatum: 45,
  arbitration: 60,
  lost: 100,
};

/** 100 for a client with nothing against it; each fact takes points off, and says so. */
export function healthOf(facts: HealthFacts): Health {
  const reasons: HealthReason[] = [];
  const take = (points: number, reason: string) => {
    if (points > 0) reasons.push({ reason, points: -points });
  };
  take(STAGE_POINTS[facts.stage], `stage: ${facts.stage}`);
  for (const severity of SEVERITIES) {
    const open = facts.openComplaints.filter((c) => c.severity === severity).length;
    take(open * SEVERITY_POINTS[severity], `${open} open ${severity} complaint${open === 1 ? '' : 's'}`);
  }
  const overdue = facts.openComplaints.filter((c) => c.overdue).length;
  take(overdue * 10, `${overdue} complaint${overdue === 1 ? '' : 's'} past the resolution deadline`);
  const recurring = Math.max(0, facts.recentComplaints - 1);
  take(
    recurring * 3,
    `${facts.recentComplaints}${facts.recentComplaintsAtLeast ? ' or more' : ''} complaints within the recurrence window`,
  );
  take(facts.overdueCommitments * 10, `${facts.overdueCommitments} overdue commitment${facts.overdueCommitments === 1 ? '' : 's'}`);
  if (facts.lastSatisfaction !== undefined && facts.lastSatisfaction < 8) {
    take((8 - facts.lastSatisfaction) * 4, `last review satisfaction ${facts.lastSatisfaction}/10`);
  }
  const score = Math.max(0, Math.min(100, 100 + reasons.reduce((sum, r) => sum + r.points, 0)));
  return { score, reasons };
}

/** Kinds of the relationship's open tasks (an escalation of any stage too). */
export const ACCOUNT_TASK_KINDS = [
  'complaint',
  'commitment',
  'account_review',
  'evaluate_service',
  'improvement_plan',
  'root_cause_plan',
  'arbitration_response',
  'escalation',
] as const;
export type AccountTaskKind = (typeof ACCOUNT_TASK_KINDS)[number];
