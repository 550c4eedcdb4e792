// Starts contract workflows and sends them human steps, turning Temporal's answers into HTTP ones.
import { createHash, randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { UpdateDefinition } from '@temporalio/common';
import type { Pool } from 'pg';
import type { z } from 'zod';
import type { Actor, ContractSla } from '../domain/contract';
import type { newContractSchema } from '../domain/schemas';
import { findContract, workflowIdOf } from '../db/contracts';
import { findClient } from '../db/clients';
import { findStaff } from '../db/staff';
import type { contractWorkflow } from '../workflows/contract';
import { registrationUpdate, STEP_REJECTIONS, type ContractSnapshot, type StepRejection } from '../workflows/messages';
import { badRequest, conflict, HttpError, notFound } from './errors';

export type NewContract = z.infer<typeof newContractSchema>;

export interface ContractServiceDeps {
  db: Pool;
  temporal: Client;
  taskQueue: string;
  sla: ContractSla;
}

export interface ContractService {
  create(actor: Actor, body: NewContract, idempotencyKey?: string): Promise<ContractSnapshot>;
  step<Arg>(number: string, update: UpdateDefinition<ContractSnapshot, [Arg]>, arg: Arg): Promise<ContractSnapshot>;
}

function isStepRejection(type: string | undefined | null): type is StepRejection {
  return typeof type === 'string' && type in STEP_REJECTIONS;
}

export function createContractService({ db, temporal, taskQueue, sla }: ContractServiceDeps): ContractService {
  async function checkParties(body: NewContract): Promise<void> {
    const issues: { path: string; message: string }[] = [];
    if (!(await findClient(db, body.clientId))) issues.push({ path: 'clientId', message: 'no client has this id' });
    const manager = await findStaff(db, body.managerId);
    if (!manager?.roles.includes('manager')) issues.push({ path: 'managerId', message: 'no manager has this id' });
    if (issues.length) throw badRequest('the request is not valid', issues);
  }

  return {
    async create(actor, body, idempotencyKey) {
      await checkParties(body);
      // The same Idempotency-Key from the same person reaches the same contract instead of a second one.
      const workflowId = idempotencyKey
        ? `contract-${createHash('sha256').update(`${actor.staffId}\n${idempotencyKey}`).digest('hex').slice(0, 32)}`
        : `contract-${randomUUID()}`;
      const { clientId, managerId, template, terms, deviations, additionalAgreement, specialAppendix } = body;
      const handle = await temporal.workflow.start<typeof contractWorkflow>('contractWorkflow', {
        workflowId,
        taskQueue,
        workflowIdConflictPolicy: 'USE_EXISTING',
        args: [{ clientId, managerId, template, terms, deviations, additionalAgreement, specialAppendix, createdBy: actor, sla }],
      });
      return handle.executeUpdate(registrationUpdate);
    },

    async step(number, update, arg) {
      const workflowId = await workflowIdOf(db, number);
      if (!workflowId) throw notFound(`contract ${number}`);
      try {
        return await temporal.workflow.getHandle(workflowId).executeUpdate(update, { args: [arg] });
      } catch (err) {
        if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure && isStepRejection(err.cause.type)) {
          const status = STEP_REJECTIONS[err.cause.type];
          const code = status === 409 ? 'step_out_of_order' : status === 403 ? 'forbidden' : 'invalid_step';
          throw new HttpError(status, code, err.cause.message);
        }
        if (err instanceof WorkflowNotFoundError) {
          const current = await findContract(db, number);
          throw conflict(`contract ${number} is ${current?.status ?? 'closed'}; no further steps are possible`);
        }
        throw err;
      }
    },
  };
}
