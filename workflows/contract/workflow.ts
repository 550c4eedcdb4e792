// One workflow per contract: from registration through legal approval, signature, dispatch and
// the chase for the signed original, to the clients base, the archive, and expiry. Its human steps
// (steps.ts) and its clocks (deadlines.ts) act one at a time through the run's step lock; this
// module registers the contract, runs the clocks of whatever status it is in, continues as new
// when its history grows long, and records a cancellation that comes from Temporal itself or from
// the onboarding that started it (which it decides on in its own step lock: it goes unless in force).
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  allHandlersFinished,
  condition,
  continueAsNew,
  isCancellation,
  log,
  patched,
  setHandler,
} from '@temporalio/workflow';
import { isAwaitingOriginal, isFinal } from './rules';
import { registrationUpdate, stateQuery, type ContractSnapshot } from './messages';
import { cancellingParent, parentCancelledSignal, type ParentCancelOutcome } from '../engine/parent-child';
import { reject } from '../engine/rejections';
import { chaseOriginal, chaseWait, watchExpiry, WAITS } from './deadlines';
import { activities, ContractRun } from './run';
import { copyState, initialNeedsLegalApproval, initialState, isContinued, type ContractRunInput } from './state';
import { registerContractSteps } from './steps';
import { hearChildren } from './children';

export async function contractWorkflow(input: ContractRunInput): Promise<ContractSnapshot> {
  const run = new ContractRun(isContinued(input) ? input.continued : initialState(input, Date.now()), input.sla);
  const { sla } = input;
  // Contracts started before every wait had a clock keep waiting without one.
  const chaseEveryWait = patched('chase-every-wait') && sla.stepReminderAfterMs !== undefined && sla.stepEscalationAfterMs !== undefined;
  // Contracts started before processes were indexed keep their histories as they were.
  run.indexed = patched('process-search-attributes');
  run.index();
  let registrationError: string | undefined;

  const snapshot = (): ContractSnapshot => ({
    ...run.result(),
    clientId: run.state.clientId,
    managerId: run.state.managerId,
    endDate: run.state.endDate,
    documentId: run.state.documentId,
    followUpOpen: run.state.followUpOpen,
    expectedSigningDate: run.state.expectedSigningDate,
    run: run.state.run,
  });
  setHandler(stateQuery, snapshot);

  setHandler(registrationUpdate, async () => {
    await condition(() => run.state.registered || registrationError !== undefined);
    if (registrationError !== undefined) reject('StepFailed', `the contract could not be registered: ${registrationError}`);
    return run.result();
  });

  registerContractSteps(run);
  hearChildren(run);

  // The onboarding that started this contract was cancelled. What is in force stays in force: the
  // contract goes only if it is not active, decided here, in its own step lock, so a step that
  // makes it active (the client record) and this never both act, whatever the timing. The
  // onboarding hears what was done.
  setHandler(parentCancelledSignal, async (signal) => {
    const { actor, reason } = signal;
    const parent = run.state.parentWorkflowId;
    if (parent === undefined || cancellingParent(signal) !== parent) return;
    // A contract is cancelled once it is registered (or never, when its registration failed).
    await condition(() => run.state.registered || registrationError !== undefined);
    const outcome = await run.lock.run(async (): Promise<ParentCancelOutcome> => {
      const { status } = run.state;
      if (registrationError !== undefined || isFinal(status)) return 'ended';
      if (status === 'active') return 'left_running';
      const before = copyState(run.state);
      const why = `the onboarding was cancelled: ${reason}`;
      try {
        await run.record('cancellation', 'cancelled', {
          actor,
          details: { reason: why, onboarding: parent },
          registry: { closedAt: new Date(Date.now()).toISOString(), closeReason: why },
          closeTasks: 'all',
          notifications: [run.toManager(`Contract ${run.state.number} was cancelled with its onboarding: ${reason}`)],
        });
        return 'cancelled';
      } catch (err) {
        if (!(err instanceof ActivityFailure) || isCancellation(err)) throw err;
        // Written it cannot be: the contract stays as it was, and says so.
        run.state = before;
        run.changed();
        log.warn('the cancellation with the onboarding could not be recorded', { error: String(err.cause?.message ?? err.message) });
        return 'left_running';
      }
    });
    await run.answerParent(outcome);
  });

  async function register(): Promise<void> {
    if (isContinued(input)) return;
    try {
      const { number } = await activities.registerContract({
        workflowId: run.workflowId,
        clientId: input.clientId,
        managerId: input.managerId,
        createdBy: input.createdBy,
        template: input.template,
        ...('terms' in input
          ? {
              draft: {
                terms: input.terms,
                deviations: input.deviations,
                additionalAgreement: input.additionalAgreement,
                specialAppendix: input.specialAppendix,
              },
            }
          : { draftId: input.draftId }),
        at: new Date(run.state.lastStepAt).toISOString(),
      });
      run.state.number = number;
      const legal = initialNeedsLegalApproval(input);
      await run.lock.run(async () => {
        await run.record('registration', legal ? 'pending_legal_approval' : 'pending_signature', {
          actor: input.createdBy,
          details: { template: input.template, legalApproval: legal },
          openTasks: [
            legal
              ? run.task('legal_approval', `Approve contract ${number}: its terms differ from the standard form`, { role: 'lawyer' })
              : run.task('signature', `Sign contract ${number}`, { role: 'director' }),
          ],
        });
      });
    } catch (err) {
      if (!(err instanceof ActivityFailure) || isCancellation(err)) throw err;
      registrationError = String(err.cause?.message ?? err.message);
      await condition(allHandlersFinished);
      throw ApplicationFailure.create({ type: 'RegistrationFailed', message: registrationError, nonRetryable: true });
    }
    run.state.registered = true;
  }

  try {
    await register();
    while (!isFinal(run.state.status)) {
      if (run.mustContinueAsNew()) {
        // Continue as new only between steps, so no step is cut in half.
        await condition(() => !run.lock.busy && allHandlersFinished());
        if (isFinal(run.state.status)) break;
        await continueAsNew<typeof contractWorkflow>({ continued: { ...run.state, run: run.state.run + 1 }, sla });
      }
      const status = run.state.status;
      if (isAwaitingOriginal(status)) await chaseOriginal(run);
      else if (status === 'active') await watchExpiry(run);
      else if (chaseEveryWait && WAITS[status]) await chaseWait(run);
      else await condition(() => run.state.status !== status || run.mustContinueAsNew());
    }
  } catch (err) {
    // Cancelled through Temporal itself (UI, CLI): the registry and tasks must say so too.
    if (isCancellation(err) && run.state.registered && !isFinal(run.state.status)) {
      await CancellationScope.nonCancellable(() =>
        run.lock.run(() =>
          run.closeAs(
            'cancellation',
            'cancelled',
            undefined,
            'cancelled in Temporal',
            `Contract ${run.state.number} was cancelled in Temporal`,
          ),
        ),
      );
    }
    throw err;
  }
  await condition(allHandlersFinished);
  return snapshot();
}
