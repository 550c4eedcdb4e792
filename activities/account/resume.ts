// Where a relationship stood, read back from its projection, for a new run of its workflow after
// Temporal ended the last one without it (terminated by an operator, timed out): the stage and
// its clock, the watch, the open complaints and commitments with the reminders already given,
// the review clock, and the position of its last step, so the new run's rows continue its keys.
// Never the texts: what the new run carries is as small as what a running one carries.
import type { Pool } from 'pg';
import { z } from 'zod';
import { queryOne, queryRows } from '../../db/pool';
import { ACCOUNT_BOUNDS, type AccountStage, type ChurnStage, type Severity } from '../../workflows/account/rules';
import type { Role } from '../../domain/people';
import type { Segment } from '../../domain/client';

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
  /** When the latest complaints within the window came (at most ACCOUNT_BOUNDS.capLimit of them). */
  complaintTimes: number[];
  /** Ids and clocks only: what was promised stays in Postgres. */
  commitments: { id: string; ownerId: string; ownerRole?: Role; dueAt: number; reminded: boolean; overdue: boolean }[];
  lastSatisfaction?: number;
  lastReviewAt?: number;
  startedAt: number;
  reviewOpen: boolean;
}

const ms = (d: Date | null | undefined) => (d ? d.getTime() : undefined);

/**
 * Its answer is what the new run carries, so it holds ids, clocks and small facts only (no texts),
 * and each read is bounded: the open items (capped by the workflow), the latest complaint times.
 */
export function resumeAccountActivity(db: Pool) {
  return async function resumeAccount(raw: ResumeAccountInput): Promise<ResumedAccount | undefined> {
    const { workflowId, clientId, complaintWindowMs, at } = resumeAccountInput.parse(raw);
    const account = await queryOne<{
      stage: AccountStage;
      stage_since: Date;
      manager_id: string | null;
      segment: Segment | null;
      watch_until: Date | null;
      watch_stage: ChurnStage | null;
      started_at: Date;
    }>(
      db,
      'SELECT stage, stage_since, manager_id, segment, watch_until, watch_stage, started_at FROM accounts WHERE client_id = $1 AND workflow_id = $2',
      [clientId, workflowId],
    );
    if (!account) return undefined;
    const since = account.stage_since;
    // The workflow's own steps are keyed `<workflowId>:<seq>` (their tasks and notices have longer keys).
    const ownSteps = `workflow_id = $1 AND key ~ ('^' || $1 || ':[0-9]+$')`;
    const last = await queryOne<{ seq: number; at: Date }>(
      db,
      `SELECT split_part(key, ':', 2)::int AS seq, at FROM timeline_events WHERE ${ownSteps} ORDER BY seq DESC LIMIT 1`,
      [workflowId],
    );
    const stageSteps = await queryRows<{ step: string; role: Role | null }>(
      db,
      `SELECT step, details->>'role' AS role FROM timeline_events WHERE ${ownSteps} AND step IN ('stage_overdue', 'stage_action') AND at >= $2 ORDER BY at, id`,
      [workflowId, since],
    );
    const openTasks = await queryRows<{ ref: string; assignee_role: Role }>(
      db,
      'SELECT ref, assignee_role FROM tasks WHERE workflow_id = $1 AND closed_at IS NULL',
      [workflowId],
    );
    const complaints = await queryRows<{ id: string; severity: Severity; created_at: Date; overdue_at: Date | null }>(
      db,
      `SELECT id, severity, created_at, overdue_at FROM complaints WHERE client_id = $1 AND status = 'open' ORDER BY created_at, id`,
      [clientId],
    );
    const recent = await queryRows<{ created_at: Date }>(
      db,
      `SELECT created_at FROM complaints WHERE client_id = $1 AND created_at > $2::timestamptz - $3 * interval '1 millisecond' ORDER BY created_at DESC LIMIT $4`,
      [clientId, at, complaintWindowMs, ACCOUNT_BOUNDS.capLimit],
    );
    const commitments = await queryRows<{ id: string; owner_id: string; due_at: Date; overdue_at: Date | null }>(
      db,
      `SELECT id, owner_id, due_at, overdue_at FROM commitments WHERE client_id = $1 AND status = 'open' ORDER BY created_at, id`,
      [clientId],
    );
    /** The ids among `ids` that a step of this kind named already (a reminder given). */
    const named = async (step: string, key: string, ids: string[]): Promise<Set<string>> => {
      if (ids.length === 0) return new Set();
      const rows = await queryRows<{ id: string }>(
        db,
        `SELECT DISTINCT details->>'${key}' AS id FROM timeline_events WHERE ${ownSteps} AND step = $2 AND details->>'${key}' = ANY($3::text[])`,
        [workflowId, step, ids],
      );
      return new Set(rows.map((r) => r.id));
    };
    const complaintReminded = await named(
      'complaint_reminder',
      'complaintId',
      complaints.map((c) => c.id),
    );
    const commitmentReminded = await named(
      'commitment_reminder',
      'commitmentId',
      commitments.map((c) => c.id),
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
      stageSince: since.getTime(),
      stageEscalated: stageSteps.some((s) => s.step === 'stage_overdue'),
      stageActionsDone: stageSteps.filter((s) => s.step === 'stage_action' && s.role).map((s) => s.role!),
      ...(account.manager_id ? { managerId: account.manager_id } : {}),
      ...(account.segment ? { segment: account.segment } : {}),
      ...(account.watch_until && account.watch_stage
        ? { watch: { until: account.watch_until.getTime(), stage: account.watch_stage } }
        : {}),
      complaints: complaints.map((c) => ({
        id: c.id,
        severity: c.severity,
        openedAt: c.created_at.getTime(),
        overdue: c.overdue_at !== null,
        reminded: c.overdue_at !== null || complaintReminded.has(c.id),
      })),
      complaintTimes: recent
        .map((c) => c.created_at.getTime())
        .filter((t) => t > windowStart)
        .reverse(),
      commitments: commitments.map((c) => {
        const ownerTask = openTasks.find((t) => t.ref === `commitment:${c.id}`);
        return {
          id: c.id,
          ownerId: c.owner_id,
          ...(ownerTask ? { ownerRole: ownerTask.assignee_role } : {}),
          dueAt: c.due_at.getTime(),
          overdue: c.overdue_at !== null,
          reminded: c.overdue_at !== null || commitmentReminded.has(c.id),
        };
      }),
      ...(review ? { lastSatisfaction: review.satisfaction, lastReviewAt: review.created_at.getTime() } : {}),
      startedAt: account.started_at.getTime(),
      reviewOpen: openTasks.some((t) => t.ref === 'review'),
    };
  };
}
