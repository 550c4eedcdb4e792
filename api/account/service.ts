// Sends the account relationship's steps to the client's account workflow. A complaint, a
// commitment, a review or an escalation for a client without a relationship starts one in the
// same call (update-with-start): concurrent first complaints start exactly one. Resolving and
// losing need a relationship that exists. Ids are made here: with an Idempotency-Key the same
// key names the same complaint (or commitment, or review), so a retried request makes nothing twice.
import { idFor } from '../keyed-answers';
import { WithStartWorkflowOperation, type Client } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import type { Pool } from 'pg';
import { z } from 'zod';
import {
  COMPLAINT_CATEGORIES,
  LOSS_REASONS,
  REPORTED_STAGES,
  ROOT_CAUSES,
  SEVERITIES,
  notTheClientsManager,
  type AccountSla,
  type AccountWorkflowInput,
} from '../../workflows/account/rules';
import type { Actor, Role } from '../../domain/people';
import { LIMITS, isoDate, isoInstant, safeText, uuid } from '../../domain/schemas';
import {
  accountContext,
  accountOf,
  findCommitment,
  findComplaint,
  reviewExists,
  type Account,
  type Commitment,
  type Complaint,
} from '../../db/account/accounts';
import { findClient, type Client as ClientRow } from '../../db/clients';
import { findActiveManager, findActiveStaff } from '../../db/staff';
import {
  accountManagerUpdate,
  accountWorkflowId,
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
} from '../../workflows/account/messages';
import { badRequest, conflict, forbidden, foundByUuid, type HttpError } from '../errors';
import { createProcessSteps } from '../process-steps';

// ---- Bodies ---------------------------------------------------------------------------------------

const comment = () => safeText(LIMITS.comment);
const name = () => safeText(LIMITS.personName);

export const complaintSchema = z.object({
  summary: comment(),
  category: z.enum(COMPLAINT_CATEGORIES),
  severity: z.enum(SEVERITIES),
  reportedBy: name(),
});
export const resolveComplaintSchema = z.object({ resolution: comment(), rootCause: z.enum(ROOT_CAUSES) });
/** A date is due at the end of that day (UTC); an instant is due then. */
const dueDate = z.union([isoDate, isoInstant], {
  error: 'must be a date (YYYY-MM-DD) or an instant (ISO 8601)',
});
export const commitmentSchema = z.object({ what: comment(), dueDate, ownerId: uuid });
export const fulfilSchema = z.object({ note: comment().optional() }).default({});
export const reviewSchema = z.object({
  satisfaction: z.number().int('must be a whole number').min(1).max(10),
  businessChanges: comment(),
  note: comment(),
});
export const escalationSchema = z.object({ stage: z.enum(REPORTED_STAGES), evidence: comment() });
export const stageActionSchema = z.object({ note: comment() });
export const resolveEscalationSchema = z.object({ outcome: z.literal('recovered'), actions: comment() });
export const accountManagerSchema = z.object({ managerId: uuid });
export const lossSchema = z.object({ reason: z.enum(LOSS_REASONS), competitor: name().optional(), note: comment() });

// ---- The service ----------------------------------------------------------------------------------

export type AccountAnswer =
  | { kind: 'done'; id?: string; account: Account }
  | { kind: 'accepted'; id?: string; clientId: string; workflowId: string; message: string };

export interface AccountServiceDeps {
  db: Pool;
  temporal: Client;
  taskQueue: string;
  sla: AccountSla;
  callTimeoutMs: number;
}

export { idFor };

export function createAccountService({ db, temporal, taskQueue, sla, callTimeoutMs }: AccountServiceDeps) {
  const steps = createProcessSteps({ db, temporal, callTimeoutMs });

  const client = (id: string): Promise<ClientRow> => foundByUuid(id, (uuid) => findClient(db, uuid), 'client');

  /**
   * A step of the client's relationship: 409 when it has ended, or when there is none and the step
   * cannot open one (`startsAs`). `recorded` says whether a step with this Idempotency-Key was
   * recorded already, which then answers as the first time did.
   */
  async function step<Arg>(
    clientRow: ClientRow,
    actor: Actor,
    update: UpdateDefinition<AccountResult, [Arg]>,
    arg: Arg,
    opts: {
      stepId?: string;
      id?: string;
      startsAs?: AccountWorkflowInput['openedBy']['kind'];
      recorded?: () => Promise<boolean>;
      /** Why the step cannot be taken, judged only when it was not taken already under its key. */
      refusal?: () => HttpError | undefined;
      /**
       * The step is the client's manager's (or a head's, or these roles'): checked here only for a
       * relationship not opened yet, so a refused first step does not open one; a running
       * relationship decides it itself (its workflow, where the manager may just have changed).
       */
      ownManagerOr?: readonly Role[];
    },
  ): Promise<AccountAnswer> {
    const clientId = clientRow.id;
    const workflowId = accountWorkflowId(clientId);
    const existing = await accountOf(db, clientId);
    // A keyed step already taken (its answer lost to a 503 or a 202) answers as done, before any
    // check that the step itself has since made true (a resolved complaint, a lost client).
    if (existing && (await steps.taken(workflowId, update, opts.stepId, opts.recorded)))
      return { kind: 'done', id: opts.id, account: existing };
    const refused = opts.refusal?.();
    if (refused) throw refused;
    if (existing?.stage === 'lost')
      throw conflict(`the client was lost on ${existing.lostAt!.toISOString().slice(0, 10)}; its relationship has ended`);
    if (!existing && !opts.startsAs)
      throw conflict('the client has no account relationship yet: it opens with its onboarding or its first complaint');
    // Every step carries the start with it: a new relationship opens, one whose last run Temporal
    // ended without it (terminated, timed out) is taken up again from its projection, and a
    // running one simply takes the step.
    const context = existing ? {} : await accountContext(db, clientId);
    if (!existing && opts.ownManagerOr) {
      const why = notTheClientsManager(actor, context.managerId, opts.ownManagerOr);
      if (why) throw forbidden(why);
    }
    const input: AccountWorkflowInput = {
      clientId,
      clientCode: clientRow.code,
      ...context,
      openedBy: { kind: existing ? 'resume' : opts.startsAs!, staffId: actor.staffId, name: actor.name },
      sla,
    };
    const startWith = () =>
      new WithStartWorkflowOperation('accountWorkflow', {
        workflowId,
        taskQueue,
        args: [input],
        workflowIdConflictPolicy: 'USE_EXISTING',
        // A relationship that ended as lost (its workflow completed) is not started again.
        workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
      });
    const outcome = await steps.send({
      workflowId,
      update,
      arg,
      stepId: opts.stepId,
      subject: `the relationship with client ${clientRow.code}`,
      location: `/api/clients/${clientId}`,
      statusNow: async () => (await accountOf(db, clientId))?.stage,
      startWith,
      taken: opts.recorded,
      takenChecked: existing !== undefined,
    });
    if (outcome === 'accepted') {
      return {
        kind: 'accepted',
        id: opts.id,
        clientId,
        workflowId,
        message: `the step was accepted and is being recorded; see GET /api/clients/${clientId}`,
      };
    }
    const account = await accountOf(db, clientId);
    if (!account) throw new Error(`the account of client ${clientId} is missing after its step`);
    return { kind: 'done', id: opts.id, account };
  }

  return {
    client,

    findComplaint: (id: string): Promise<Complaint> => foundByUuid(id, (uuid) => findComplaint(db, uuid), 'complaint'),

    findCommitment: (id: string): Promise<Commitment> => foundByUuid(id, (uuid) => findCommitment(db, uuid), 'commitment'),

    async complaint(clientRow: ClientRow, actor: Actor, body: z.infer<typeof complaintSchema>, stepId?: string): Promise<AccountAnswer> {
      const complaintId = idFor(`${clientRow.id}:complaint`, stepId);
      return step(
        clientRow,
        actor,
        complaintUpdate,
        { actor, complaintId, ...body },
        {
          stepId,
          id: complaintId,
          startsAs: 'complaint',
          recorded: async () => (await findComplaint(db, complaintId)) !== undefined,
        },
      );
    },

    async resolveComplaint(
      complaint: Complaint,
      actor: Actor,
      body: z.infer<typeof resolveComplaintSchema>,
      stepId?: string,
    ): Promise<AccountAnswer> {
      const clientRow = await client(complaint.clientId);
      return step(
        clientRow,
        actor,
        resolveComplaintUpdate,
        { actor, complaintId: complaint.id, ...body },
        {
          stepId,
          id: complaint.id,
          refusal: () => (complaint.status !== 'open' ? conflict(`complaint ${complaint.id} is ${complaint.status}`) : undefined),
        },
      );
    },

    async commitment(clientRow: ClientRow, actor: Actor, body: z.infer<typeof commitmentSchema>, stepId?: string): Promise<AccountAnswer> {
      const owner = await findActiveStaff(db, body.ownerId);
      if (!owner) throw badRequest('the request is not valid', [{ path: 'ownerId', message: 'no active staff member has this id' }]);
      const dueAt = body.dueDate.length === 10 ? `${body.dueDate}T23:59:59.999Z` : new Date(body.dueDate).toISOString();
      const commitmentId = idFor(`${clientRow.id}:commitment`, stepId);
      return step(
        clientRow,
        actor,
        commitmentUpdate,
        {
          actor,
          commitmentId,
          what: body.what,
          dueAt,
          ownerId: owner.id,
          ownerName: owner.name,
          ownerRole: owner.roles.includes('manager') ? 'manager' : owner.roles[0],
        },
        {
          stepId,
          id: commitmentId,
          startsAs: 'commitment',
          recorded: async () => (await findCommitment(db, commitmentId)) !== undefined,
          ownManagerOr: [],
        },
      );
    },

    async fulfil(commitment: Commitment, actor: Actor, body: z.infer<typeof fulfilSchema>, stepId?: string): Promise<AccountAnswer> {
      const clientRow = await client(commitment.clientId);
      return step(
        clientRow,
        actor,
        fulfilCommitmentUpdate,
        { actor, commitmentId: commitment.id, note: body.note ?? '' },
        {
          stepId,
          id: commitment.id,
          refusal: () => (commitment.status !== 'open' ? conflict(`commitment ${commitment.id} is ${commitment.status}`) : undefined),
        },
      );
    },

    async review(clientRow: ClientRow, actor: Actor, body: z.infer<typeof reviewSchema>, stepId?: string): Promise<AccountAnswer> {
      const reviewId = idFor(`${clientRow.id}:review`, stepId);
      return step(
        clientRow,
        actor,
        reviewUpdate,
        { actor, reviewId, ...body },
        { stepId, id: reviewId, startsAs: 'review', recorded: () => reviewExists(db, reviewId), ownManagerOr: [] },
      );
    },

    async escalation(clientRow: ClientRow, actor: Actor, body: z.infer<typeof escalationSchema>, stepId?: string): Promise<AccountAnswer> {
      return step(clientRow, actor, escalationUpdate, { actor, ...body }, { stepId, startsAs: 'escalation', ownManagerOr: ['lawyer'] });
    },

    async stageAction(
      clientRow: ClientRow,
      actor: Actor,
      body: z.infer<typeof stageActionSchema>,
      stepId?: string,
    ): Promise<AccountAnswer> {
      return step(clientRow, actor, stageActionUpdate, { actor, ...body }, { stepId });
    },

    async resolveEscalation(
      clientRow: ClientRow,
      actor: Actor,
      body: z.infer<typeof resolveEscalationSchema>,
      stepId?: string,
    ): Promise<AccountAnswer> {
      return step(clientRow, actor, resolveEscalationUpdate, { actor, ...body }, { stepId });
    },

    async manager(
      clientRow: ClientRow,
      actor: Actor,
      { managerId }: z.infer<typeof accountManagerSchema>,
      stepId?: string,
    ): Promise<AccountAnswer> {
      const manager = await findActiveManager(db, managerId);
      if (!manager) throw badRequest('the request is not valid', [{ path: 'managerId', message: 'no active manager has this id' }]);
      return step(clientRow, actor, accountManagerUpdate, { actor, managerId, managerName: manager.name }, { stepId });
    },

    async loss(clientRow: ClientRow, actor: Actor, body: z.infer<typeof lossSchema>, stepId?: string): Promise<AccountAnswer> {
      return step(clientRow, actor, lossUpdate, { actor, ...body }, { stepId });
    },
  };
}

export type AccountService = ReturnType<typeof createAccountService>;
