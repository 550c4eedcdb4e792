// One workflow per onboarding request: intake of the questionnaire, qualification (or a polite
// refusal), the choice of a manager under the workload norm, the contract as a child process that
// outlives it, and the implementation checklist, to `completed`. Steps and clocks share the engine's
// parts: one step at a time (engine/step-lock.ts), undo of a step that fails for good
// (engine/human-steps.ts), and the SLA chase of every wait (engine/deadlines.ts).
//
// Decided here, in the step lock, where concurrent requests cannot both pass: the merge of answers
// given later and whether the form is then complete; who may take each step (the onboarding's
// manager, or a head of key accounts; a checklist item by its role). A cancellation does not
// decide for the child contract: the contract decides in its own lock (it goes unless it is in
// force) and answers, and the onboarding records what it left running.
import {
  ActivityFailure,
  ParentClosePolicy,
  isCancellation,
  patched,
  upsertSearchAttributes,
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  proxyActivities,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import type { createActivities } from '../../activities';
import type { Recipient, TaskSpec } from '../../activities/types';
import type { Actor, Role } from '../../domain/people';
import {
  CHECKLIST,
  CHECKLIST_ITEMS,
  FINAL_ONBOARDING_STAGES,
  type ChecklistItem,
  type OnboardingStage,
  type OnboardingWorkflowInput,
  type OnboardingTaskKind,
} from './rules';
import { openClientFollowers } from '../engine/client-news';
import { keepDeadlines, quietly } from '../engine/deadlines';
import { ProcessRun, type StepInput } from '../engine/process-run';
import type { OnboardingStep } from '../../activities/onboarding/types';
import { humanSteps } from '../engine/human-steps';
import { reject } from '../engine/rejections';
import { processSearchAttributes } from '../engine/search-attributes';
import { childProgressSignal, parentCancelledSignal } from '../engine/parent-child';
import { startingPosition } from '../engine/step-position';
import {
  answersUpdate,
  assignmentUpdate,
  cancelOnboardingUpdate,
  checklistUpdate,
  onboardingContractUpdate,
  onboardingStateQuery,
  qualificationUpdate,
  requestUpdate,
  type ContractProgress,
  type OnboardingResult,
  type OnboardingSnapshot,
} from './messages';
import type { ContinuedOnboardingInput, OnboardingState } from './state';
import { onboardingClocks } from './clocks';

type Activities = ReturnType<typeof createActivities>;
const { chooseOnboardingManager, renderRefusalLetter, mergeOnboardingAnswers } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

const FAILED_CONTRACT = ['rejected', 'cancelled', 'expired'];
/** How long a cancelled onboarding waits for its contract's answer before recording that none came. */
const CONTRACT_ANSWER_WAIT_MS = 60 * 60_000;
const isFinalStage = (stage: OnboardingStage) => FINAL_ONBOARDING_STAGES.includes(stage);

export async function onboardingWorkflow(input: OnboardingWorkflowInput | ContinuedOnboardingInput): Promise<OnboardingSnapshot> {
  const { workflowId } = workflowInfo();
  const { sla, onboardingId, clientId } = input;
  const now0 = Date.now();
  let state: OnboardingState =
    'continued' in input
      ? input.continued
      : {
          stage: 'intake',
          answersComplete: input.answersComplete,
          contractAttempt: 0,
          checklistDone: [],
          checklistReminded: [],
          checklistEscalated: [],
          autoAssignTried: false,
          ...startingPosition(now0),
          run: 1,
        };
  // The engine's run over the state this closure keeps; its search attributes come before each step.
  const run = new ProcessRun<OnboardingState, OnboardingStep>(
    { get: () => state, set: (next) => void (state = next) },
    {
      ref: () => ({ type: 'onboarding', clientId }),
      stage: (s) => s.stage,
      setStage: (s, stage) => void (s.stage = stage as OnboardingStage),
      owner: (s) => s.managerId,
      clientCode: () => input.clientCode,
      isFinal: (stage) => isFinalStage(stage as OnboardingStage),
      historyLimit: sla.historyLimit,
      beforeRecord: (s, from, to, extra) => {
        if (to !== from || s.managerId !== indexedManager) {
          indexedManager = s.managerId;
          index();
        }
        // A wait's escalation ends with the wait.
        return to !== from && extra.closeTasks !== 'all' ? { closeTasks: [...(extra.closeTasks ?? []), 'escalation'] } : {};
      },
    },
  );
  const clock = run;
  const { lock } = run;

  // Onboardings started before processes were indexed keep their histories as they were.
  const indexed = patched('process-search-attributes');
  // Onboardings started before their steps had owners take them from anyone holding the role.
  const stepOwners = patched('onboarding-step-owners');
  /** The onboarding's search attributes as they are now, so the Temporal UI filters like GET /api/processes. */
  const index = (): void => {
    if (!indexed) return;
    upsertSearchAttributes(
      processSearchAttributes({ type: 'onboarding', stage: state.stage, managerId: state.managerId, clientCode: input.clientCode }),
    );
  };
  index();

  const result = (): OnboardingResult => ({ workflowId, onboardingId, stage: state.stage });
  setHandler(onboardingStateQuery, () => onboardingSnapshotOf());

  const task = (kind: OnboardingTaskKind, title: string, assignee: Recipient, ref?: string): TaskSpec => ({
    kind,
    title,
    assignee,
    ...(ref ? { ref } : {}),
  });
  const manager = (): Recipient => ({ role: 'manager', staffId: state.managerId });
  const nowIso = () => new Date(Date.now()).toISOString();

  let indexedManager = state.managerId;
  function record(step: string, to: OnboardingStage, extra: StepInput<OnboardingStep> = {}): Promise<void> {
    return run.record(step, to, extra);
  }

  const qualificationTask = () =>
    task('qualification', 'Qualify the new client: segment, supplier position, pursue or decline', { role: 'kam_head' });
  // The request is the first step: its ticket is taken before any handler exists, because updates
  // that reached the workflow before it started are handed to their handlers as they are set.
  const requestRecorded =
    'continued' in input
      ? Promise.resolve()
      : lock.run(() =>
          record('request', input.answersComplete ? 'qualification' : 'intake', {
            actor: input.createdBy as Actor,
            details: { answersComplete: input.answersComplete },
            openTasks: [
              input.answersComplete
                ? qualificationTask()
                : task('intake', 'Complete the questionnaire of the new request', { role: 'ops' }),
            ],
          }),
        );

  const humanStep = humanSteps({
    lock,
    save: () => JSON.parse(JSON.stringify(state)) as OnboardingState,
    restore: (saved) => {
      state = saved;
      clock.changed();
    },
    result,
  });
  const expectStage = (allowed: OnboardingStage[], what: string) => {
    if (!allowed.includes(state.stage)) reject('StepOutOfOrder', `${what} is not possible while the onboarding is at ${state.stage}`);
  };
  /**
   * Once the onboarding has a manager, its steps are theirs (the one it was assigned or reassigned
   * to) or a head of key accounts'; another manager is refused, as on contracts. People holding one
   * of `alsoBy` (ops, for the steps that are theirs too) act whoever manages it.
   */
  const expectOwner = (actor: Actor, alsoBy: readonly Role[] = []) => {
    if (!stepOwners || state.managerId === undefined || actor.staffId === state.managerId) return;
    if (actor.roles.includes('kam_head') || actor.roles.some((role) => alsoBy.includes(role))) return;
    reject('NotYours', 'this onboarding is managed by someone else; ask a head of key accounts to reassign it');
  };
  /** A checklist item is done by its role: the manager's by the onboarding's manager, ops' by ops; a head may do any. */
  const expectItemOwner = (actor: Actor, item: ChecklistItem) => {
    if (!stepOwners || actor.roles.includes('kam_head')) return;
    const role = CHECKLIST.find((c) => c.item === item)!.role;
    if (role === 'ops' && !actor.roles.includes('ops')) reject('NotYours', `${item} is an item for ops`);
    if (role === 'manager' && actor.staffId !== state.managerId) reject('NotYours', `${item} is an item for the onboarding's manager`);
  };

  const contractTask = () => task('prepare_contract', 'Prepare the contract for the new client', manager());

  /** After qualification: the manager with most room under the norm, else a task for kam_head. */
  async function assignAutomatically(): Promise<void> {
    state.autoAssignTried = true;
    let choice;
    try {
      choice = await chooseOnboardingManager({
        workflowId,
        clientId,
        segment: state.segment!,
        expectedAnnualRevenue: state.expectedAnnualRevenue ?? 0,
      });
    } catch (err) {
      if (!(err instanceof ActivityFailure) || isCancellation(err)) throw err;
      choice = { chosen: undefined, chosenName: undefined, norm: undefined, candidates: [] };
    }
    if (choice.chosen) {
      state.managerId = choice.chosen;
      await record('assignment', 'contracting', {
        details: { automatic: true, managerName: choice.chosenName, norm: choice.norm },
        onboarding: { managerId: choice.chosen, assignment: { automatic: true, norm: choice.norm, candidates: choice.candidates } },
        openTasks: [contractTask()],
      });
    } else {
      await record('assignment_needed', 'assignment', {
        details: { norm: choice.norm, everyoneOverNorm: true },
        onboarding: { assignment: { automatic: false, norm: choice.norm, candidates: choice.candidates } },
        openTasks: [task('assign_manager', 'Every manager is over the workload norm: assign one', { role: 'kam_head' })],
      });
    }
  }

  humanStep(
    answersUpdate,
    ({ actor }) => {
      expectOwner(actor, ['ops']);
      expectStage(['intake', 'qualification'], 'answering the questionnaire');
    },
    async ({ actor, answerSetId, complete: completeByApi }) => {
      // Steps recorded before answers were merged here went by what the API had worked out.
      if (!patched('answers-merged-in-process')) {
        const complete = completeByApi ?? false;
        state.answersComplete = complete;
        const moveOn = complete && state.stage === 'intake';
        await record('answers', moveOn ? 'qualification' : state.stage, {
          actor,
          details: { complete },
          onboarding: { answerSetId },
          ...(moveOn ? { closeTasks: ['intake'], openTasks: [qualificationTask()] } : {}),
        });
        return;
      }
      // Merged over the answers stored now, in the lock: no other step moves them until this one is recorded.
      const { complete, missing, answered, takenBack } = await mergeOnboardingAnswers({ workflowId, answerSetId });
      if (!complete && state.stage === 'qualification') {
        reject(
          'StepOutOfOrder',
          `the onboarding is at qualification: every required answer must stay given (${missing.join(', ')} would be missing)`,
        );
      }
      state.answersComplete = complete;
      const moveOn = complete && state.stage === 'intake';
      await record('answers', moveOn ? 'qualification' : state.stage, {
        actor,
        details: { complete, missing, answered, takenBack },
        onboarding: { answerSetId },
        ...(moveOn ? { closeTasks: ['intake'], openTasks: [qualificationTask()] } : {}),
      });
    },
  );

  humanStep(
    qualificationUpdate,
    ({ actor }) => {
      expectOwner(actor);
      expectStage(['qualification'], 'qualification');
    },
    async ({ actor, segment, supplierPosition, expectedAnnualRevenue, decision, reason, letterLanguage }) => {
      const qualified = { segment, supplierPosition, expectedAnnualRevenue, decision, decisionReason: reason };
      if (decision === 'decline') {
        const { documentId } = await renderRefusalLetter({
          workflowId,
          clientId,
          language: letterLanguage ?? 'ru',
          reason,
          date: nowIso().slice(0, 10),
        });
        await record('qualification', 'declined', {
          actor,
          details: { decision, reason, documentId },
          onboarding: { ...qualified, closedAt: nowIso(), closeReason: reason },
          closeTasks: 'all',
          openTasks: [task('send_refusal', 'Send the refusal letter to the client', { role: 'ops' })],
        });
        return;
      }
      state.segment = segment;
      state.expectedAnnualRevenue = expectedAnnualRevenue;
      await record('qualification', 'assignment', {
        actor,
        details: { decision, segment, supplierPosition },
        onboarding: qualified,
        closeTasks: ['qualification'],
      });
    },
  );

  humanStep(
    assignmentUpdate,
    ({ actor }) => {
      expectOwner(actor);
      expectStage(['assignment', 'contracting'], 'assigning a manager');
      if (state.contract && !FAILED_CONTRACT.includes(state.contract.status)) reject('StepOutOfOrder', 'the contract is already under way');
    },
    async ({ actor, managerId, managerName }) => {
      const previous = state.managerId;
      state.managerId = managerId;
      await record('assignment', 'contracting', {
        actor,
        details: { automatic: false, managerName, previous },
        onboarding: { managerId },
        closeTasks: ['assign_manager', 'prepare_contract'],
        openTasks: [contractTask()],
      });
    },
  );

  humanStep(
    onboardingContractUpdate,
    ({ actor }) => {
      expectOwner(actor);
      expectStage(['contracting'], 'preparing the contract');
      if (state.contract && !FAILED_CONTRACT.includes(state.contract.status)) reject('StepOutOfOrder', 'the contract is already under way');
    },
    async ({ actor, draftId, template, endDate, needsLegalApproval }) => {
      state.contractAttempt++;
      const contractWorkflowId = `${workflowId}:contract:${state.contractAttempt}`;
      // Known before it starts, so its first report is never taken for a stranger's.
      state.contract = { workflowId: contractWorkflowId, status: 'registering' };
      state.contractStatusSeen = 'registering';
      // The contract outlives the onboarding (it runs for years): abandoned, not cancelled, when this ends.
      // The contract is started by its workflow type's name, with the input the contract takes.
      await startChild('contractWorkflow', {
        workflowId: contractWorkflowId,
        parentClosePolicy: ParentClosePolicy.ABANDON,
        args: [
          {
            clientId,
            managerId: state.managerId!,
            template,
            createdBy: actor,
            sla: input.contractSla,
            draftId,
            endDate,
            needsLegalApproval,
            parentWorkflowId: workflowId,
          },
        ],
      });
      await record('contract_started', 'contracting', {
        actor,
        details: { contractWorkflowId, attempt: state.contractAttempt },
        onboarding: { contractWorkflowId },
        closeTasks: ['prepare_contract', 'restart_contracting'],
      });
    },
  );

  humanStep(
    checklistUpdate,
    ({ actor, item }) => {
      expectOwner(actor, ['ops']);
      expectStage(['implementation'], 'the implementation checklist');
      expectItemOwner(actor, item);
      if (state.checklistDone.includes(item)) reject('StepOutOfOrder', `${item} is already done`);
    },
    async ({ actor, item, note }) => {
      state.checklistDone = [...state.checklistDone, item];
      const done = CHECKLIST_ITEMS.every((i) => state.checklistDone.includes(i));
      await record('checklist_item', done ? 'completed' : 'implementation', {
        actor,
        details: { item, note },
        onboarding: {
          checklistDone: { item, at: nowIso(), by: actor.name, note },
          ...(done ? { closedAt: nowIso(), loyaltyStage: 'first_purchase' } : {}),
        },
        closeTaskRefs: [`checklist:${item}`, `checklist:${item}:escalation`],
        ...(done
          ? {
              closeTasks: 'all' as const,
              notifications: [{ kind: 'status' as const, message: 'The client is onboarded', recipient: manager() }],
            }
          : {}),
      });
    },
  );

  humanStep(
    cancelOnboardingUpdate,
    ({ actor }) => {
      expectOwner(actor, ['ops']);
      if (isFinalStage(state.stage)) reject('StepOutOfOrder', `a ${state.stage} onboarding cannot be cancelled`);
    },
    async ({ actor, reason }) => {
      const child = state.contract;
      // Onboardings cancelled before the contract decided for itself cancelled it from here.
      const contractDecides = patched('cancel-decided-by-contract');
      // A contract that has not failed is asked to go; whether it is in force is its own to decide.
      const ask = contractDecides && child !== undefined && !FAILED_CONTRACT.includes(child.status);
      await record('cancellation', 'cancelled', {
        actor,
        details: { reason, contract: child?.workflowId, ...(ask ? { contractAsked: 'cancel unless in force' } : {}) },
        onboarding: { closedAt: nowIso(), closeReason: reason },
        closeTasks: 'all',
      });
      if (!contractDecides) {
        if (child && !['active', 'expired', 'cancelled', 'rejected'].includes(child.status)) {
          await getExternalWorkflowHandle(child.workflowId)
            .cancel()
            .catch(() => undefined);
        }
        return;
      }
      if (!ask) return;
      // Before the signal: its answer may come in the very activation the signal is confirmed in.
      const contractWorkflowId = child!.workflowId;
      state.contractCancel = { workflowId: contractWorkflowId };
      try {
        await getExternalWorkflowHandle(contractWorkflowId).signal(parentCancelledSignal, { parentWorkflowId: workflowId, actor, reason });
      } catch (err) {
        if (isCancellation(err)) throw err;
        // Its workflow has ended (it expired, or Temporal ended it): there is nothing left to cancel.
        if (state.contractCancel?.outcome === undefined) state.contractCancel = { workflowId: contractWorkflowId, outcome: 'ended' };
      }
    },
  );

  setHandler(childProgressSignal, ({ parentCancel, ...child }) => {
    // The onboarding's only children are its contracts.
    const progress = child as ContractProgress;
    if (progress.workflowId !== state.contract?.workflowId) return;
    if (parentCancel && state.contractCancel?.workflowId === progress.workflowId && state.contractCancel.outcome === undefined) {
      state.contractCancel = { ...state.contractCancel, outcome: parentCancel, number: progress.number, status: progress.status };
    }
    state.contract = progress;
    clock.changed();
  });

  // The answer to POST /api/onboardings: the stage the request moved the onboarding to.
  setHandler(requestUpdate, async () => {
    await requestRecorded;
    return result();
  });

  /** Reacts to the child contract: on to implementation when it is done, a kam_head task when it failed. */
  async function followContract(): Promise<void> {
    const progress = state.contract!;
    state.contractStatusSeen = progress.status;
    if (progress.status === sla.contractDoneAt || progress.status === 'active') {
      state.implementationSince = Date.now();
      await record('contract_done', 'implementation', {
        details: { number: progress.number, status: progress.status },
        onboarding: { contractNumber: progress.number, loyaltyStage: 'first_purchase' },
        openTasks: CHECKLIST.map((c) =>
          task('checklist', c.title, c.role === 'manager' ? manager() : { role: c.role }, `checklist:${c.item}`),
        ),
      });
    } else if (FAILED_CONTRACT.includes(progress.status)) {
      await record('contract_failed', 'contracting', {
        details: { number: progress.number, status: progress.status },
        onboarding: { contractNumber: progress.number },
        openTasks: [
          task('restart_contracting', `The contract was ${progress.status}: prepare a new one or cancel the onboarding`, {
            role: 'kam_head',
          }),
        ],
      });
    } else if (progress.number && progress.number !== state.contractNumberSeen) {
      state.contractNumberSeen = progress.number;
      await record('contract_registered', 'contracting', {
        details: { number: progress.number, status: progress.status },
        onboarding: { contractNumber: progress.number },
      });
    }
  }

  const { stageChase, checklistDeadlines } = onboardingClocks({ run, sla, record, task, manager });

  await requestRecorded;

  while (!isFinalStage(state.stage)) {
    if (clock.mustContinueAsNew()) {
      await condition(() => !lock.busy && allHandlersFinished());
      if (isFinalStage(state.stage)) break;
      await continueAsNew<typeof onboardingWorkflow>({ ...input, continued: { ...state, run: state.run + 1 } });
    }
    const stage = state.stage;
    // News is whatever the contract reported that has not been acted on yet, whenever it came.
    const contractNews = () =>
      state.contract !== undefined &&
      (state.contract.status !== state.contractStatusSeen ||
        (state.contract.number !== undefined && state.contract.number !== state.contractNumberSeen));
    /**
     * The contract failed and the onboarding has not acted on it: its report came while the loop was
     * not waiting on the contract (a step held the lock, recording the contract's registration), and
     * maybe before a continue-as-new, which carries it here. It is news like any other. Histories
     * from before, where such a failure went unheard (the loop kept the contracting's clock), replay
     * as they were, and act on it when they next wake live. Never called from a condition: it may
     * write the patch's marker.
     */
    const failureUnheard = () =>
      state.contract !== undefined &&
      FAILED_CONTRACT.includes(state.contract.status) &&
      state.contract.status !== state.contractStatusSeen &&
      patched('contract-failure-heard-late');
    const waitingOnContract = () =>
      stage === 'contracting' && state.contract !== undefined && (!FAILED_CONTRACT.includes(state.contract.status) || failureUnheard());
    if (waitingOnContract()) {
      await condition(() => state.stage !== stage || contractNews() || clock.mustContinueAsNew());
      if (state.stage === stage && contractNews())
        await lock.run(async () => (state.stage === stage && contractNews() ? followContract() : undefined));
      continue;
    }
    if (stage === 'assignment' && !state.autoAssignTried) {
      await lock.run(() => (state.stage === 'assignment' && !state.autoAssignTried ? assignAutomatically() : Promise.resolve()));
      continue;
    }
    const waiting = () => state.stage === stage && !waitingOnContract();
    if (stage === 'implementation') await keepDeadlines(clock, 'the implementation checklist', waiting, checklistDeadlines());
    else if (stage === 'intake')
      await keepDeadlines(
        clock,
        'the intake',
        waiting,
        stageChase(() => ({ role: 'ops' }), 'the completed questionnaire'),
      );
    else if (stage === 'qualification')
      await keepDeadlines(
        clock,
        'the qualification',
        waiting,
        stageChase(() => ({ role: 'kam_head' }), 'qualification'),
      );
    else if (stage === 'assignment')
      await keepDeadlines(
        clock,
        'the assignment',
        waiting,
        stageChase(() => ({ role: 'kam_head' }), 'a manager to be assigned'),
      );
    else
      await keepDeadlines(
        clock,
        'the contracting',
        waiting,
        stageChase(() => (state.contract ? { role: 'kam_head' } : manager()), 'the contract'),
      );
  }
  // A completed onboarding opens the client's relationship (onboardings completed before it existed do not).
  if (state.stage === 'completed' && patched('open-account')) await openAccount();
  await condition(allHandlersFinished);
  // Set only by a cancellation that asked its contract (onboardings cancelled before did not ask).
  if (state.contractCancel) {
    await recordContractOutcome();
    await condition(allHandlersFinished);
  }
  return onboardingSnapshotOf();

  /** The cancelled onboarding records what its contract did: cancelled itself, or stayed in force. */
  async function recordContractOutcome(): Promise<void> {
    const answered = () => state.contractCancel?.outcome !== undefined;
    if (!answered()) await condition(answered, CONTRACT_ANSWER_WAIT_MS);
    const { workflowId: contractWorkflowId, outcome = 'no_answer' } = state.contractCancel!;
    const number = state.contractCancel!.number ?? state.contract?.number;
    const status = state.contractCancel!.status ?? state.contract?.status;
    const step =
      outcome === 'cancelled' ? 'contract_cancelled' : outcome === 'left_running' ? 'contract_left_running' : 'contract_not_cancelled';
    const tell = outcome === 'left_running' && state.managerId !== undefined;
    await lock.run(() =>
      quietly(clock, 'what the cancellation left running', () =>
        record(step, 'cancelled', {
          details: { contractWorkflowId, number, status, outcome },
          ...(tell
            ? {
                notifications: [
                  {
                    kind: 'status' as const,
                    message: `The onboarding was cancelled; contract ${number ?? contractWorkflowId} stays ${status}`,
                    recipient: manager(),
                  },
                ],
              }
            : {}),
        }),
      ),
    );
  }

  /**
   * The company is a client now: whoever follows clients (the account relationship) is opened by
   * the engine, outliving the onboarding, or told who manages the client when it already runs.
   */
  function openAccount(): Promise<void> {
    return openClientFollowers({
      clientId,
      clientCode: input.clientCode,
      news: { managerId: state.managerId, segment: state.segment },
      openedBy: 'onboarding',
      settings: input.accountSla,
    });
  }

  function onboardingSnapshotOf(): OnboardingSnapshot {
    return {
      ...result(),
      clientId,
      managerId: state.managerId,
      contractWorkflowId: state.contract?.workflowId,
      contractNumber: state.contract?.number,
      contractStatus: state.contract?.status,
      checklistDone: state.checklistDone as OnboardingSnapshot['checklistDone'],
    };
  }
}
