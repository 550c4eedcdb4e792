// One workflow per contract: from registration through legal approval, signature, dispatch and
// the chase for the signed original, to the clients base, the archive, and expiry.
// Human steps are updates: the validator rejects a step that is not the current one at once; an
// accepted step waits its turn on the step lock and is checked again there, because the step
// before it may have moved the contract. The main loop runs the timers (reminders, escalations,
// follow-ups, renewal notice, expiry) through the same lock.
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
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import type { createActivities } from '../activities';
import type { NotificationSpec, Recipient, RecordStepInput, TaskSpec } from '../activities/types';
import { isAwaitingOriginal, isFinal, type Actor, type ContractStatus } from '../domain/contract';
import { STEP_ALLOWED_IN, type TaskKind } from '../domain/steps';
import {
  copyState,
  initialNeedsLegalApproval,
  initialState,
  isContinued,
  type ContractRunInput,
  type ContractState,
} from './contract-state';
import {
  cancelUpdate,
  clientRecordUpdate,
  dispatchUpdate,
  followUpUpdate,
  legalDecisionUpdate,
  originalUpdate,
  reassignUpdate,
  registrationUpdate,
  renewalUpdate,
  reviseTermsUpdate,
  signUpdate,
  signedScanUpdate,
  stateQuery,
  type ContractSnapshot,
  type StepRejection,
  type StepResult,
} from './messages';
import { StepLock } from './step-lock';

type Activities = ReturnType<typeof createActivities>;

// Short timeouts: these are single transactions, and a crashed worker's attempt is retried only
// after one. Errors that a retry cannot fix come back non-retryable (activities/failures.ts).
const { registerContract, recordStep, enterClientsBase } = proxyActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});
const { renderContractDocument } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

const DAY_MS = 86_400_000;
const isoDate = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

function reject(type: StepRejection, message: string): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true });
}

/** Who each wait belongs to, for its reminder and its escalation. */
const WAITS: Partial<Record<ContractStatus, { task: TaskKind; what: string; owner: 'manager' | 'lawyer' | 'director' }>> = {
  pending_legal_approval: { task: 'legal_approval', what: 'legal approval', owner: 'lawyer' },
  changes_requested: { task: 'revise_terms', what: 'revised terms', owner: 'manager' },
  pending_signature: { task: 'signature', what: "the director's signature", owner: 'director' },
  ready_to_send: { task: 'dispatch', what: 'dispatch to the client', owner: 'manager' },
  original_received: { task: 'client_record', what: 'entry into the clients base', owner: 'lawyer' },
};

export async function contractWorkflow(input: ContractRunInput): Promise<ContractSnapshot> {
  const { workflowId } = workflowInfo();
  const { sla } = input;
  let state: ContractState = isContinued(input) ? input.continued : initialState(input, Date.now());
  // Contracts started before every wait had a clock keep waiting without one.
  const chaseEveryWait = patched('chase-every-wait') && sla.stepReminderAfterMs !== undefined && sla.stepEscalationAfterMs !== undefined;

  const lock = new StepLock();
  let registrationError: string | undefined;
  // Bumped by every step so timers waiting in the main loop re-plan.
  let changes = 0;

  const manager = (): Recipient => ({ role: 'manager', staffId: state.managerId });
  const result = (): StepResult => ({ workflowId, number: state.number, status: state.status });
  const snapshot = (): ContractSnapshot => ({
    ...result(),
    clientId: state.clientId,
    managerId: state.managerId,
    endDate: state.endDate,
    documentId: state.documentId,
    followUpOpen: state.followUpOpen,
    expectedSigningDate: state.expectedSigningDate,
    run: state.run,
  });

  /** Past the configured size (or when the server suggests it), the contract continues as new. */
  const historyTooLong = (): boolean => {
    const info = workflowInfo();
    return info.continueAsNewSuggested || (sla.historyLimit !== undefined && info.historyLength >= sla.historyLimit);
  };

  /** Moves the contract and writes the step (registry, timeline, tasks, notifications) in one activity. */
  async function record(step: string, to: ContractStatus, extra: Partial<RecordStepInput> = {}): Promise<void> {
    const from = state.status;
    state.status = to;
    changes++;
    const now = Date.now();
    const waitedMs = now - state.lastStepAt;
    state.lastStepAt = now;
    state.seq++;
    if (to !== from) {
      state.waitSince = now;
      state.waitReminded = false;
      state.waitEscalated = false;
    }
    await recordStep({
      workflowId,
      process: { type: 'contract', clientId: state.clientId, contractNumber: state.number },
      number: state.number!,
      seq: state.seq,
      step,
      from: from === 'registering' ? null : from,
      to,
      at: new Date(now).toISOString(),
      waitedMs,
      ...extra,
    });
  }

  function expectStatus(allowed: readonly ContractStatus[], step: string): void {
    if (!allowed.includes(state.status)) reject('StepOutOfOrder', `${step} is not possible while the contract is ${state.status}`);
  }

  function expectNotDrafter(actor: Actor, step: string): void {
    if (state.drafters.includes(actor.staffId)) reject('FourEyes', `the person who drafted the contract cannot ${step} it`);
  }

  /** The manager's steps: theirs, or a head of key accounts'; another manager is refused. */
  function expectOwner(actor: Actor): void {
    if (actor.staffId !== state.managerId && !actor.roles.includes('kam_head')) {
      reject('NotYours', `contract ${state.number} is managed by someone else; ask a head of key accounts to reassign it`);
    }
  }

  /**
   * A human step. The validator rejects it at once when it is not the current one; once accepted it
   * takes its turn on the lock and is checked again. If its writing fails for good, the contract
   * is put back as it was and the caller is told.
   */
  function humanStep<Arg>(update: UpdateDefinition<StepResult, [Arg]>, check: (arg: Arg) => void, work: (arg: Arg) => Promise<void>): void {
    setHandler(
      update,
      async (arg: Arg) => {
        await lock.run(async () => {
          check(arg);
          const before = copyState(state);
          try {
            await work(arg);
          } catch (err) {
            if (!(err instanceof ActivityFailure)) throw err;
            state = before;
            changes++;
            if (isCancellation(err)) throw err;
            log.warn('a step failed for good and was undone', { step: update.name, error: String(err.cause?.message ?? err.message) });
            reject('StepFailed', `the ${update.name} step could not be recorded: ${err.cause?.message ?? err.message}`);
          }
        });
        return result();
      },
      { validator: check },
    );
  }

  /** Timer-driven records are best effort: one that cannot be written is logged, never retried forever. */
  async function quietly(what: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (err) {
      if (!(err instanceof ActivityFailure) || isCancellation(err)) throw err;
      changes++;
      log.error(`${what} could not be recorded`, { error: String(err.cause?.message ?? err.message) });
    }
  }

  const task = (kind: TaskKind, title: string, assignee: Recipient): TaskSpec => ({ kind, title, assignee });
  const nowIso = (): string => new Date(Date.now()).toISOString();
  const toManager = (message: string): NotificationSpec => ({ kind: 'status', message, recipient: manager() });

  setHandler(stateQuery, snapshot);

  setHandler(registrationUpdate, async () => {
    await condition(() => state.registered || registrationError !== undefined);
    if (registrationError !== undefined) reject('StepFailed', `the contract could not be registered: ${registrationError}`);
    return result();
  });

  humanStep(
    legalDecisionUpdate,
    ({ actor }) => {
      expectStatus(STEP_ALLOWED_IN.legalDecision, 'a legal decision');
      expectNotDrafter(actor, 'approve');
    },
    async ({ actor, decision, comment }) => {
      const details = { decision, comment };
      if (decision === 'approve') {
        state.approvers = [...state.approvers, actor.staffId];
        await record('legal_approval', 'pending_signature', {
          actor,
          details,
          registry: { approvedAt: nowIso(), approvedBy: actor.name },
          closeTasks: ['legal_approval', 'escalation'],
          openTasks: [task('signature', `Sign contract ${state.number}`, { role: 'director' })],
        });
      } else if (decision === 'request_changes') {
        await record('legal_changes_requested', 'changes_requested', {
          actor,
          details,
          closeTasks: ['legal_approval', 'escalation'],
          openTasks: [task('revise_terms', `Revise contract ${state.number}: ${comment}`, manager())],
        });
      } else {
        await closeAs('legal_rejection', 'rejected', actor, comment, `Contract ${state.number} was rejected by the lawyer: ${comment}`);
      }
    },
  );

  humanStep(
    reviseTermsUpdate,
    ({ actor }) => {
      expectStatus(STEP_ALLOWED_IN.reviseTerms, 'revising terms');
      expectOwner(actor);
    },
    async ({ actor, draftId, endDate, deviations, draft }) => {
      state.drafters = [...state.drafters, actor.staffId];
      state.endDate = draft?.terms.endDate ?? endDate ?? state.endDate;
      await record('terms_revised', 'pending_legal_approval', {
        actor,
        details: { deviations: draft?.deviations.length ?? deviations ?? 0 },
        registry: draft ? { draft } : { draftId },
        closeTasks: ['revise_terms', 'escalation'],
        openTasks: [task('legal_approval', `Approve revised contract ${state.number}`, { role: 'lawyer' })],
      });
    },
  );

  humanStep(
    signUpdate,
    ({ actor }) => {
      expectStatus(STEP_ALLOWED_IN.sign, 'signing');
      expectNotDrafter(actor, 'sign');
      if (state.approvers.includes(actor.staffId)) reject('FourEyes', 'the person who approved the contract cannot also sign it');
    },
    async ({ actor }) => {
      const signedAt = nowIso();
      const document = await renderContractDocument({ workflowId, number: state.number!, signedBy: actor, date: signedAt.slice(0, 10) });
      state.documentId = document.documentId;
      await record('signature', 'ready_to_send', {
        actor,
        details: { documentId: state.documentId },
        registry: { signedAt, signedBy: actor.name },
        closeTasks: ['signature', 'escalation'],
        openTasks: [task('dispatch', `Send contract ${state.number} to the client`, manager())],
      });
    },
  );

  humanStep(
    dispatchUpdate,
    ({ actor }) => {
      expectStatus(STEP_ALLOWED_IN.dispatch, 'dispatch');
      expectOwner(actor);
    },
    async ({ actor, channel, trackingRef }) => {
      state.sentAt = Date.now();
      state.nextFollowUpAt = state.sentAt + sla.followUpAfterMs;
      await record('dispatch', 'sent', {
        actor,
        details: { channel, trackingRef },
        registry: { sentDate: isoDate(state.sentAt), dispatchChannel: channel, trackingRef: trackingRef ?? null },
        closeTasks: ['dispatch', 'escalation'],
      });
    },
  );

  humanStep(
    followUpUpdate,
    ({ actor }) => {
      expectStatus(['sent', 'scan_received'], 'a follow-up');
      if (!state.followUpOpen) reject('StepOutOfOrder', `no follow-up call is due for contract ${state.number}`);
      expectOwner(actor);
    },
    async ({ actor, reached, expectedSigningDate: expected, note }) => {
      state.followUpOpen = false;
      if (expected) state.expectedSigningDate = expected;
      // Not reached: call again after the same delay.
      state.nextFollowUpAt = reached ? undefined : Date.now() + sla.followUpAfterMs;
      await record('follow_up', state.status, {
        actor,
        details: { reached, expectedSigningDate: expected, note },
        closeTasks: ['follow_up'],
      });
    },
  );

  humanStep(
    signedScanUpdate,
    ({ actor }) => {
      expectStatus(STEP_ALLOWED_IN.signedScan, 'a signed scan');
      expectOwner(actor);
    },
    async ({ actor, note }) => {
      // The client has signed: no more calls about signing, but the original is still chased.
      state.followUpOpen = false;
      state.nextFollowUpAt = undefined;
      const at = nowIso();
      await enterClientsBase({ workflowId, number: state.number!, entry: 'provisional', actor, at });
      await record('signed_scan', 'scan_received', {
        actor,
        details: { note },
        registry: { scanReceivedDate: at.slice(0, 10) },
        closeTasks: ['follow_up'],
      });
    },
  );

  humanStep(
    originalUpdate,
    ({ actor }) => {
      expectStatus(STEP_ALLOWED_IN.original, 'receiving the original');
      expectOwner(actor);
    },
    async ({ actor, note }) => {
      state.followUpOpen = false;
      await record('original_received', 'original_received', {
        actor,
        details: { note },
        registry: { returnedDate: isoDate(Date.now()) },
        closeTasks: ['follow_up', 'escalation'],
        openTasks: [
          task('client_record', `Enter the client of contract ${state.number} into the clients base and archive the original`, {
            role: 'lawyer',
          }),
        ],
      });
    },
  );

  humanStep(
    clientRecordUpdate,
    () => expectStatus(STEP_ALLOWED_IN.clientRecord, 'entering the client record'),
    async ({ actor, location, note }) => {
      const { archiveRef } = await enterClientsBase({ workflowId, number: state.number!, entry: 'final', actor, at: nowIso(), location });
      await record('client_record', 'active', {
        actor,
        details: { archiveRef, note },
        closeTasks: ['client_record', 'escalation'],
        notifications: [toManager(`Contract ${state.number} is active; the original is archived as ${archiveRef}`)],
      });
    },
  );

  const expiresAt = (): number => Date.parse(state.endDate) + sla.expiryAfterEndDateMs;

  humanStep(
    renewalUpdate,
    ({ actor, endDate }) => {
      expectStatus(STEP_ALLOWED_IN.renewal, 'a renewal');
      // Decided with the current time: an expiry already due wins, even if its timer has not fired yet.
      if (Date.now() >= expiresAt()) reject('StepOutOfOrder', `contract ${state.number} expired after ${state.endDate}`);
      expectOwner(actor);
      if (!(endDate > state.endDate)) reject('InvalidStep', `the new end date must be after ${state.endDate}`);
    },
    async ({ actor, endDate }) => {
      const previousEndDate = state.endDate;
      state.endDate = endDate;
      state.renewalNoticeOpen = false;
      await record('renewal', 'active', {
        actor,
        details: { previousEndDate, endDate },
        registry: { endDate },
        closeTasks: ['renewal'],
      });
    },
  );

  humanStep(
    cancelUpdate,
    ({ actor }) => {
      if (isFinal(state.status) || state.status === 'registering') reject('StepOutOfOrder', `a ${state.status} contract cannot be cancelled`);
      expectOwner(actor);
    },
    ({ actor, reason }) => closeAs('cancellation', 'cancelled', actor, reason, `Contract ${state.number} was cancelled: ${reason}`),
  );

  humanStep(
    reassignUpdate,
    ({ managerId }) => {
      if (isFinal(state.status) || state.status === 'registering') reject('StepOutOfOrder', `a ${state.status} contract cannot be reassigned`);
      if (managerId === state.managerId) reject('InvalidStep', `contract ${state.number} is already managed by this person`);
    },
    async ({ actor, managerId, managerName }) => {
      const previous = state.managerId;
      state.managerId = managerId;
      await record('reassignment', state.status, {
        actor,
        details: { from: previous, to: managerId, managerName },
        registry: { managerId },
        reassignTasks: { from: previous, to: managerId },
        notifications: [
          toManager(`Contract ${state.number} is now yours (reassigned by ${actor.name})`),
          { kind: 'status', message: `Contract ${state.number} was reassigned to ${managerName}`, recipient: { role: 'manager', staffId: previous } },
        ],
      });
    },
  );

  /** Ends the contract: every open task is closed and the manager is told why. */
  async function closeAs(step: string, to: ContractStatus, actor: Actor | undefined, reason: string, message: string): Promise<void> {
    await record(step, to, {
      actor,
      details: { reason },
      registry: { closedAt: nowIso(), closeReason: reason },
      closeTasks: 'all',
      notifications: [toManager(message)],
    });
  }

  /** Waits until a step changes something or `deadline` passes; true when the deadline passed. */
  async function deadlinePassed(deadline: number): Promise<boolean> {
    const seen = changes;
    const remaining = deadline - Date.now();
    if (remaining <= 0) return true;
    return !(await condition(() => changes !== seen || historyTooLong(), remaining));
  }

  async function untilChanged(): Promise<void> {
    const seen = changes;
    await condition(() => changes !== seen || historyTooLong());
  }

  /** Follow-up calls, one reminder and one escalation, counted from the day the contract was sent. */
  async function chaseOriginal(): Promise<void> {
    while (isAwaitingOriginal(state.status) && !historyTooLong()) {
      const sentAt = state.sentAt!;
      const reminderAt = state.reminded ? Infinity : sentAt + sla.reminderAfterMs;
      const escalationAt = state.escalated ? Infinity : sentAt + sla.escalationAfterMs;
      const followUpAt = state.followUpOpen || state.nextFollowUpAt === undefined ? Infinity : state.nextFollowUpAt;
      const due = Math.min(reminderAt, escalationAt, followUpAt);
      if (due === Infinity) {
        await untilChanged();
        continue;
      }
      if (!(await deadlinePassed(due))) continue;
      await lock.run(() =>
        quietly('the chase of the original', async () => {
          if (!isAwaitingOriginal(state.status)) return;
          const now = Date.now();
          const number = state.number;
          if (followUpAt <= now && !state.followUpOpen && state.nextFollowUpAt !== undefined) {
            state.followUpOpen = true;
            state.nextFollowUpAt = undefined;
            await record('follow_up_due', state.status, {
              openTasks: [task('follow_up', `Call the client about contract ${number}: did it arrive, when will it be signed?`, manager())],
            });
          } else if (reminderAt <= now) {
            state.reminded = true;
            await record('reminder', state.status, {
              notifications: [{ kind: 'reminder', message: `Reminder: the signed original of contract ${number} has not come back yet`, recipient: manager() }],
            });
          } else if (escalationAt <= now) {
            state.escalated = true;
            await record('escalation', state.status, {
              openTasks: [task('escalation', `Contract ${number}: the signed original is overdue; help the manager get it back`, { role: 'kam_head' })],
              notifications: [
                { kind: 'escalation', message: `Contract ${number} was escalated: no signed original since ${isoDate(sentAt)}`, recipient: manager() },
              ],
            });
          }
        }),
      );
    }
  }

  /** Any other wait: a reminder to whoever it waits on, then an escalation to the head of key accounts. */
  async function chaseWait(): Promise<void> {
    const current = state.status;
    const wait = WAITS[current]!;
    while (state.status === current && !historyTooLong()) {
      const reminderAt = state.waitReminded ? Infinity : state.waitSince + sla.stepReminderAfterMs!;
      const escalationAt = state.waitEscalated ? Infinity : state.waitSince + sla.stepEscalationAfterMs!;
      const due = Math.min(reminderAt, escalationAt);
      if (due === Infinity) {
        await untilChanged();
        continue;
      }
      if (!(await deadlinePassed(due))) continue;
      await lock.run(() =>
        quietly(`the chase of ${wait.what}`, async () => {
          if (state.status !== current) return;
          const now = Date.now();
          const owner: Recipient = wait.owner === 'manager' ? manager() : { role: wait.owner };
          const since = isoDate(state.waitSince);
          if (reminderAt <= now && !state.waitReminded) {
            state.waitReminded = true;
            await record('reminder', current, {
              notifications: [{ kind: 'reminder', message: `Reminder: contract ${state.number} has been waiting for ${wait.what} since ${since}`, recipient: owner }],
            });
          } else if (escalationAt <= now && !state.waitEscalated) {
            state.waitEscalated = true;
            await record('escalation', current, {
              openTasks: [task('escalation', `Contract ${state.number} has been waiting for ${wait.what} since ${since}: see that it moves`, { role: 'kam_head' })],
              notifications: [{ kind: 'escalation', message: `Contract ${state.number} was escalated: ${wait.what} overdue since ${since}`, recipient: owner }],
            });
          }
        }),
      );
    }
  }

  /** A renewal task some time before the end date, then expiry unless the contract was renewed. */
  async function watchExpiry(): Promise<void> {
    while (state.status === 'active' && !historyTooLong()) {
      const expiry = expiresAt();
      const due = state.renewalNoticeOpen ? expiry : Math.min(expiry - sla.renewalNoticeMs, expiry);
      if (!(await deadlinePassed(due))) continue;
      await lock.run(() =>
        quietly('the expiry watch', async () => {
          if (state.status !== 'active') return;
          const expiryNow = expiresAt();
          if (Date.now() >= expiryNow) {
            await closeAs('expiry', 'expired', undefined, 'expired', `Contract ${state.number} expired after ${state.endDate}`);
          } else if (!state.renewalNoticeOpen) {
            state.renewalNoticeOpen = true;
            const daysLeft = Math.max(0, Math.round((expiryNow - Date.now()) / DAY_MS));
            await record('renewal_due', state.status, {
              openTasks: [task('renewal', `Contract ${state.number} ends on ${state.endDate} (${daysLeft} days left): renew it or let it expire`, manager())],
            });
          }
        }),
      );
    }
  }

  async function register(): Promise<void> {
    if (isContinued(input)) return;
    try {
      const { number } = await registerContract({
        workflowId,
        clientId: input.clientId,
        managerId: input.managerId,
        createdBy: input.createdBy,
        template: input.template,
        ...('terms' in input
          ? { draft: { terms: input.terms, deviations: input.deviations, additionalAgreement: input.additionalAgreement, specialAppendix: input.specialAppendix } }
          : { draftId: input.draftId }),
        at: new Date(state.lastStepAt).toISOString(),
      });
      state.number = number;
      const legal = initialNeedsLegalApproval(input);
      await lock.run(async () => {
        const details = { template: input.template, legalApproval: legal };
        await record('registration', legal ? 'pending_legal_approval' : 'pending_signature', {
          actor: input.createdBy,
          details,
          openTasks: [
            legal
              ? task('legal_approval', `Approve contract ${number}: its terms differ from the standard form`, { role: 'lawyer' })
              : task('signature', `Sign contract ${number}`, { role: 'director' }),
          ],
        });
      });
    } catch (err) {
      if (!(err instanceof ActivityFailure) || isCancellation(err)) throw err;
      registrationError = String(err.cause?.message ?? err.message);
      await condition(allHandlersFinished);
      throw ApplicationFailure.create({ type: 'RegistrationFailed', message: registrationError, nonRetryable: true });
    }
    state.registered = true;
  }

  try {
    await register();
    while (!isFinal(state.status)) {
      if (historyTooLong()) {
        // Continue as new only between steps, so no step is cut in half.
        await condition(() => !lock.busy && allHandlersFinished());
        if (isFinal(state.status)) break;
        await continueAsNew<typeof contractWorkflow>({ continued: { ...state, run: state.run + 1 }, sla });
      }
      if (isAwaitingOriginal(state.status)) await chaseOriginal();
      else if (state.status === 'active') await watchExpiry();
      else if (chaseEveryWait && WAITS[state.status]) await chaseWait();
      else {
        const current = state.status;
        await condition(() => state.status !== current || historyTooLong());
      }
    }
  } catch (err) {
    // Cancelled through Temporal itself (UI, CLI): the registry and tasks must say so too.
    if (isCancellation(err) && state.registered && !isFinal(state.status)) {
      await CancellationScope.nonCancellable(() =>
        lock.run(() => closeAs('cancellation', 'cancelled', undefined, 'cancelled in Temporal', `Contract ${state.number} was cancelled in Temporal`)),
      );
    }
    throw err;
  }
  await condition(allHandlersFinished);
  return snapshot();
}
