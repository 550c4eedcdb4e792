// Starts contract workflows and sends them human steps, turning Temporal's answers into HTTP ones.
// Every call to Temporal has a deadline: past it the caller hears 503 (nothing known to be taken)
// or 202 (the step was accepted and will be done), never a hang or a 500.
import { createHash, randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import type { Pool } from 'pg';
import type { z } from 'zod';
import {
  isContractNumber,
  needsLegalApproval,
  type ContractDraft,
  type ContractSla,
  type NewContractInput,
} from '../../workflows/contract/rules';
import type { Actor } from '../../domain/people';
import type { newContractSchema } from './schemas';
import { findContract, findContractOfWorkflow, type RegistryEntry } from '../../db/contract/registry';
import { clientCodeOf } from '../../db/clients';
import { bindIdempotencyKey, deleteDraft, saveDraft } from '../../db/contract/drafts';
import { findActiveManager } from '../../db/staff';
import type { contractWorkflow } from '../../workflows/contract';
import { registrationUpdate, reviseTermsUpdate } from '../../workflows/contract/messages';
import { badRequest, HttpError, notFound, temporalUnavailable } from '../errors';
import { IDEMPOTENCY_KEY } from '../keyed-answers';
import { createProcessSteps, isNoAnswer, rejectionOf } from '../process-steps';
import { undoneIfRefused } from '../refused-steps';

export type NewContract = z.infer<typeof newContractSchema>;

export interface ContractServiceDeps {
  db: Pool;
  temporal: Client;
  taskQueue: string;
  sla: ContractSla;
  /** How long one API call waits for Temporal. */
  callTimeoutMs: number;
}

/** What the API answers: the contract as the registry has it now, or a step still being done. */
export type ContractAnswer =
  | { kind: 'done'; httpStatus: 200 | 201; contract: RegistryEntry }
  | { kind: 'accepted'; number?: string; workflowId: string; message: string };

export interface ContractService {
  create(actor: Actor, body: NewContract, idempotencyKey?: string): Promise<ContractAnswer>;
  /**
   * Sends a step; `stepId` (the caller's Idempotency-Key) makes a retried step the same step.
   * `workflowId`, when the route has just found it, spares reading it again.
   */
  step<Arg>(
    number: string,
    update: UpdateDefinition<unknown, [Arg]>,
    arg: Arg,
    stepId?: string,
    workflowId?: string,
  ): Promise<ContractAnswer>;
  /** Revised terms are written to Postgres first; the workflow hears only their id. */
  reviseTerms(number: string, actor: Actor, draft: ContractDraft, stepId?: string): Promise<ContractAnswer>;
  /** A contract's workflow id, or 404 for a number that is not a contract. */
  workflowIdOf(number: string): Promise<string>;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Idempotency keys are opaque to us but must be sane to store and compare. */

export function createContractService({ db, temporal, taskQueue, sla, callTimeoutMs }: ContractServiceDeps): ContractService {
  const steps = createProcessSteps({ db, temporal, callTimeoutMs });
  const { withDeadline } = steps;
  const temporalDown = () =>
    temporalUnavailable(`Temporal did not answer within ${Math.round(callTimeoutMs / 1000)} s; nothing was started, try again`);

  /** The client's code when both parties are valid; 400 naming what is not. */
  async function checkParties(body: NewContract): Promise<string> {
    const issues: { path: string; message: string }[] = [];
    const code = await clientCodeOf(db, body.clientId);
    if (code === undefined) issues.push({ path: 'clientId', message: 'no client has this id' });
    if (!(await findActiveManager(db, body.managerId))) issues.push({ path: 'managerId', message: 'no active manager has this id' });
    if (issues.length) throw badRequest('the request is not valid', issues);
    return code!;
  }

  const contractOf = (workflowId: string): Promise<RegistryEntry | undefined> => findContractOfWorkflow(db, workflowId);

  async function workflowIdOf(number: string): Promise<string> {
    const contract = isContractNumber(number) ? await findContract(db, number) : undefined;
    if (!contract) throw notFound(`contract ${number}`);
    return contract.workflowId;
  }

  /** The contract after a step (one read): the registry is written in the step's own transaction. */
  async function answer(workflowId: string, httpStatus: 200 | 201, number?: string): Promise<ContractAnswer> {
    const contract = number === undefined ? await contractOf(workflowId) : await findContract(db, number);
    if (!contract) throw new Error(`contract of ${workflowId} is missing from the registry after its step`);
    return { kind: 'done', httpStatus, contract };
  }

  async function step<Arg>(
    number: string,
    update: UpdateDefinition<unknown, [Arg]>,
    arg: Arg,
    stepId?: string,
    knownWorkflowId?: string,
  ): Promise<ContractAnswer> {
    const workflowId = knownWorkflowId ?? (await workflowIdOf(number));
    const outcome = await steps.send({
      workflowId,
      update,
      arg,
      stepId,
      subject: `contract ${number}`,
      location: `/api/contracts/${number}`,
      statusNow: async () => (await findContract(db, number))?.status,
    });
    if (outcome === 'accepted') {
      return {
        kind: 'accepted',
        number,
        workflowId,
        message: `the step was accepted and is being recorded; see GET /api/contracts/${number}`,
      };
    }
    return answer(workflowId, 200, number);
  }

  return {
    workflowIdOf,
    step,

    async create(actor, body, idempotencyKey) {
      if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
        throw badRequest('the request is not valid', [{ path: 'Idempotency-Key', message: 'must be 1 to 200 visible ASCII characters' }]);
      }
      const clientCode = await checkParties(body);
      let workflowId = `contract-${randomUUID()}`;
      if (idempotencyKey !== undefined) {
        const bound = await bindIdempotencyKey(db, {
          staffId: actor.staffId,
          key: idempotencyKey,
          bodySha256: sha256(JSON.stringify(body)),
          workflowId: `contract-${sha256(`${actor.staffId}\n${idempotencyKey}`).slice(0, 32)}`,
        });
        if (!bound.sameBody) {
          throw new HttpError(422, 'idempotency_key_reused', 'this Idempotency-Key was already used for a different contract request');
        }
        workflowId = bound.workflowId;
        // The key names this contract for good, whatever became of it.
        const existing = await contractOf(workflowId);
        if (existing && existing.status !== 'registering') return { kind: 'done', httpStatus: 201, contract: existing };
      }

      const { clientId, managerId, template, ...draft } = body;
      const draftId = `${workflowId}:initial`;
      await saveDraft(db, { id: draftId, workflowId, draft, createdBy: actor.staffId });
      const input: NewContractInput = {
        clientId,
        managerId,
        template,
        createdBy: actor,
        sla,
        draftId,
        endDate: draft.terms.endDate,
        needsLegalApproval: needsLegalApproval(draft),
        clientCode,
      };
      const deadline = Date.now() + callTimeoutMs;
      let handle;
      try {
        handle = await withDeadline(deadline, () =>
          temporal.workflow.start<typeof contractWorkflow>('contractWorkflow', {
            workflowId,
            taskQueue,
            // A running contract is joined (a retried request); a closed one is never started again.
            workflowIdConflictPolicy: 'USE_EXISTING',
            workflowIdReusePolicy: 'REJECT_DUPLICATE',
            args: [input],
          }),
        );
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError) {
          const existing = await contractOf(workflowId);
          if (existing) return { kind: 'done', httpStatus: 201, contract: existing };
          throw new HttpError(422, 'not_registered', 'a contract was started for this request but could not be registered');
        }
        if (isNoAnswer(err)) throw temporalDown();
        throw err;
      }
      try {
        await withDeadline(deadline, () => handle.executeUpdate(registrationUpdate));
      } catch (err) {
        const rejected = rejectionOf(err);
        if (rejected) throw rejected;
        if (isNoAnswer(err)) {
          return {
            kind: 'accepted',
            workflowId,
            message: 'the contract was started and is being registered; repeat the request with the same Idempotency-Key to see it',
          };
        }
        throw err;
      }
      return answer(workflowId, 201);
    },

    async reviseTerms(number, actor, draft, stepId) {
      const workflowId = await workflowIdOf(number);
      const draftId = `${workflowId}:revision:${stepId ? sha256(stepId).slice(0, 32) : randomUUID()}`;
      const wrote = await saveDraft(db, { id: draftId, workflowId, draft, createdBy: actor.staffId });
      // A draft a retry wrote first is its step's, taken or not; only this request's own goes.
      return undoneIfRefused(
        () =>
          step(
            number,
            reviseTermsUpdate,
            {
              actor,
              draftId,
              endDate: draft.terms.endDate,
              needsLegalApproval: needsLegalApproval(draft),
              deviations: draft.deviations.length,
            },
            stepId,
            workflowId,
          ),
        wrote ? () => deleteDraft(db, draftId) : undefined,
        `contract ${number}`,
      );
    },
  };
}
