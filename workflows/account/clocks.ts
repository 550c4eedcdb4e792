// The relationship's clocks: each open complaint reminded half-way and overdue at its deadline,
// each promise reminded before it is due and overdue after, the periodic review, the current churn
// stage's deadline for its owners' actions, and the end of the watch after a recovery. Each is a
// deadline of the engine's clock, acted on through the step lock.
import type { Recipient, TaskSpec } from '../../activities/types';
import type { AccountPatch, AccountStep } from '../../activities/account/types';
import type { Deadline } from '../engine/deadlines';
import type { ProcessRun } from '../engine/process-run';
import { STAGE_ACTIONS, type AccountSla, type AccountStage, type AccountTaskKind, type ChurnStage } from './rules';
import type { AccountRecord, AccountState, AccountStepExtra } from './state';

/** What the clocks use of the relationship's run. */
export interface AccountClockParts {
  run: ProcessRun<AccountState, AccountStep>;
  sla: AccountSla;
  record: AccountRecord;
  task(kind: AccountTaskKind, title: string, assignee: Recipient, ref: string, dueAt?: number): TaskSpec;
  manager(): Recipient;
  recipient(role: Recipient['role']): Recipient;
  move(to: AccountStage, own?: AccountStepExtra): AccountStepExtra;
  troubled(): AccountStage;
  endWatch(to: AccountStage): Pick<AccountPatch, 'watch'>;
  ownersStillToAct(stage: Exclude<ChurnStage, 'healthy'>): Recipient['role'][];
}

export function accountClocks({
  run,
  sla,
  record,
  task,
  manager,
  recipient,
  move,
  troubled,
  endWatch,
  ownersStillToAct,
}: AccountClockParts): Deadline[] {
  const s = () => run.state;
  /** One deadline standing for many items (every open complaint, say): due at the earliest of them. */
  const earliest = <T>(items: () => T[], at: (item: T) => number, fire: (item: T) => Promise<void>): Deadline => ({
    at: () => Math.min(Infinity, ...items().map(at)),
    fire: async () => {
      const now = Date.now();
      const due = items().find((item) => at(item) <= now);
      if (due) await fire(due);
    },
  });
  const replaced = <T extends { id: string }>(list: T[], item: T, patch: Partial<T>) =>
    list.map((x) => (x.id === item.id ? { ...x, ...patch } : x));

  return [
    earliest(
      () => s().complaints,
      (c) => (c.reminded ? Infinity : c.openedAt + sla.complaintDueMs[c.severity] / 2),
      async (c) => {
        s().complaints = replaced(s().complaints, c, { reminded: true });
        await record('complaint_reminder', s().stage, {
          details: { complaintId: c.id },
          notifications: [
            {
              kind: 'reminder',
              message: `Reminder: the client's ${c.severity} complaint is half-way to its resolution deadline`,
              recipient: manager(),
            },
          ],
        });
      },
    ),
    earliest(
      () => s().complaints,
      (c) => (c.overdue ? Infinity : c.openedAt + sla.complaintDueMs[c.severity]),
      async (c) => {
        s().complaints = replaced(s().complaints, c, { reminded: true, overdue: true });
        const to = troubled();
        await record(
          'complaint_overdue',
          to,
          move(to, {
            details: { complaintId: c.id },
            account: { complaintOverdue: c.id, ...endWatch(to) },
            openTasks: [
              task(
                'escalation',
                `A ${c.severity} complaint of the client is past its resolution deadline: see that it is resolved`,
                { role: 'kam_head' },
                `complaint:${c.id}:escalation`,
              ),
            ],
            notifications: [
              {
                kind: 'escalation',
                message: `The client's ${c.severity} complaint is past its deadline and was escalated`,
                recipient: manager(),
              },
            ],
          }),
        );
      },
    ),
    earliest(
      () => s().commitments,
      (c) => (c.reminded ? Infinity : c.dueAt - sla.commitmentReminderBeforeMs),
      async (c) => {
        s().commitments = replaced(s().commitments, c, { reminded: true });
        // The reminder quotes the promise: the activity reads its words from Postgres.
        await record('commitment_reminder', s().stage, {
          details: { commitmentId: c.id },
          account: {
            promiseNotice: {
              commitmentId: c.id,
              wording: 'due',
              kind: 'reminder',
              recipients: [{ role: c.ownerRole ?? 'manager', staffId: c.ownerId }],
            },
          },
        });
      },
    ),
    earliest(
      () => s().commitments,
      (c) => (c.overdue ? Infinity : c.dueAt),
      async (c) => {
        s().commitments = replaced(s().commitments, c, { reminded: true, overdue: true });
        const to = troubled();
        const owner: Recipient = { role: c.ownerRole ?? 'manager', staffId: c.ownerId };
        const recipients = [owner, ...(s().managerId !== c.ownerId ? [manager()] : [])];
        await record(
          'commitment_overdue',
          to,
          move(to, {
            details: { commitmentId: c.id },
            account: {
              commitmentOverdue: c.id,
              ...endWatch(to),
              promiseNotice: { commitmentId: c.id, wording: 'overdue', kind: 'escalation', recipients },
            },
          }),
        );
      },
    ),
    {
      // A stage's actions past their deadline: dissatisfied turns adversarial by itself; later stages go to the next owner up.
      // Dissatisfaction left unresolved turns adversarial whatever was done; a later stage whose owners have all acted does not escalate.
      at: () => {
        const stage = s().stage;
        return stage === 'healthy' ||
          stage === 'lost' ||
          s().waitEscalated ||
          (stage !== 'dissatisfied' && ownersStillToAct(stage).length === 0)
          ? Infinity
          : s().waitSince + sla.stageDeadlineMs[stage];
      },
      fire: async () => {
        const stage = s().stage as Exclude<ChurnStage, 'healthy'>;
        if (stage === 'dissatisfied') {
          await record('escalated_by_deadline', 'adversarial', move('adversarial', { details: { overdueStage: stage } }));
          return;
        }
        s().waitEscalated = true;
        const { escalateTo, owners } = STAGE_ACTIONS[stage];
        await record('stage_overdue', stage, {
          details: { overdueStage: stage, escalatedTo: escalateTo },
          openTasks: [
            task(
              'escalation',
              `The ${stage} stage's actions are overdue: ${STAGE_ACTIONS[stage].title}`,
              { role: escalateTo },
              `stage:${stage}:escalation`,
            ),
          ],
          notifications: owners.map((role) => ({
            kind: 'escalation' as const,
            message: `The ${stage} stage's actions are overdue and were escalated to ${escalateTo}`,
            recipient: recipient(role),
          })),
        });
      },
    },
    {
      at: () => s().watch?.until ?? Infinity,
      fire: async () => {
        const watched = s().watch!;
        s().watch = undefined;
        await record('watch_over', s().stage, { details: { watchedStage: watched.stage }, account: { watch: null } });
      },
    },
    {
      at: () => (s().reviewOpen || s().stage === 'lost' ? Infinity : s().nextReviewAt),
      fire: async () => {
        s().reviewOpen = true;
        await record('review_due', s().stage, {
          openTasks: [
            task('account_review', 'Review the relationship with the client: satisfaction, changes in its business', manager(), 'review'),
          ],
        });
      },
    },
  ];
}
