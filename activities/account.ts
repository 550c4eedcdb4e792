// Where a relationship stood, read back from its projection, for a new run of its workflow after
// Temporal ended the last one without it (terminated by an operator, timed out): the stage and
// its clock, the watch, the open complaints and commitments with the reminders already given,
// the review clock, and the position of its last step, so the new run's rows continue its keys.
import type { Pool } from 'pg';
import { z } from 'zod';
import { queryOne, queryRows } from '../db/pool';
import type { AccountStage, ChurnStage, Severity } from '../domain/account';
import type { Role } from '../domain/contract';
import type { Segment } from '../domain/onboarding';

const resumeAccountInput = z.object({
  workflowId: z.string().min(1),
  clientId: z.uuid(),
  /** Complaints within this window count as recurring. */
  complaintWindowMs: z.number().int().positive(),
  /** Workflow time, so the window is the workflow's. */
  at: z.iso.datetime(),
});
export type ResumeAccountInput = z.infer<typeof resumeAccountInput>;

export interface ResumedAccount {
  /** The position of the last step recorded; the next run's first step is the one after it. */
  seq: number;
  lastStepAt: number;
  stage: AccountStage;
  stageSince: number;
  stageEscalated: boolean;
  /** The stage owners whose required action is done. */
  stageActionsDone: Role[];
  managerId?: string;
  segment?: Segment;
  watch?: { until: number; stage: ChurnStage };
  complaints: { id: string; severity: Severity; openedAt: number; reminded: boolean; overdue: boolean }[];
  complaintTimes: number[];
  commitments: { id: string; what: string; ownerId: string; ownerRole?: Role; dueAt: number; reminded: boolean; overdue: boolean }[];
  lastSatisfaction?: number;
  lastReviewAt?: number;
  startedAt: number;
  reviewOpen: boolean;
}

const ms = (d: Date | null | undefined) => (d ? d.getTime() : undefined);

export function resumeAccountActivity(db: Pool) {
  return async function resumeAccount(raw: ResumeAccountInput): Promise<ResumedAccount | undefined> {
    const { workflowId, clientId, complaintWindowMs, at } = resumeAccountInput.parse(raw);
    const account = await queryOne<{
      stage: AccountStage; stage_since: Date; manager_id: string | null; segment: Segment | null; watch_until: Date | null;
      watch_stage: ChurnStage | null; started_at: Date;
    }>(db, 'SELECT stage, stage_since, manager_id, segment, watch_until, watch_stage, started_at FROM accounts WHERE client_id = $1 AND workflow_id = $2', [
      clientId, workflowId,
    ]);
    if (!account) return undefined;
    const steps = (await queryRows<{ seq: number; at: Date; step: string; details: Record<string, unknown> }>(
      db,
      `SELECT split_part(key, ':', 2)::int AS seq, at, step, details FROM timeline_events
       WHERE workflow_id = $1 AND key ~ ('^' || $1 || ':[0-9]+$') ORDER BY seq`,
      [workflowId],
    ));
    const last = steps.at(-1);
    const since = account.stage_since.getTime();
    const reminded = (step: string, key: string, id: string) => steps.some((s) => s.step === step && s.details[key] === id);
    const openTasks = await queryRows<{ ref: string; assignee_role: Role }>(db, 'SELECT ref, assignee_role FROM tasks WHERE workflow_id = $1 AND closed_at IS NULL', [
      workflowId,
    ]);
    const complaints = await queryRows<{ id: string; severity: Severity; created_at: Date; overdue_at: Date | null; status: string }>(
      db,
      'SELECT id, severity, created_at, overdue_at, status FROM complaints WHERE client_id = $1 AND (status = $2 OR created_at > $3::timestamptz - $4 * interval \'1 millisecond\') ORDER BY created_at',
      [clientId, 'open', at, complaintWindowMs],
    );
    const commitments = await queryRows<{ id: string; what: string; owner_id: string; due_at: Date; overdue_at: Date | null }>(
      db,
      `SELECT id, what, owner_id, due_at, overdue_at FROM commitments WHERE client_id = $1 AND status = 'open' ORDER BY created_at`,
      [clientId],
    );
    const review = await queryOne<{ satisfaction: number; created_at: Date }>(
      db,
      'SELECT satisfaction, created_at FROM account_reviews WHERE client_id = $1 ORDER BY created_at DESC LIMIT 1',
      [clientId],
    );
    const windowStart = Date.parse(at) - complaintWindowMs;
    return {
      seq: last?.seq ?? 0,
      lastStepAt: ms(last?.at) ?? account.started_at.getTime(),
      stage: account.stage,
      stageSince: since,
      stageEscalated: steps.some((s) => s.step === 'stage_overdue' && s.at.getTime() >= since),
      stageActionsDone: steps.filter((s) => s.step === 'stage_action' && s.at.getTime() >= since).map((s) => s.details.role as Role),
      ...(account.manager_id ? { managerId: account.manager_id } : {}),
      ...(account.segment ? { segment: account.segment } : {}),
      ...(account.watch_until && account.watch_stage ? { watch: { until: account.watch_until.getTime(), stage: account.watch_stage } } : {}),
      complaints: complaints
        .filter((c) => c.status === 'open')
        .map((c) => ({
          id: c.id,
          severity: c.severity,
          openedAt: c.created_at.getTime(),
          overdue: c.overdue_at !== null,
          reminded: c.overdue_at !== null || reminded('complaint_reminder', 'complaintId', c.id),
        })),
      complaintTimes: complaints.map((c) => c.created_at.getTime()).filter((t) => t > windowStart),
      commitments: commitments.map((c) => {
        const ownerTask = openTasks.find((t) => t.ref === `commitment:${c.id}`);
        return {
          id: c.id,
          what: c.what,
          ownerId: c.owner_id,
          ...(ownerTask ? { ownerRole: ownerTask.assignee_role } : {}),
          dueAt: c.due_at.getTime(),
          overdue: c.overdue_at !== null,
          reminded: c.overdue_at !== null || reminded('commitment_reminder', 'commitmentId', c.id),
        };
      }),
      ...(review ? { lastSatisfaction: review.satisfaction, lastReviewAt: review.created_at.getTime() } : {}),
      startedAt: account.started_at.getTime(),
      reviewOpen: openTasks.some((t) => t.ref === 'review'),
    };
  };
}
