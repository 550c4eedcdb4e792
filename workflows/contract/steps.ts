// The contract's human steps: who may take each, in which status, and what it records.
import { patched } from '@temporalio/workflow';
import { isFinal, type ContractStatus } from './rules';
import type { Actor } from '../../domain/people';
import { STEP_ALLOWED_IN } from './step-rules';
import {
  cancelUpdate,
  clientRecordUpdate,
  dispatchUpdate,
  followUpUpdate,
  legalDecisionUpdate,
  originalUpdate,
  reassignUpdate,
  renewalUpdate,
  reviseTermsUpdate,
  signUpdate,
  signedScanUpdate,
} from './messages';
import { tellClientNews } from '../engine/client-news';
import { humanSteps } from '../engine/human-steps';
import { reject } from '../engine/rejections';
import { activities, isoDate, nowIso, type ContractRun } from './run';
import { copyState } from './state';

/** When an active contract expires: its end date's 00:00 UTC plus the configured delay. */
export const expiresAt = (run: ContractRun): number => Date.parse(run.state.endDate) + run.sla.expiryAfterEndDateMs;

export function registerContractSteps(run: ContractRun): void {
  const humanStep = humanSteps({
    lock: run.lock,
    save: () => copyState(run.state),
    restore: (saved) => {
      run.state = saved;
      run.changed();
    },
    result: () => run.result(),
  });

  const expectStatus = (allowed: readonly ContractStatus[], step: string): void => {
    if (!allowed.includes(run.state.status)) reject('StepOutOfOrder', `${step} is not possible while the contract is ${run.state.status}`);
  };
  const expectNotDrafter = (actor: Actor, step: string): void => {
    if (run.state.drafters.includes(actor.staffId)) reject('FourEyes', `the person who drafted the contract cannot ${step} it`);
  };
  /** The manager's steps: theirs, or a head of key accounts'; another manager is refused. */
  const expectOwner = (actor: Actor): void => {
    if (actor.staffId !== run.state.managerId && !actor.roles.includes('kam_head')) {
      reject('NotYours', `contract ${run.state.number} is managed by someone else; ask a head of key accounts to reassign it`);
    }
  };
  const expectOpen = (what: string): void => {
    if (isFinal(run.state.status) || run.state.status === 'registering')
      reject('StepOutOfOrder', `a ${run.state.status} contract cannot be ${what}`);
  };
  const { task } = run;
  const n = () => run.state.number;

  humanStep(
    legalDecisionUpdate,
    ({ actor }) => {
      expectStatus(STEP_ALLOWED_IN.legalDecision, 'a legal decision');
      expectNotDrafter(actor, 'approve');
    },
    async ({ actor, decision, comment }) => {
      const details = { decision, comment };
      if (decision === 'approve') {
        // Each person once: the lists stay bounded by the staff, however often the terms go round.
        if (!run.state.approvers.includes(actor.staffId)) run.state.approvers = [...run.state.approvers, actor.staffId];
        await run.record('legal_approval', 'pending_signature', {
          actor,
          details,
          registry: { approvedAt: nowIso(), approvedBy: actor.name },
          closeTasks: ['legal_approval', 'escalation'],
          openTasks: [task('signature', `Sign contract ${n()}`, { role: 'director' })],
        });
      } else if (decision === 'request_changes') {
        await run.record('legal_changes_requested', 'changes_requested', {
          actor,
          details,
          closeTasks: ['legal_approval', 'escalation'],
          openTasks: [task('revise_terms', `Revise contract ${n()}: ${comment}`, run.manager())],
        });
      } else {
        await run.closeAs('legal_rejection', 'rejected', actor, comment, `Contract ${n()} was rejected by the lawyer: ${comment}`);
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
      if (!run.state.drafters.includes(actor.staffId)) run.state.drafters = [...run.state.drafters, actor.staffId];
      run.state.endDate = draft?.terms.endDate ?? endDate ?? run.state.endDate;
      await run.record('terms_revised', 'pending_legal_approval', {
        actor,
        details: { deviations: draft?.deviations.length ?? deviations ?? 0 },
        registry: draft ? { draft } : { draftId },
        closeTasks: ['revise_terms', 'escalation'],
        openTasks: [task('legal_approval', `Approve revised contract ${n()}`, { role: 'lawyer' })],
      });
    },
  );

  humanStep(
    signUpdate,
    ({ actor }) => {
      expectStatus(STEP_ALLOWED_IN.sign, 'signing');
      expectNotDrafter(actor, 'sign');
      if (run.state.approvers.includes(actor.staffId)) reject('FourEyes', 'the person who approved the contract cannot also sign it');
    },
    async ({ actor }) => {
      const signedAt = nowIso();
      const document = await activities.renderContractDocument({
        workflowId: run.workflowId,
        number: n()!,
        signedBy: actor,
        date: signedAt.slice(0, 10),
      });
      run.state.documentId = document.documentId;
      await run.record('signature', 'ready_to_send', {
        actor,
        details: { documentId: run.state.documentId },
        registry: { signedAt, signedBy: actor.name },
        closeTasks: ['signature', 'escalation'],
        openTasks: [task('dispatch', `Send contract ${n()} to the client`, run.manager())],
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
      const sentAt = Date.now();
      run.state.sentAt = sentAt;
      run.state.nextFollowUpAt = sentAt + run.sla.followUpAfterMs;
      await run.record('dispatch', 'sent', {
        actor,
        details: { channel, trackingRef },
        registry: { sentDate: isoDate(sentAt), dispatchChannel: channel, trackingRef: trackingRef ?? null },
        closeTasks: ['dispatch', 'escalation'],
      });
    },
  );

  humanStep(
    followUpUpdate,
    ({ actor }) => {
      expectStatus(['sent', 'scan_received'], 'a follow-up');
      if (!run.state.followUpOpen) reject('StepOutOfOrder', `no follow-up call is due for contract ${n()}`);
      expectOwner(actor);
    },
    async ({ actor, reached, expectedSigningDate: expected, note }) => {
      run.state.followUpOpen = false;
      if (expected) run.state.expectedSigningDate = expected;
      // Not reached: call again after the same delay.
      run.state.nextFollowUpAt = reached ? undefined : Date.now() + run.sla.followUpAfterMs;
      await run.record('follow_up', run.state.status, {
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
      run.state.followUpOpen = false;
      run.state.nextFollowUpAt = undefined;
      const at = nowIso();
      await activities.enterClientsBase({ workflowId: run.workflowId, number: n()!, entry: 'provisional', actor, at });
      await run.record('signed_scan', 'scan_received', {
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
      run.state.followUpOpen = false;
      await run.record('original_received', 'original_received', {
        actor,
        details: { note },
        registry: { returnedDate: isoDate(Date.now()) },
        closeTasks: ['follow_up', 'escalation'],
        openTasks: [
          task('client_record', `Enter the client of contract ${n()} into the clients base and archive the original`, { role: 'lawyer' }),
        ],
      });
    },
  );

  humanStep(
    clientRecordUpdate,
    () => expectStatus(STEP_ALLOWED_IN.clientRecord, 'entering the client record'),
    async ({ actor, location, note }) => {
      const { archiveRef } = await activities.enterClientsBase({
        workflowId: run.workflowId,
        number: n()!,
        entry: 'final',
        actor,
        at: nowIso(),
        location,
      });
      await run.record('client_record', 'active', {
        actor,
        details: { archiveRef, note },
        closeTasks: ['client_record', 'escalation'],
        notifications: [run.toManager(`Contract ${n()} is active; the original is archived as ${archiveRef}`)],
      });
    },
  );

  humanStep(
    renewalUpdate,
    ({ actor, endDate }) => {
      expectStatus(STEP_ALLOWED_IN.renewal, 'a renewal');
      // Decided with the current time: an expiry already due wins, even if its timer has not fired yet.
      if (Date.now() >= expiresAt(run)) reject('StepOutOfOrder', `contract ${n()} expired after ${run.state.endDate}`);
      expectOwner(actor);
      if (!(endDate > run.state.endDate)) reject('InvalidStep', `the new end date must be after ${run.state.endDate}`);
    },
    async ({ actor, endDate }) => {
      const previousEndDate = run.state.endDate;
      run.state.endDate = endDate;
      run.state.renewalNoticeOpen = false;
      await run.record('renewal', 'active', {
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
      expectOpen('cancelled');
      expectOwner(actor);
    },
    ({ actor, reason }) => run.closeAs('cancellation', 'cancelled', actor, reason, `Contract ${n()} was cancelled: ${reason}`),
  );

  humanStep(
    reassignUpdate,
    ({ managerId }) => {
      expectOpen('reassigned');
      if (managerId === run.state.managerId) reject('InvalidStep', `contract ${n()} is already managed by this person`);
    },
    async ({ actor, managerId, managerName }) => {
      const previous = run.state.managerId;
      run.state.managerId = managerId;
      await run.record('reassignment', run.state.status, {
        actor,
        details: { from: previous, to: managerId, managerName },
        registry: { managerId },
        reassignTasks: { from: previous, to: managerId },
        notifications: [
          run.toManager(`Contract ${n()} is now yours (reassigned by ${actor.name})`),
          {
            kind: 'status',
            message: `Contract ${n()} was reassigned to ${managerName}`,
            recipient: { role: 'manager', staffId: previous },
          },
        ],
      });
      run.index();
      // Whoever follows the client (its relationship) hears that its manager handed the contract over
      // (contracts reassigned before this was built did not tell it).
      if (patched('reassignment-tells-account')) {
        await tellClientNews(run.state.clientId, { managerId, previousManagerId: previous });
      }
    },
  );
}
