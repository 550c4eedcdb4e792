// One workflow per contract: from registration through legal approval, signature, dispatch and
// the chase for the signed original, to the clients base, the archive, and expiry.
// Human steps are updates whose validators reject a step that is not the current one; the main
// loop only runs the timers (follow-up, reminder, escalation, renewal notice, expiry).
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import type { createActivities } from '../activities';
import type { NotificationSpec, RecordStepInput, TaskSpec } from '../activities/types';
import {
  isAwaitingOriginal,
  isFinal,
  needsLegalApproval,
  type Actor,
  type ContractDraft,
  type ContractStatus,
  type ContractWorkflowInput,
  type Deviation,
} from '../domain/contract';
import { STEP_ALLOWED_IN, type TaskKind } from '../domain/steps';
import {
  cancelUpdate,
  clientRecordUpdate,
  dispatchUpdate,
  followUpUpdate,
  legalDecisionUpdate,
  originalUpdate,
  registrationUpdate,
  renewalUpdate,
  reviseTermsUpdate,
  signUpdate,
  signedScanUpdate,
  stateQuery,
  type ContractSnapshot,
  type StepRejection,
} from './messages';

type Activities = ReturnType<typeof createActivities>;

// Short timeouts: these are single transactions, and a crashed worker's attempt is retried only after one.
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

export async function contractWorkflow(input: ContractWorkflowInput): Promise<ContractSnapshot> {
  const { workflowId } = workflowInfo();
  const { sla, managerId } = input;
  const manager = { role: 'manager', staffId: managerId } as const;

  let number: string | undefined;
  let status = 'registering' as ContractStatus;
  let draft: ContractDraft = { terms: input.terms, deviations: input.deviations, additionalAgreement: input.additionalAgreement, specialAppendix: input.specialAppendix };
  let approvedDeviations: Deviation[] = [];
  let documentId: string | undefined;
  const drafters = new Set([input.createdBy.staffId]);
  let sentAt: number | undefined;
  let followUpOpen = false;
  let nextFollowUpAt: number | undefined;
  let expectedSigningDate: string | undefined;
  let renewalNoticeOpen = false;

  // A step in flight keeps the next one waiting, so steps reach the registry in order.
  let busy = false;
  // Set once the number and the first step are written; the API answers the creation then.
  let registered = false;
  let seq = 0;
  let lastStepAt = Date.now();
  // Bumped by every step so timers waiting in the main loop re-plan.
  let changes = 0;

  const snapshot = (): ContractSnapshot => ({
    workflowId,
    number,
    status,
    clientId: input.clientId,
    managerId,
    ...draft,
    approvedDeviations,
    documentId,
    followUpOpen,
    expectedSigningDate,
  });

  /** Moves the contract and writes the step (registry, timeline, tasks, notifications) in one activity. */
  async function record(step: string, to: ContractStatus, extra: Partial<RecordStepInput> = {}): Promise<void> {
    const from = status;
    status = to;
    changes++;
    const now = Date.now();
    const waitedMs = now - lastStepAt;
    lastStepAt = now;
    seq++;
    await recordStep({
      workflowId,
      number: number!,
      seq,
      step,
      from: from === 'registering' ? null : from,
      to,
      at: new Date(now).toISOString(),
      waitedMs,
      ...extra,
    });
  }

  /** Throws the rejection when `step` is not the current one. */
  function expectStatus(allowed: readonly ContractStatus[], step: string): void {
    if (!allowed.includes(status)) reject('StepOutOfOrder', `${step} is not possible while the contract is ${status}`);
  }

  function expectNotDrafter(actor: Actor, step: string): void {
    if (drafters.has(actor.staffId)) reject('FourEyes', `the person who drafted the contract cannot ${step} it`);
  }

  /** Steps are written one at a time, so the registry never sees them out of order. */
  async function exclusively(work: () => Promise<void>): Promise<void> {
    await condition(() => !busy);
    busy = true;
    try {
      await work();
    } finally {
      busy = false;
    }
  }

  /**
   * A human step: the validator rejects it at once when it is not the current one; once accepted it
   * waits for any step in flight and checks again, since that step may have moved the contract.
   */
  function humanStep<Arg>(
    update: UpdateDefinition<ContractSnapshot, [Arg]>,
    check: (arg: Arg) => void,
    work: (arg: Arg) => Promise<void>,
  ): void {
    setHandler(
      update,
      async (arg: Arg) => {
        await exclusively(async () => {
          check(arg);
          await work(arg);
        });
        return snapshot();
      },
      { validator: check },
    );
  }

  const task = (kind: TaskKind, title: string, assignee: TaskSpec['assignee']): TaskSpec => ({ kind, title, assignee });

  const nowIso = (): string => new Date(Date.now()).toISOString();
  const toManager = (message: string): NotificationSpec => ({ kind: 'status', message, recipient: manager });

  setHandler(stateQuery, snapshot);

  setHandler(registrationUpdate, async () => {
    await condition(() => registered);
    return snapshot();
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
        approvedDeviations = draft.deviations;
        await record('legal_approval', 'pending_signature', {
          actor,
          details,
          registry: { approvedAt: nowIso(), approvedBy: actor.name },
          closeTasks: ['legal_approval'],
          openTasks: [task('signature', `Sign contract ${number}`, { role: 'director' })],
        });
      } else if (decision === 'request_changes') {
        await record('legal_changes_requested', 'changes_requested', {
          actor,
          details,
          closeTasks: ['legal_approval'],
          openTasks: [task('revise_terms', `Revise contract ${number}: ${comment}`, manager)],
        });
      } else {
        await closeAs('legal_rejection', 'rejected', actor, comment, `Contract ${number} was rejected by the lawyer: ${comment}`);
      }
    },
  );

  humanStep(
    reviseTermsUpdate,
    () => expectStatus(STEP_ALLOWED_IN.reviseTerms, 'revising terms'),
    async ({ actor, draft: revised }) => {
      draft = revised;
      drafters.add(actor.staffId);
      await record('terms_revised', 'pending_legal_approval', {
        actor,
        details: { deviations: revised.deviations.length },
        registry: { draft: revised },
        closeTasks: ['revise_terms'],
        openTasks: [task('legal_approval', `Approve revised contract ${number}`, { role: 'lawyer' })],
      });
    },
  );

  humanStep(
    signUpdate,
    ({ actor }) => {
      expectStatus(STEP_ALLOWED_IN.sign, 'signing');
      expectNotDrafter(actor, 'sign');
    },
    async ({ actor }) => {
      const signedAt = nowIso();
      const document = await renderContractDocument({ workflowId, number: number!, signedBy: actor, date: signedAt.slice(0, 10) });
      documentId = document.documentId;
      await record('signature', 'ready_to_send', {
        actor,
        details: { documentId },
        registry: { signedAt, signedBy: actor.name },
        closeTasks: ['signature'],
        openTasks: [task('dispatch', `Send contract ${number} to the client`, manager)],
      });
    },
  );

  humanStep(
    dispatchUpdate,
    () => expectStatus(STEP_ALLOWED_IN.dispatch, 'dispatch'),
    async ({ actor, channel, trackingRef }) => {
      sentAt = Date.now();
      nextFollowUpAt = sentAt + sla.followUpAfterMs;
      await record('dispatch', 'sent', {
        actor,
        details: { channel, trackingRef },
        registry: { sentDate: isoDate(sentAt), dispatchChannel: channel, trackingRef: trackingRef ?? null },
        closeTasks: ['dispatch'],
      });
    },
  );

  humanStep(
    followUpUpdate,
    () => {
      expectStatus(['sent', 'scan_received'], 'a follow-up');
      if (!followUpOpen) reject('StepOutOfOrder', `no follow-up call is due for contract ${number}`);
    },
    async ({ actor, reached, expectedSigningDate: expected, note }) => {
      followUpOpen = false;
      if (expected) expectedSigningDate = expected;
      // Not reached: call again after the same delay.
      nextFollowUpAt = reached ? undefined : Date.now() + sla.followUpAfterMs;
      await record('follow_up', status, {
        actor,
        details: { reached, expectedSigningDate: expected, note },
        closeTasks: ['follow_up'],
      });
    },
  );

  humanStep(
    signedScanUpdate,
    () => expectStatus(STEP_ALLOWED_IN.signedScan, 'a signed scan'),
    async ({ actor, note }) => {
      // The client has signed: no more calls about signing, but the original is still chased.
      followUpOpen = false;
      nextFollowUpAt = undefined;
      const at = nowIso();
      await enterClientsBase({ workflowId, number: number!, entry: 'provisional', actor, at });
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
    () => expectStatus(STEP_ALLOWED_IN.original, 'receiving the original'),
    async ({ actor, note }) => {
      followUpOpen = false;
      await record('original_received', 'original_received', {
        actor,
        details: { note },
        registry: { returnedDate: isoDate(Date.now()) },
        closeTasks: ['follow_up', 'escalation'],
        openTasks: [
          task('client_record', `Enter the client of contract ${number} into the clients base and archive the original`, {
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
      const { archiveRef } = await enterClientsBase({ workflowId, number: number!, entry: 'final', actor, at: nowIso(), location });
      await record('client_record', 'active', {
        actor,
        details: { archiveRef, note },
        closeTasks: ['client_record'],
        notifications: [toManager(`Contract ${number} is active; the original is archived as ${archiveRef}`)],
      });
    },
  );

  humanStep(
    renewalUpdate,
    ({ endDate }) => {
      expectStatus(STEP_ALLOWED_IN.renewal, 'a renewal');
      if (!(endDate > draft.terms.endDate)) reject('InvalidStep', `the new end date must be after ${draft.terms.endDate}`);
    },
    async ({ actor, endDate }) => {
      const previousEndDate = draft.terms.endDate;
      draft = { ...draft, terms: { ...draft.terms, endDate } };
      renewalNoticeOpen = false;
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
    () => {
      if (isFinal(status) || status === 'registering') reject('StepOutOfOrder', `a ${status} contract cannot be cancelled`);
    },
    ({ actor, reason }) => closeAs('cancellation', 'cancelled', actor, reason, `Contract ${number} was cancelled: ${reason}`),
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
    return !(await condition(() => changes !== seen, remaining));
  }

  /** Follow-up calls, one reminder and one escalation, counted from the day the contract was sent. */
  async function chaseOriginal(): Promise<void> {
    let reminded = false;
    let escalated = false;
    while (isAwaitingOriginal(status)) {
      const reminderAt = reminded ? Infinity : sentAt! + sla.reminderAfterMs;
      const escalationAt = escalated ? Infinity : sentAt! + sla.escalationAfterMs;
      const followUpAt = followUpOpen || nextFollowUpAt === undefined ? Infinity : nextFollowUpAt;
      const due = Math.min(reminderAt, escalationAt, followUpAt);
      if (due === Infinity) {
        const seen = changes;
        await condition(() => changes !== seen);
        continue;
      }
      if (!(await deadlinePassed(due))) continue;
      await exclusively(async () => {
        if (!isAwaitingOriginal(status)) return;
        const now = Date.now();
        if (followUpAt <= now && !followUpOpen && nextFollowUpAt !== undefined) {
          followUpOpen = true;
          nextFollowUpAt = undefined;
          await record('follow_up_due', status, {
            openTasks: [task('follow_up', `Call the client about contract ${number}: did it arrive, when will it be signed?`, manager)],
          });
        } else if (reminderAt <= now) {
          reminded = true;
          await record('reminder', status, {
            notifications: [{ kind: 'reminder', message: `Reminder: the signed original of contract ${number} has not come back yet`, recipient: manager }],
          });
        } else if (escalationAt <= now) {
          escalated = true;
          await record('escalation', status, {
            openTasks: [task('escalation', `Contract ${number}: the signed original is overdue; help the manager get it back`, { role: 'kam_head' })],
            notifications: [{ kind: 'escalation', message: `Contract ${number} was escalated: no signed original since ${isoDate(sentAt!)}`, recipient: manager }],
          });
        }
      });
    }
  }

  /** A renewal task some time before the end date, then expiry unless the contract was renewed. */
  async function watchExpiry(): Promise<void> {
    while (status === 'active') {
      const expiresAt = Date.parse(draft.terms.endDate) + sla.expiryAfterEndDateMs;
      const due = renewalNoticeOpen ? expiresAt : Math.min(expiresAt - sla.renewalNoticeMs, expiresAt);
      if (!(await deadlinePassed(due))) continue;
      await exclusively(async () => {
        if (status !== 'active') return;
        if (Date.now() >= expiresAt) {
          await closeAs('expiry', 'expired', undefined, 'expired', `Contract ${number} expired after ${draft.terms.endDate}`);
        } else if (!renewalNoticeOpen) {
          renewalNoticeOpen = true;
          const daysLeft = Math.max(0, Math.round((expiresAt - Date.now()) / DAY_MS));
          await record('renewal_due', status, {
            openTasks: [task('renewal', `Contract ${number} ends on ${draft.terms.endDate} (${daysLeft} days left): renew it or let it expire`, manager)],
          });
        }
      });
    }
  }

  const { number: registeredNumber } = await registerContract({
    workflowId,
    clientId: input.clientId,
    managerId,
    createdBy: input.createdBy,
    template: input.template,
    draft,
    at: new Date(lastStepAt).toISOString(),
  });
  number = registeredNumber;
  await exclusively(async () => {
    const details = { template: input.template, deviations: draft.deviations.length };
    if (needsLegalApproval(draft)) {
      await record('registration', 'pending_legal_approval', {
        actor: input.createdBy,
        details,
        openTasks: [task('legal_approval', `Approve contract ${number}: its terms differ from the standard form`, { role: 'lawyer' })],
      });
    } else {
      await record('registration', 'pending_signature', {
        actor: input.createdBy,
        details,
        openTasks: [task('signature', `Sign contract ${number}`, { role: 'director' })],
      });
    }
  });

  registered = true;

  while (!isFinal(status)) {
    if (isAwaitingOriginal(status)) await chaseOriginal();
    else if (status === 'active') await watchExpiry();
    else {
      const current = status;
      await condition(() => status !== current);
    }
  }
  await condition(allHandlersFinished);
  return snapshot();
}
