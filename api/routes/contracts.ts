import { Router, type Request } from 'express';
import type { UpdateDefinition } from '@temporalio/common';
import type { Pool } from 'pg';
import type { z } from 'zod';
import type { Actor } from '../../domain/contract';
import {
  cancelSchema,
  clientRecordSchema,
  draftSchema,
  dispatchSchema,
  followUpSchema,
  legalDecisionSchema,
  newContractSchema,
  noteSchema,
  renewalSchema,
} from '../../domain/schemas';
import { STEP_ROLES, type StepName } from '../../domain/steps';
import { contractDocument, documentsOf, findContract, openTasksOf, timelineOf } from '../../db/contracts';
import { findClient } from '../../db/clients';
import {
  cancelUpdate,
  clientRecordUpdate,
  dispatchUpdate,
  followUpUpdate,
  legalDecisionUpdate,
  originalUpdate,
  renewalUpdate,
  reviseTermsUpdate,
  signUpdate,
  signedScanUpdate,
  type ContractSnapshot,
} from '../../workflows/messages';
import { actorOf, allow, requireRole } from '../auth';
import type { ContractService } from '../contract-service';
import { notFound } from '../errors';


export function createContractsRouter({ db, contracts }: { db: Pool; contracts: ContractService }): Router {
  const router = Router();

  router.post('/contracts', allow(...STEP_ROLES.create), async (req, res) => {
    const body = newContractSchema.parse(req.body);
    const snapshot = await contracts.create(actorOf(req), body, req.get('Idempotency-Key') ?? undefined);
    res.status(201).json(snapshot);
  });

  /** A human step: the role is checked here, the order and four-eyes rule by the workflow. */
  function step<S extends z.ZodType, Arg>(
    method: 'post' | 'put',
    path: string,
    name: StepName,
    schema: S,
    update: UpdateDefinition<ContractSnapshot, [Arg]>,
    toArg: (body: z.output<S>, actor: Actor) => Arg,
  ): void {
    router[method](`/contracts/:number/${path}`, async (req: Request<{ number: string }>, res) => {
      const actor = actorOf(req);
      requireRole(actor, STEP_ROLES[name]);
      const body = schema.parse(req.body ?? {});
      res.json(await contracts.step(req.params.number, update, toArg(body, actor)));
    });
  }

  step('post', 'approval', 'legalDecision', legalDecisionSchema, legalDecisionUpdate, (b, actor) => ({ ...b, actor }));
  step('put', 'terms', 'reviseTerms', draftSchema, reviseTermsUpdate, (draft, actor) => ({ draft, actor }));
  step('post', 'signature', 'sign', noteSchema, signUpdate, (_b, actor) => ({ actor }));
  step('post', 'dispatch', 'dispatch', dispatchSchema, dispatchUpdate, (b, actor) => ({ ...b, actor }));
  step('post', 'follow-up', 'followUp', followUpSchema, followUpUpdate, (b, actor) => ({ ...b, actor }));
  step('post', 'signed-scan', 'signedScan', noteSchema, signedScanUpdate, (b, actor) => ({ ...b, actor }));
  step('post', 'original', 'original', noteSchema, originalUpdate, (b, actor) => ({ ...b, actor }));
  step('post', 'client-record', 'clientRecord', clientRecordSchema, clientRecordUpdate, (b, actor) => ({ ...b, actor }));
  step('post', 'renewal', 'renewal', renewalSchema, renewalUpdate, (b, actor) => ({ ...b, actor }));
  step('post', 'cancel', 'cancel', cancelSchema, cancelUpdate, (b, actor) => ({ ...b, actor }));

  async function contractOr404(number: string) {
    const contract = await findContract(db, number);
    if (!contract) throw notFound(`contract ${number}`);
    return contract;
  }

  router.get('/contracts/:number', async (req, res) => {
    const contract = await contractOr404(req.params.number);
    const [client, documents, openTasks] = await Promise.all([
      findClient(db, contract.clientId),
      documentsOf(db, contract.number),
      openTasksOf(db, contract.number),
    ]);
    res.json({ ...contract, client, documents, openTasks });
  });

  router.get('/contracts/:number/document', async (req, res) => {
    const contract = await contractOr404(req.params.number);
    const document = await contractDocument(db, contract.number);
    if (!document) throw notFound(`the signed document of contract ${contract.number}`);
    res
      .type(document.contentType)
      .set('Content-Disposition', `inline; filename="${document.fileName}"`)
      .send(document.content);
  });

  router.get('/contracts/:number/timeline', async (req, res) => {
    const contract = await contractOr404(req.params.number);
    const [events, openTasks] = await Promise.all([timelineOf(db, contract.number), openTasksOf(db, contract.number)]);
    const now = Date.now();
    res.json({
      number: contract.number,
      status: contract.status,
      events,
      waitingOn: openTasks.map((task) => ({
        task: task.kind,
        title: task.title,
        assignee: task.assigneeName ?? task.assigneeRole,
        assigneeRole: task.assigneeRole,
        assigneeStaffId: task.assigneeStaffId,
        since: task.openedAt,
        waitingMs: now - task.openedAt.getTime(),
      })),
    });
  });

  return router;
}
