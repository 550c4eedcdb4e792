// One workflow per contract amendment (ДС): numbered under its contract, to the lawyer when it
// departs from the standard terms (and back to the manager when the lawyer asks for changes), the
// general director's signature (its PDF made then), dispatch, the signed original, the archive, and
// in force — when the contract hears of it and takes the new terms. Every wait has an owner and a
// clock. The contract is its parent: told of every status; when the contract ends first (expiry,
// cancellation), the amendment goes too, decided here in its own step lock, unless in force.
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  allHandlersFinished,
  condition,
  continueAsNew,
  isCancellation,
  setHandler,
} from '@temporalio/workflow';
import type { Actor } from '../../domain/people';
import { chaseWait as chaseWaitOf } from '../engine/wait-chase';
import { humanSteps } from '../engine/human-steps';
import { cancellingParent, parentCancelledSignal, type ParentCancelOutcome } from '../engine/parent-child';
import { isoDate, nowIso, ProcessRun, rendering, transactions, type RunState } from '../engine/process-run';
import { reject } from '../engine/rejections';
import { startingPosition } from '../engine/step-position';
import {
  amendmentArchiveUpdate,
  amendmentCancelUpdate,
  amendmentDecisionUpdate,
  amendmentDispatchUpdate,
  amendmentOriginalUpdate,
  amendmentRegistrationUpdate,
  amendmentRevisionUpdate,
  amendmentSignUpdate,
  amendmentStateQuery,
  type AmendmentResult,
  type AmendmentSnapshot,
} from './messages';
import {
  AMENDMENT_STEP_IN,
  AMENDMENT_WAITS,
  isFinalAmendment,
  type AmendmentChanges,
  type AmendmentSla,
  type AmendmentStatus,
  type AmendmentStep,
  type NewAmendmentInput,
} from './rules';

export interface AmendmentState extends RunState {
  amendmentId: string;
  number?: string;
  status: AmendmentStatus;
  contractNumber: string;
  clientId: string;
  clientCode?: string;
  managerId: string;
  changes: AmendmentChanges;
  /** People who drafted the text: they may neither approve nor sign it. */
  drafters: string[];
  /** People who approved it: they may not also sign it. */
  approvers: string[];
  documentId?: string;
  registered: boolean;
}

export type AmendmentRunInput = NewAmendmentInput | { continued: AmendmentState; sla: AmendmentSla };

const isContinued = (input: AmendmentRunInput): input is { continued: AmendmentState; sla: AmendmentSla } => 'continued' in input;

function initialState(input: NewAmendmentInput, now: number): AmendmentState {
  return {
    ...startingPosition(now),
    run: 1,
    parentWorkflowId: input.contractWorkflowId,
    amendmentId: input.amendmentId,
    status: 'registering',
    contractNumber: input.contractNumber,
    clientId: input.clientId,
    ...(input.clientCode ? { clientCode: input.clientCode } : {}),
    managerId: input.managerId,
    changes: input.changes,
    drafters: [input.createdBy.staffId],
    approvers: [],
    registered: false,
  };
}

export async function amendmentWorkflow(input: AmendmentRunInput): Promise<AmendmentSnapshot> {
  const { sla } = input;
  const run = new ProcessRun<AmendmentState>(isContinued(input) ? input.continued : initialState(input, Date.now()), {
    // Its rows are its own (by its workflow id), not its contract's: the contract's timeline stays the contract's.
    ref: (s) => ({ type: 'amendment', clientId: s.clientId }),
    stage: (s) => s.status,
    setStage: (s, stage) => void (s.status = stage as AmendmentStatus),
    owner: (s) => s.managerId,
    clientCode: (s) => s.clientCode,
    isFinal: isFinalAmendment,
    // In force, the contract hears what changes with the status itself.
    progress: (s) => ({ ...(s.number ? { number: s.number } : {}), ...(s.status === 'in_force' ? { changes: { ...s.changes } } : {}) }),
    historyLimit: sla.historyLimit,
  });
  const s = () => run.state;
  const n = () => s().number;
  let registrationError: string | undefined;

  const result = (): AmendmentResult => ({ workflowId: run.workflowId, amendmentId: s().amendmentId, number: n(), status: s().status });
  const snapshot = (): AmendmentSnapshot => ({
    ...result(),
    contractNumber: s().contractNumber,
    managerId: s().managerId,
    changes: s().changes,
    documentId: s().documentId,
    run: s().run,
  });
  setHandler(amendmentStateQuery, snapshot);
  setHandler(amendmentRegistrationUpdate, async () => {
    await condition(() => s().registered || registrationError !== undefined);
    if (registrationError !== undefined) reject('StepFailed', `the amendment could not be registered: ${registrationError}`);
    return result();
  });

  // ---- Human steps: checked when sent and again in the step lock --------------------------------
  const humanStep = humanSteps({ lock: run.lock, save: () => run.save(), restore: (saved) => run.restore(saved), result });
  const expectIn = (step: Exclude<AmendmentStep, 'create' | 'cancel'>): void => {
    if (s().status !== AMENDMENT_STEP_IN[step]) reject('StepOutOfOrder', `${step} is not possible while the amendment is ${s().status}`);
  };
  const expectNotDrafter = (actor: Actor, what: string): void => {
    if (s().drafters.includes(actor.staffId)) reject('FourEyes', `the person who drafted the amendment cannot ${what} it`);
  };
  const expectOwner = (actor: Actor): void => {
    if (actor.staffId !== s().managerId && !actor.roles.includes('kam_head')) {
      reject('NotYours', `amendment ${n()} belongs to another manager's contract; ask a head of key accounts`);
    }
  };
  const onlyOnce = (list: string[], id: string): string[] => (list.includes(id) ? list : [...list, id]);
  const { task } = run;

  humanStep(
    amendmentDecisionUpdate,
    ({ actor }) => {
      expectIn('legalDecision');
      expectNotDrafter(actor, 'approve');
    },
    async ({ actor, decision, comment }) => {
      const details = { decision, comment };
      if (decision === 'approve') {
        s().approvers = onlyOnce(s().approvers, actor.staffId);
        await run.record('legal_approval', 'pending_signature', {
          actor,
          details,
          projection: { approvedAt: nowIso(), approvedBy: actor.name },
          closeTasks: ['legal_approval', 'escalation'],
          openTasks: [task('signature', `Sign amendment ${n()}`, { role: 'director' })],
        });
      } else if (decision === 'request_changes') {
        await run.record('legal_changes_requested', 'changes_requested', {
          actor,
          details,
          closeTasks: ['legal_approval', 'escalation'],
          openTasks: [task('revise_terms', `Revise amendment ${n()}: ${comment}`, run.owner())],
        });
      } else {
        await closeAs('legal_rejection', 'rejected', actor, comment, `Amendment ${n()} was rejected by the lawyer: ${comment}`);
      }
    },
  );

  humanStep(
    amendmentRevisionUpdate,
    ({ actor }) => {
      expectIn('reviseTerms');
      expectOwner(actor);
    },
    async ({ actor, draftId, changes }) => {
      s().drafters = onlyOnce(s().drafters, actor.staffId);
      s().changes = changes;
      await run.record('terms_revised', 'pending_legal_approval', {
        actor,
        projection: { draftId },
        closeTasks: ['revise_terms', 'escalation'],
        openTasks: [task('legal_approval', `Approve revised amendment ${n()}`, { role: 'lawyer' })],
      });
    },
  );

  humanStep(
    amendmentSignUpdate,
    ({ actor }) => {
      expectIn('sign');
      expectNotDrafter(actor, 'sign');
      if (s().approvers.includes(actor.staffId)) reject('FourEyes', 'the person who approved the amendment cannot also sign it');
    },
    async ({ actor }) => {
      const signedAt = nowIso();
      const { documentId } = await rendering.renderAmendmentDocument({
        workflowId: run.workflowId,
        amendmentId: s().amendmentId,
        signedBy: actor,
        date: signedAt.slice(0, 10),
      });
      s().documentId = documentId;
      await run.record('signature', 'ready_to_send', {
        actor,
        details: { documentId },
        projection: { signedAt, signedBy: actor.name, documentId },
        closeTasks: ['signature', 'escalation'],
        openTasks: [task('dispatch', `Send amendment ${n()} to the client`, run.owner())],
      });
    },
  );

  humanStep(
    amendmentDispatchUpdate,
    ({ actor }) => {
      expectIn('dispatch');
      expectOwner(actor);
    },
    async ({ actor, channel, trackingRef }) => {
      await run.record('dispatch', 'sent', {
        actor,
        details: { channel, trackingRef },
        projection: { sentDate: isoDate(Date.now()), dispatchChannel: channel, trackingRef: trackingRef ?? null },
        closeTasks: ['dispatch', 'escalation'],
        openTasks: [task('original', `Get the signed original of amendment ${n()} back from the client`, run.owner())],
      });
    },
  );

  humanStep(
    amendmentOriginalUpdate,
    ({ actor }) => {
      expectIn('original');
      expectOwner(actor);
    },
    async ({ actor, note }) => {
      await run.record('original_received', 'original_received', {
        actor,
        details: { note },
        projection: { returnedDate: isoDate(Date.now()) },
        closeTasks: ['original', 'escalation'],
        openTasks: [task('archive', `Archive the signed original of amendment ${n()}`, { role: 'lawyer' })],
      });
    },
  );

  humanStep(
    amendmentArchiveUpdate,
    () => expectIn('archive'),
    async ({ actor, location, note }) => {
      const at = nowIso();
      await run.record('archive', 'in_force', {
        actor,
        details: { location, note, changes: s().changes },
        projection: { archivedAt: at, archiveLocation: location ?? null, inForceAt: at },
        closeTasks: 'all',
        notifications: [run.toOwner(`Amendment ${n()} is in force: contract ${s().contractNumber} has its new terms`)],
      });
    },
  );

  humanStep(
    amendmentCancelUpdate,
    ({ actor }) => {
      if (isFinalAmendment(s().status) || s().status === 'registering') {
        reject('StepOutOfOrder', `a ${s().status} amendment cannot be cancelled`);
      }
      expectOwner(actor);
    },
    ({ actor, reason }) => closeAs('cancellation', 'cancelled', actor, reason, `Amendment ${n()} was cancelled: ${reason}`),
  );

  /** Ends the amendment; in force, the contract hears its changes with its status. */
  function closeAs(step: string, to: AmendmentStatus, actor: Actor | undefined, reason: string, message: string): Promise<void> {
    return run.record(step, to, {
      actor,
      details: { reason },
      projection: { closedAt: nowIso(), closeReason: reason },
      closeTasks: 'all',
      notifications: [run.toOwner(message)],
    });
  }

  // The contract ended (expired, cancelled) while this amendment was open: it goes too, decided in
  // its own step lock, so the archive step and this never both act. In force, it stays.
  setHandler(parentCancelledSignal, async (signal) => {
    if (cancellingParent(signal) !== s().parentWorkflowId) return;
    await condition(() => s().registered || registrationError !== undefined);
    const outcome = await run.lock.run(async (): Promise<ParentCancelOutcome> => {
      if (registrationError !== undefined || isFinalAmendment(s().status)) return 'ended';
      const before = run.save();
      try {
        await closeAs('cancellation', 'cancelled', signal.actor, signal.reason, `Amendment ${n()} was cancelled: ${signal.reason}`);
        return 'cancelled';
      } catch (err) {
        if (!(err instanceof ActivityFailure) || isCancellation(err)) throw err;
        run.restore(before);
        return 'left_running';
      }
    });
    // Told already with its status (cancelled); the outcome says it was the contract's doing.
    if (outcome !== 'cancelled') await run.tellParent({ parentCancel: outcome });
  });

  // ---- Registration and the clocks of every wait ------------------------------------------------
  async function register(this: void, first: NewAmendmentInput): Promise<void> {
    try {
      const { number } = await transactions.registerAmendment({
        workflowId: run.workflowId,
        amendmentId: first.amendmentId,
        contractNumber: first.contractNumber,
        clientId: first.clientId,
        managerId: first.managerId,
        createdBy: first.createdBy,
        draftId: first.draftId,
        at: new Date(s().lastStepAt).toISOString(),
      });
      s().number = number;
      await run.lock.run(async () => {
        await run.record('registration', first.needsLegalApproval ? 'pending_legal_approval' : 'pending_signature', {
          actor: first.createdBy,
          details: { changes: first.changes, legalApproval: first.needsLegalApproval },
          openTasks: [
            first.needsLegalApproval
              ? task('legal_approval', `Approve amendment ${number}: it departs from the standard terms`, { role: 'lawyer' })
              : task('signature', `Sign amendment ${number}`, { role: 'director' }),
          ],
        });
        // The contract ended before it heard of this amendment: there is nothing left to amend.
        if (run.parentGone) {
          await closeAs(
            'cancellation',
            'cancelled',
            undefined,
            'the contract is no longer in force',
            `Amendment ${number} was cancelled: its contract ended`,
          );
        }
      });
    } catch (err) {
      if (!(err instanceof ActivityFailure) || isCancellation(err)) throw err;
      registrationError = String(err.cause?.message ?? err.message);
      await condition(allHandlersFinished);
      throw ApplicationFailure.create({ type: 'RegistrationFailed', message: registrationError, nonRetryable: true });
    }
    s().registered = true;
  }

  /** Any wait: a reminder to whoever it is on, then an escalation to the head of key accounts. */
  function chaseWait(): Promise<void> {
    const wait = AMENDMENT_WAITS[s().status]!;
    return chaseWaitOf(run, {
      what: wait.what,
      on: () => (wait.owner === 'manager' ? run.owner() : { role: wait.owner }),
      name: () => `amendment ${n()}`,
      remindAfterMs: sla.stepReminderAfterMs,
      escalateAfterMs: sla.stepEscalationAfterMs,
    });
  }

  run.index();
  try {
    if (!isContinued(input)) await register(input);
    while (!isFinalAmendment(s().status)) {
      if (run.mustContinueAsNew()) {
        await condition(() => !run.lock.busy && allHandlersFinished());
        if (isFinalAmendment(s().status)) break;
        await continueAsNew<typeof amendmentWorkflow>({ continued: { ...s(), run: s().run + 1 }, sla });
      }
      if (AMENDMENT_WAITS[s().status]) await chaseWait();
      else {
        const status = s().status;
        await condition(() => s().status !== status || run.mustContinueAsNew());
      }
    }
  } catch (err) {
    // Cancelled through Temporal itself (UI, CLI): Postgres and the tasks must say so too.
    if (isCancellation(err) && s().registered && !isFinalAmendment(s().status)) {
      await CancellationScope.nonCancellable(() =>
        run.lock.run(() =>
          closeAs('cancellation', 'cancelled', undefined, 'cancelled in Temporal', `Amendment ${n()} was cancelled in Temporal`),
        ),
      );
    }
    throw err;
  }
  await condition(allHandlersFinished);
  return snapshot();
}
