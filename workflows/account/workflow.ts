// One workflow per client relationship (`account-<clientId>`), from its onboarding (or its first
// complaint, commitment, review or escalation) until the client is lost. It keeps every open
// complaint, commitment and review on a clock, notices the slide through the churn stages
// (healthy → dissatisfied → adversarial → ultimatum → arbitration), gives each stage's owners
// their tasks with a deadline, escalates a stage whose actions are overdue, and watches a
// recovered client. It continues as new before its history grows large, carrying all of it.
// It carries ids, clocks and small facts, never what people wrote (texts live in Postgres and the
// activities read them from there), and at most a configured number of open complaints and
// commitments, so its state, continue-as-new input, answers and query stay small whatever is typed
// (domain/account.ts, ACCOUNT_BOUNDS).
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { ResumedAccount } from '../../activities/account/resume';
import type { createActivities } from '../../activities';
import type { Recipient, TaskSpec } from '../../activities/types';
import type { AccountPatch, AccountStep } from '../../activities/account/types';
import {
  ACCOUNT_BOUNDS,
  STAGE_ACTIONS,
  actorIsHead,
  complaintTimesKept,
  healthOf,
  notTheClientsManager,
  stageRank,
  type AccountStage,
  type AccountWorkflowInput,
  type ChurnStage,
  type Health,
  type AccountTaskKind,
} from './rules';
import type { Actor } from '../../domain/people';
import type { Segment } from '../../domain/client';
import { keepDeadlines } from '../engine/deadlines';
import { ProcessRun, type StepInput } from '../engine/process-run';
import { humanSteps } from '../engine/human-steps';
import { clientNewsSignal } from '../engine/client-follower';
import { reject } from '../engine/rejections';
import { processSearchAttributes } from '../engine/search-attributes';
import { startingPosition } from '../engine/step-position';
import {
  accountManagerUpdate,
  accountStateQuery,
  commitmentUpdate,
  complaintUpdate,
  escalationUpdate,
  fulfilCommitmentUpdate,
  lossUpdate,
  resolveComplaintUpdate,
  resolveEscalationUpdate,
  reviewUpdate,
  stageActionUpdate,
  type AccountResult,
  type AccountSnapshot,
} from './messages';
import { withoutTexts, type AccountState, type AccountStepExtra, type ContinuedAccountInput } from './state';
import { accountClocks } from './clocks';

type Activities = ReturnType<typeof createActivities>;
const { resumeAccount } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

export async function accountWorkflow(input: AccountWorkflowInput | ContinuedAccountInput): Promise<AccountSnapshot> {
  const { workflowId } = workflowInfo();
  const { clientId, sla } = input;
  const now0 = Date.now();
  const reviewEvery = (segment: Segment | undefined) => sla.reviewEveryMs[segment ?? 'regular'];
  const keptTimes = complaintTimesKept(sla);
  const maxOpenComplaints = sla.maxOpenComplaints ?? ACCOUNT_BOUNDS.maxOpenComplaints;
  const maxOpenCommitments = sla.maxOpenCommitments ?? ACCOUNT_BOUNDS.maxOpenCommitments;
  let state: AccountState =
    'continued' in input
      ? withoutTexts(input.continued, keptTimes)
      : {
          stage: 'healthy',
          managerId: input.managerId,
          segment: input.segment,
          complaints: [],
          complaintTimes: [],
          commitments: [],
          nextReviewAt: now0 + reviewEvery(input.segment),
          reviewOpen: false,
          ...startingPosition(now0),
          run: 1,
        };
  // The engine's run over the state this closure keeps; each step carries the relationship's health,
  // and its search attributes come before it.
  const run = new ProcessRun<AccountState, AccountStep>(
    { get: () => state, set: (next) => void (state = next) },
    {
      ref: () => ({ type: 'account', clientId }),
      stage: (s) => s.stage,
      setStage: (s, stage) => void (s.stage = stage as AccountStage),
      owner: (s) => s.managerId,
      clientCode: () => input.clientCode,
      isFinal: (stage) => stage === 'lost',
      historyLimit: sla.historyLimit,
      beforeRecord: (s, from, to, extra) => {
        if (to !== from) s.stageActionsDone = [];
        index();
        return { account: { ...(extra as Extra).account, health: health() } };
      },
    },
  );
  const clock = run;
  const { lock } = run;

  const health = (): Health => {
    const recentComplaints = state.complaintTimes.filter((t) => t > Date.now() - sla.complaintWindowMs).length;
    return healthOf({
      stage: state.stage,
      openComplaints: state.complaints.map((c) => ({ severity: c.severity, overdue: c.overdue })),
      recentComplaints,
      // Every time kept is within the window: older ones may have been left out.
      ...(recentComplaints >= keptTimes ? { recentComplaintsAtLeast: true } : {}),
      overdueCommitments: state.commitments.filter((c) => c.overdue).length,
      lastSatisfaction: state.lastSatisfaction,
    });
  };
  const result = (): AccountResult => ({ workflowId, clientId, stage: state.stage, health: health() });
  setHandler(accountStateQuery, () => ({
    ...result(),
    managerId: state.managerId,
    segment: state.segment,
    openComplaints: state.complaints.map((c) => c.id),
    openCommitments: state.commitments.map((c) => c.id),
    watchUntil: state.watch ? new Date(state.watch.until).toISOString() : undefined,
    run: state.run,
  }));

  let indexedManager: string | undefined;
  let indexedStage: AccountStage | undefined;
  /** The relationship's search attributes, so the Temporal UI filters like GET /api/processes. */
  const index = (): void => {
    if (indexedManager === state.managerId && indexedStage === state.stage) return;
    indexedManager = state.managerId;
    indexedStage = state.stage;
    upsertSearchAttributes(
      processSearchAttributes({ type: 'account', stage: state.stage, managerId: state.managerId, clientCode: input.clientCode }),
    );
  };
  index();

  const manager = (): Recipient => ({ role: 'manager', staffId: state.managerId });
  const recipient = (role: Recipient['role']): Recipient => (role === 'manager' ? manager() : { role });
  const task = (kind: AccountTaskKind, title: string, assignee: Recipient, ref: string, dueAt?: number): TaskSpec => ({
    kind,
    title,
    assignee,
    ref,
    ...(dueAt !== undefined ? { dueAt: new Date(dueAt).toISOString() } : {}),
  });
  const iso = (ms: number) => new Date(ms).toISOString();

  type Extra = AccountStepExtra;
  function record(step: string, to: AccountStage, extra: Extra = {}): Promise<void> {
    return run.record(step, to, extra as StepInput<AccountStep>);
  }

  /** The tasks of a stage's owners as it begins, and what leaving the stage before it closes. */
  const stageTasks = (stage: AccountStage): TaskSpec[] => {
    if (stage === 'healthy' || stage === 'lost') return [];
    const { owners, title, kind } = STAGE_ACTIONS[stage];
    const due = Date.now() + sla.stageDeadlineMs[stage];
    return owners.map((role) => task(kind, title, recipient(role), `stage:${stage}:${role}`, due));
  };
  const stageRefs = (stage: AccountStage): string[] =>
    stage === 'healthy' || stage === 'lost'
      ? []
      : [...STAGE_ACTIONS[stage].owners.map((role) => `stage:${stage}:${role}`), `stage:${stage}:escalation`];
  /** What a step that moves the relationship to `to` opens and closes besides its own tasks. */
  const move = (to: AccountStage, own: Extra = {}): Extra => {
    if (to === state.stage) return own;
    return {
      ...own,
      openTasks: [...(own.openTasks ?? []), ...stageTasks(to)],
      closeTaskRefs: [...(own.closeTaskRefs ?? []), ...stageRefs(state.stage)],
      details: { ...own.details, stageFrom: state.stage },
    };
  };
  /** Where a new problem takes the relationship: back to the stage it recovered from while watched, else to dissatisfied from healthy. */
  const troubled = (): AccountStage => {
    if (state.watch) {
      const back = state.watch.stage;
      state.watch = undefined;
      return back;
    }
    return state.stage === 'healthy' ? 'dissatisfied' : state.stage;
  };
  const endWatch = (to: AccountStage): Pick<AccountPatch, 'watch'> => (to !== 'healthy' || !state.watch ? { watch: null } : {});

  /**
   * A manager acts on the clients they manage (any manager while the client has none); heads act
   * on any; `others` (a lawyer reporting arbitration) act too.
   */
  const expectOwnManager = (actor: Actor, others: readonly Recipient['role'][] = []) => {
    const why = notTheClientsManager(actor, state.managerId, others);
    if (why) reject('NotYours', why);
  };
  /** Steps only the heads take (a recovery, a loss, a new manager): the API's role check, decided here too. */
  const expectHead = (actor: Actor, what: string) => {
    if (!actorIsHead(actor)) reject('NotYours', `${what} is for a head of key accounts or the director`);
  };
  const expectOpen = (what: string) => {
    if (state.stage === 'lost') reject('StepOutOfOrder', `${what} is not possible: the client was lost`);
  };

  /** Takes over where the relationship's last run stood, as its projection says. */
  const adopt = (before: ResumedAccount): void => {
    const segment = before.segment ?? input.segment;
    state = {
      ...state,
      stage: before.stage,
      managerId: before.managerId ?? input.managerId,
      segment,
      complaints: before.complaints,
      complaintTimes: before.complaintTimes.slice(-keptTimes),
      commitments: before.commitments,
      lastSatisfaction: before.lastSatisfaction,
      nextReviewAt: (before.lastReviewAt ?? before.startedAt) + reviewEvery(segment),
      reviewOpen: before.reviewOpen,
      watch: before.watch,
      seq: before.seq,
      lastStepAt: before.lastStepAt,
      waitSince: before.stageSince,
      waitReminded: false,
      waitEscalated: before.stageEscalated,
      stageActionsDone: before.stageActionsDone,
    };
  };

  let ready = 'continued' in input;
  // Relationships opened before a run could take over from an ended one open as they did.
  const mayResume = 'continued' in input ? false : patched('resume-from-projection');
  // The opening is the first step: its ticket is taken before any handler exists, because an
  // update that started the workflow is handed to its handler as soon as it is set.
  const opened =
    'continued' in input
      ? Promise.resolve()
      : lock.run(async () => {
          const actor = input.openedBy.staffId
            ? { actor: { staffId: input.openedBy.staffId, name: input.openedBy.name ?? '', roles: [] } }
            : {};
          const before = mayResume
            ? await resumeAccount({ workflowId, clientId, complaintWindowMs: sla.complaintWindowMs, at: iso(Date.now()) })
            : undefined;
          try {
            if (before) {
              adopt(before);
              // A lost relationship is not taken up again: its steps are refused, and the run ends.
              if (before.stage !== 'lost') {
                await record('resumed', state.stage, {
                  ...actor,
                  details: { openedBy: input.openedBy.kind, previousSteps: before.seq },
                  account: {},
                });
              }
              return;
            }
            await record('opened', 'healthy', {
              ...actor,
              details: { openedBy: input.openedBy.kind, segment: input.segment },
              account: { opened: { managerId: input.managerId, segment: input.segment, openedBy: input.openedBy.kind } },
            });
          } finally {
            ready = true;
          }
        });

  const steps = humanSteps({
    lock,
    save: () => JSON.parse(JSON.stringify(state)) as AccountState,
    restore: (saved) => {
      state = saved;
      clock.changed();
    },
    result,
  });
  /**
   * Until the opening has taken over where the relationship stood, a step cannot be judged on
   * arrival: it is accepted and judged in its turn, after the opening (the step lock's order).
   */
  const humanStep: typeof steps = (update, check, work) => steps(update, (arg) => (ready ? check(arg) : undefined), work);

  humanStep(
    complaintUpdate,
    ({ complaintId }) => {
      expectOpen('a complaint');
      if (state.complaints.some((c) => c.id === complaintId)) reject('StepOutOfOrder', `complaint ${complaintId} is already recorded`);
      if (state.complaints.length >= maxOpenComplaints) {
        reject(
          'InvalidStep',
          `the client has ${state.complaints.length} open complaints, the most one client may have (ACCOUNT_MAX_OPEN_COMPLAINTS): resolve some first`,
        );
      }
    },
    async ({ actor, complaintId, summary, category, severity, reportedBy }) => {
      const now = Date.now();
      state.complaints = [...state.complaints, { id: complaintId, severity, openedAt: now, reminded: false, overdue: false }];
      state.complaintTimes = [...state.complaintTimes.filter((t) => t > now - sla.complaintWindowMs), now].slice(-keptTimes);
      const recurring = state.complaintTimes.length >= sla.complaintsToDissatisfied;
      const to = state.watch ? troubled() : state.stage === 'healthy' && recurring ? 'dissatisfied' : state.stage;
      const dueAt = now + sla.complaintDueMs[severity];
      await record(
        'complaint',
        to,
        move(to, {
          actor,
          details: { complaintId, category, severity, recentComplaints: state.complaintTimes.length, ...(recurring ? { recurring } : {}) },
          account: { complaint: { id: complaintId, summary, category, severity, reportedBy, dueAt: iso(dueAt) }, ...endWatch(to) },
          openTasks: [
            task(
              'complaint',
              `Resolve the client's ${severity} complaint (${category}) by ${iso(dueAt).slice(0, 16).replace('T', ' ')} UTC`,
              manager(),
              `complaint:${complaintId}`,
              dueAt,
            ),
          ],
        }),
      );
    },
  );

  humanStep(
    resolveComplaintUpdate,
    ({ actor, complaintId }) => {
      expectOpen('resolving a complaint');
      if (!state.complaints.some((c) => c.id === complaintId)) reject('StepOutOfOrder', `complaint ${complaintId} is not open`);
      expectOwnManager(actor);
    },
    async ({ actor, complaintId, resolution, rootCause }) => {
      state.complaints = state.complaints.filter((c) => c.id !== complaintId);
      await record('complaint_resolved', state.stage, {
        actor,
        details: { complaintId, rootCause },
        account: { complaintResolved: { id: complaintId, resolution, rootCause } },
        closeTaskRefs: [`complaint:${complaintId}`, `complaint:${complaintId}:escalation`],
      });
    },
  );

  humanStep(
    commitmentUpdate,
    ({ actor, commitmentId }) => {
      expectOpen('a commitment');
      if (state.commitments.some((c) => c.id === commitmentId)) reject('StepOutOfOrder', `commitment ${commitmentId} is already recorded`);
      expectOwnManager(actor);
      if (state.commitments.length >= maxOpenCommitments) {
        reject(
          'InvalidStep',
          `the client has ${state.commitments.length} open commitments, the most one client may have (ACCOUNT_MAX_OPEN_COMMITMENTS): fulfil some first`,
        );
      }
    },
    async ({ actor, commitmentId, what, dueAt, ownerId, ownerName, ownerRole }) => {
      const due = Date.parse(dueAt);
      state.commitments = [...state.commitments, { id: commitmentId, ownerId, ownerRole, dueAt: due, reminded: false, overdue: false }];
      await record('commitment', state.stage, {
        actor,
        details: { commitmentId, dueAt, ownerId, ownerName },
        account: { commitment: { id: commitmentId, what, dueAt, ownerId } },
        openTasks: [
          task(
            'commitment',
            `Keep the promise made to the client by ${dueAt.slice(0, 10)}: ${what}`,
            { role: ownerRole ?? 'manager', staffId: ownerId },
            `commitment:${commitmentId}`,
            due,
          ),
        ],
      });
    },
  );

  humanStep(
    fulfilCommitmentUpdate,
    ({ actor, commitmentId }) => {
      expectOpen('fulfilling a commitment');
      const commitment = state.commitments.find((c) => c.id === commitmentId);
      if (!commitment) reject('StepOutOfOrder', `commitment ${commitmentId} is not open`);
      if (actor.staffId !== commitment.ownerId) expectOwnManager(actor);
    },
    async ({ actor, commitmentId, note }) => {
      const commitment = state.commitments.find((c) => c.id === commitmentId)!;
      state.commitments = state.commitments.filter((c) => c.id !== commitmentId);
      await record('commitment_fulfilled', state.stage, {
        actor,
        details: { commitmentId, late: Date.now() > commitment.dueAt },
        account: { commitmentFulfilled: { id: commitmentId, note } },
        closeTaskRefs: [`commitment:${commitmentId}`],
      });
    },
  );

  humanStep(
    reviewUpdate,
    ({ actor }) => {
      expectOpen('a review');
      expectOwnManager(actor);
    },
    async ({ actor, reviewId, satisfaction, businessChanges, note }) => {
      state.lastSatisfaction = satisfaction;
      state.reviewOpen = false;
      state.nextReviewAt = Date.now() + reviewEvery(state.segment);
      const low = satisfaction <= sla.lowSatisfaction;
      const to = low ? troubled() : state.stage;
      await record(
        'review',
        to,
        move(to, {
          actor,
          details: { reviewId, satisfaction, ...(low ? { lowSatisfaction: true } : {}), nextReviewAt: iso(state.nextReviewAt) },
          account: { review: { id: reviewId, satisfaction, businessChanges, note }, ...endWatch(to) },
          closeTaskRefs: ['review'],
        }),
      );
    },
  );

  humanStep(
    escalationUpdate,
    ({ actor, stage }) => {
      expectOpen('an escalation');
      if (stageRank(stage) <= stageRank(state.stage))
        reject('StepOutOfOrder', `the client is already ${state.stage}; only a later stage can be reported`);
      // The lawyer reports what reaches legal (a claim, an arbitration); managers their own clients.
      expectOwnManager(actor, ['lawyer']);
    },
    async ({ actor, stage, evidence }) => {
      state.watch = undefined;
      await record('escalation_reported', stage, move(stage, { actor, details: { evidence }, account: { watch: null } }));
    },
  );

  /** The owners of a stage whose required action is not done yet. */
  const ownersStillToAct = (stage: Exclude<ChurnStage, 'healthy'>) =>
    STAGE_ACTIONS[stage].owners.filter((r) => !(state.stageActionsDone ?? []).includes(r));
  /** The stage owner's role an actor acts in: the first one they hold whose action is still to do. */
  const ownerRoleOf = (actor: Actor) => {
    if (state.stage === 'healthy' || state.stage === 'lost') reject('StepOutOfOrder', `a ${state.stage} client has no stage actions to do`);
    const { owners } = STAGE_ACTIONS[state.stage];
    const held = owners.filter((r) => actor.roles.includes(r));
    if (held.length === 0) reject('NotYours', `the ${state.stage} stage's actions are for: ${owners.join(', ')}`);
    if (held.includes('manager')) expectOwnManager(actor);
    const role = held.find((r) => ownersStillToAct(state.stage as Exclude<ChurnStage, 'healthy'>).includes(r));
    if (!role) reject('StepOutOfOrder', `the ${state.stage} stage's action for ${held.join(', ')} is already done`);
    return role;
  };

  humanStep(
    stageActionUpdate,
    ({ actor }) => void ownerRoleOf(actor),
    async ({ actor, note }) => {
      const role = ownerRoleOf(actor);
      const stage = state.stage as Exclude<ChurnStage, 'healthy'>;
      state.stageActionsDone = [...(state.stageActionsDone ?? []), role];
      await record('stage_action', stage, {
        actor,
        details: { role, note, allDone: ownersStillToAct(stage).length === 0 },
        closeTaskRefs: [`stage:${stage}:${role}`],
      });
    },
  );

  humanStep(
    resolveEscalationUpdate,
    ({ actor }) => {
      expectOpen('resolving the escalation');
      if (state.stage === 'healthy') reject('StepOutOfOrder', 'the client is healthy: there is no escalation to resolve');
      expectHead(actor, 'resolving the escalation');
    },
    async ({ actor, outcome, actions }) => {
      const left = state.stage as ChurnStage;
      const until = Date.now() + sla.watchPeriodMs;
      state.watch = { until, stage: left };
      await record(
        'escalation_resolved',
        'healthy',
        move('healthy', {
          actor,
          details: { outcome, actions, watchUntil: iso(until) },
          account: { watch: { until: iso(until), stage: left } },
        }),
      );
    },
  );

  humanStep(
    lossUpdate,
    ({ actor }) => {
      expectOpen('a loss');
      expectHead(actor, 'recording a loss');
    },
    async ({ actor, reason, competitor, note }) => {
      const atStage = state.stage;
      state.watch = undefined;
      await record('loss', 'lost', {
        actor,
        details: { reason, competitor, atStage },
        account: { loss: { reason, competitor, note, atStage }, watch: null },
        closeTasks: 'all',
      });
    },
  );

  setHandler(clientNewsSignal, ({ previousManagerId, ...news }) => {
    if (previousManagerId !== undefined && previousManagerId !== (state.ownerNews?.managerId ?? state.managerId)) return;
    state.ownerNews = { ...state.ownerNews, ...news };
    clock.changed();
  });

  /** A new manager (their open tasks of this relationship move to them) or segment. */
  async function changeOwner(managerId: string | undefined, segment: Segment | undefined, extra: Extra = {}): Promise<void> {
    if (managerId === state.managerId && segment === state.segment) return;
    const previous = state.managerId;
    state.managerId = managerId;
    state.segment = segment;
    await record('owner', state.stage, {
      ...extra,
      details: { ...extra.details, managerId, segment, previous },
      account: { managerId, segment },
      ...(previous && managerId && previous !== managerId ? { reassignTasks: { from: previous, to: managerId } } : {}),
    });
  }

  async function recordOwnerNews(): Promise<void> {
    const news = state.ownerNews!;
    state.ownerNews = undefined;
    await changeOwner(news.managerId ?? state.managerId, news.segment ?? state.segment);
  }

  humanStep(
    accountManagerUpdate,
    ({ actor, managerId }) => {
      expectOpen('assigning a manager');
      if (managerId === state.managerId) reject('StepOutOfOrder', 'this manager already manages the client');
      expectHead(actor, "handing over the client's relationship");
    },
    async ({ actor, managerId, managerName }) => changeOwner(managerId, state.segment, { actor, details: { managerName } }),
  );

  // ---- The clocks ---------------------------------------------------------------------------------
  const deadlines = accountClocks({
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
  });

  await opened;

  const lost = () => state.stage === 'lost';
  while (!lost()) {
    if (clock.mustContinueAsNew()) {
      await condition(() => !lock.busy && allHandlersFinished());
      if (lost()) break;
      await continueAsNew<typeof accountWorkflow>({ ...input, continued: { ...state, run: state.run + 1 } });
    }
    if (state.ownerNews) {
      await lock.run(() => (state.ownerNews && state.stage !== 'lost' ? recordOwnerNews() : Promise.resolve()));
      continue;
    }
    await keepDeadlines(clock, 'the account', () => state.stage !== 'lost' && !state.ownerNews, deadlines);
  }
  await condition(allHandlersFinished);
  return { ...result(), managerId: state.managerId, segment: state.segment, openComplaints: [], openCommitments: [], run: state.run };
}
