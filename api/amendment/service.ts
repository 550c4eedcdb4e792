// Starts amendment workflows and sends them their steps, turning Temporal's answers into HTTP
// ones through the engine's ProcessSteps (403/409/422 from the workflow, 503 past the deadline,
// 202 when accepted but not yet recorded). What only the API can see is checked here first: the
// contract exists and is in force, it is the caller's (or a kam_head's), and the new terms make
// sense against the contract's own.
import { createHash, randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import type { Pool } from 'pg';
import { findContract } from '../../db/contract/registry';
import { isContractNumber } from '../../workflows/contract/rules';
import type { Actor } from '../../domain/people';
import { amendmentRegistrationUpdate, amendmentRevisionUpdate } from '../../workflows/amendment/messages';
import { MAX_OPEN_AMENDMENTS, needsLegalApproval, type AmendmentSla, type NewAmendmentInput } from '../../workflows/amendment/rules';
import type { amendmentWorkflow } from '../../workflows/amendment/workflow';
import { conflict, forbidden, HttpError, notFound, temporalUnavailable } from '../errors';
import { createProcessSteps, isNoAnswer } from '../process-steps';
import { undoneIfRefused } from '../refused-steps';
import {
  deleteAmendmentDraft,
  findAmendment,
  findAmendmentByWorkflow,
  openAmendmentsOf,
  saveAmendmentDraft,
  type AmendmentView,
} from './reads';
import type { AmendmentDraftBody } from './schemas';

export interface AmendmentServiceDeps {
  db: Pool;
  temporal: Client;
  taskQueue: string;
  sla: AmendmentSla;
  callTimeoutMs: number;
}

export type AmendmentAnswer =
  { kind: 'done'; httpStatus: 200 | 201; amendment: AmendmentView } | { kind: 'accepted'; id: string; workflowId: string; message: string };

/** A UUID named by its inputs: the same Idempotency-Key names the same amendment and the same draft. */
function uuidFrom(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('\n')).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** A change that cannot be made to this contract: 422 naming the field. */
const invalid = (field: string, message: string): never => {
  throw new HttpError(422, 'invalid_step', `${field}: ${message}`, [{ path: field, message }]);
};

export function createAmendmentService({ db, temporal, taskQueue, sla, callTimeoutMs }: AmendmentServiceDeps) {
  const steps = createProcessSteps({ db, temporal, callTimeoutMs });

  async function contractOr404(number: string) {
    const contract = isContractNumber(number) ? await findContract(db, number) : undefined;
    if (!contract) throw notFound(`contract ${number}`);
    return contract;
  }

  async function amendmentOr404(id: string): Promise<AmendmentView> {
    const amendment = await findAmendment(db, id);
    if (!amendment) throw notFound(`amendment ${id}`);
    return amendment;
  }

  /** New terms checked against the contract's: a change must change something, and an end date must be possible. */
  function checkAgainst(
    contract: { startDate: string; endDate: string; amount: string; paymentTermsDays: number; subject: string },
    body: AmendmentDraftBody,
  ) {
    const { amount, endDate, paymentTermsDays, subject } = body.changes;
    const today = new Date().toISOString().slice(0, 10);
    if (endDate !== undefined && !(endDate > contract.startDate))
      invalid('changes.endDate', `must be after the contract's start date ${contract.startDate}`);
    if (endDate !== undefined && endDate < today) invalid('changes.endDate', `must not be in the past (today is ${today})`);
    if (endDate === contract.endDate) invalid('changes.endDate', `is already the contract's end date`);
    if (amount !== undefined && amount === Number(contract.amount)) invalid('changes.amount', `is already the contract's amount`);
    if (paymentTermsDays === contract.paymentTermsDays) invalid('changes.paymentTermsDays', `are already the contract's payment terms`);
    if (subject !== undefined && subject === contract.subject) invalid('changes.subject', `is already the contract's subject`);
  }

  async function answer(workflowId: string, httpStatus: 200 | 201): Promise<AmendmentAnswer> {
    const amendment = await findAmendmentByWorkflow(db, workflowId);
    if (!amendment) throw new Error(`amendment of ${workflowId} is missing after its step`);
    return { kind: 'done', httpStatus, amendment };
  }

  const accepted = (id: string, workflowId: string): AmendmentAnswer => ({
    kind: 'accepted',
    id,
    workflowId,
    message: `accepted and still being recorded; see GET /api/amendments/${id}`,
  });

  async function step<Arg>(id: string, update: UpdateDefinition<unknown, [Arg]>, arg: Arg, stepId?: string): Promise<AmendmentAnswer> {
    const amendment = await amendmentOr404(id);
    const outcome = await steps.send({
      workflowId: amendment.workflowId,
      update,
      arg,
      stepId,
      subject: `amendment ${amendment.number}`,
      location: `/api/amendments/${id}`,
      statusNow: async () => (await findAmendment(db, id))?.status,
    });
    return outcome === 'accepted' ? accepted(id, amendment.workflowId) : answer(amendment.workflowId, 200);
  }

  return {
    contractOr404,
    amendmentOr404,
    step,

    async create(actor: Actor, contractNumber: string, body: AmendmentDraftBody, idempotencyKey?: string): Promise<AmendmentAnswer> {
      const contract = await contractOr404(contractNumber);
      if (contract.status !== 'active') {
        throw conflict(`contract ${contract.number} is ${contract.status}; only a contract in force can be amended`);
      }
      if (contract.managerId !== actor.staffId && !actor.roles.includes('kam_head')) {
        throw forbidden(`contract ${contract.number} is managed by someone else; ask a head of key accounts`);
      }
      checkAgainst(contract, body);
      // With a key, twenty identical requests at once name one amendment and start one workflow.
      const amendmentId = idempotencyKey ? uuidFrom('amendment', actor.staffId, contract.number, idempotencyKey) : randomUUID();
      const workflowId = `amendment-${amendmentId}`;
      // The contract keeps its open amendments in its state: their number is bounded (a retry of
      // one already drafted goes on).
      if (!(await findAmendmentByWorkflow(db, workflowId)) && (await openAmendmentsOf(db, contract.number)) >= MAX_OPEN_AMENDMENTS) {
        invalid(
          'contractNumber',
          `contract ${contract.number} already has ${MAX_OPEN_AMENDMENTS} open amendments; finish or cancel one first`,
        );
      }
      const draftId = uuidFrom('amendment-draft', amendmentId);
      await saveAmendmentDraft(db, { id: draftId, amendmentId, ...body, createdBy: actor.staffId });
      const input: NewAmendmentInput = {
        amendmentId,
        contractNumber: contract.number,
        contractWorkflowId: contract.workflowId,
        clientId: contract.clientId,
        clientCode: contract.clientCode,
        managerId: contract.managerId,
        createdBy: { staffId: actor.staffId, name: actor.name, roles: [...actor.roles] },
        draftId,
        changes: body.changes,
        needsLegalApproval: needsLegalApproval(body),
        sla,
      };
      const deadline = Date.now() + callTimeoutMs;
      try {
        await steps.withDeadline(deadline, () =>
          temporal.workflow.start<typeof amendmentWorkflow>('amendmentWorkflow', {
            workflowId,
            taskQueue,
            args: [input],
            workflowIdReusePolicy: 'REJECT_DUPLICATE',
            workflowIdConflictPolicy: 'USE_EXISTING',
          }),
        );
      } catch (err) {
        // Started and ended already (the same key, long ago): it is answered as it is now.
        if (err instanceof WorkflowExecutionAlreadyStartedError) return answer(workflowId, 201);
        if (isNoAnswer(err))
          throw temporalUnavailable(
            `Temporal did not answer within ${Math.round(callTimeoutMs / 1000)} s; try again with the same Idempotency-Key`,
          );
        throw err;
      }
      try {
        await steps.withDeadline(deadline, () => temporal.workflow.getHandle(workflowId).executeUpdate(amendmentRegistrationUpdate));
      } catch (err) {
        if (isNoAnswer(err)) return accepted(amendmentId, workflowId);
        const registered = await findAmendmentByWorkflow(db, workflowId);
        if (registered && registered.status !== 'registering') return { kind: 'done', httpStatus: 201, amendment: registered };
        throw err;
      }
      return answer(workflowId, 201);
    },

    /** Revised text after the lawyer asked for changes: written to Postgres first; the workflow hears its id. */
    async reviseTerms(actor: Actor, id: string, body: AmendmentDraftBody, stepId?: string): Promise<AmendmentAnswer> {
      const amendment = await amendmentOr404(id);
      checkAgainst(await contractOr404(amendment.contractNumber), body);
      const draftId = stepId ? uuidFrom('amendment-draft', id, actor.staffId, stepId) : randomUUID();
      const wrote = await saveAmendmentDraft(db, { id: draftId, amendmentId: id, ...body, createdBy: actor.staffId });
      // A draft a retry wrote first is its step's, taken or not; only this request's own goes.
      return undoneIfRefused(
        () => step(id, amendmentRevisionUpdate, { actor, draftId, changes: body.changes }, stepId),
        wrote ? () => deleteAmendmentDraft(db, draftId) : undefined,
        `amendment ${id}`,
      );
    },
  };
}

export type AmendmentService = ReturnType<typeof createAmendmentService>;
