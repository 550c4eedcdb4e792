// Creating a contract and taking its human steps. The role is checked here; the order of steps,
// the four-eyes rule and whose contract it is are checked by the contract's workflow, where
// concurrent requests cannot both pass.
import { Router, type Request, type Response } from 'express';
import type { UpdateDefinition } from '@temporalio/common';
import type { Pool } from 'pg';
import type { z } from 'zod';
import type { Actor } from '../../domain/people';
import {
  cancelSchema,
  clientRecordSchema,
  draftSchema,
  dispatchSchema,
  followUpSchema,
  legalDecisionSchema,
  newContractSchema,
  noteSchema,
  reassignSchema,
  renewalSchema,
} from '../../domain/schemas';
import { STEP_ROLES, type StepName } from '../../domain/steps';
import { findActiveManager } from '../../db/staff';
import {
  cancelUpdate,
  clientRecordUpdate,
  dispatchUpdate,
  followUpUpdate,
  legalDecisionUpdate,
  originalUpdate,
  reassignUpdate,
  renewalUpdate,
  signUpdate,
  signedScanUpdate,
  type StepResult,
} from '../../workflows/messages';
import { actorOf, allow, requireRole } from '../auth';
import type { ContractAnswer, ContractService } from '../contract-service';
import { badRequest } from '../errors';

function send(res: Response, answer: ContractAnswer): void {
  if (answer.kind === 'done') {
    res.status(answer.httpStatus).json(answer.contract);
    return;
  }
  // Accepted but not yet recorded: where to look, and when.
  if (answer.number) res.set('Location', `/api/contracts/${answer.number}`);
  res
    .status(202)
    .set('Retry-After', '2')
    .json({ accepted: true, workflowId: answer.workflowId, number: answer.number, message: answer.message });
}

const stepIdOf = (req: Request): string | undefined => req.get('Idempotency-Key') ?? undefined;

export function createContractsRouter({ db, contracts }: { db: Pool; contracts: ContractService }): Router {
  const router = Router();

  router.post('/contracts', allow(...STEP_ROLES.create), async (req, res) => {
    const body = newContractSchema.parse(req.body);
    send(res, await contracts.create(actorOf(req), body, stepIdOf(req)));
  });

  function step<S extends z.ZodType, Arg>(
    method: 'post' | 'put',
    path: string,
    name: StepName,
    schema: S,
    update: UpdateDefinition<StepResult, [Arg]>,
    toArg: (body: z.output<S>, actor: Actor) => Arg | Promise<Arg>,
  ): void {
    router[method](`/contracts/:number/${path}`, async (req: Request<{ number: string }>, res) => {
      const actor = actorOf(req);
      requireRole(actor, STEP_ROLES[name]);
      // An unknown contract is a 404 before the body is judged.
      await contracts.workflowIdOf(req.params.number);
      const body = schema.parse(req.body ?? {});
      send(res, await contracts.step(req.params.number, update, await toArg(body, actor), stepIdOf(req)));
    });
  }

  step('post', 'approval', 'legalDecision', legalDecisionSchema, legalDecisionUpdate, (b, actor) => ({ ...b, actor }));
  step('post', 'signature', 'sign', noteSchema, signUpdate, (_b, actor) => ({ actor }));
  step('post', 'dispatch', 'dispatch', dispatchSchema, dispatchUpdate, (b, actor) => ({ ...b, actor }));
  step('post', 'follow-up', 'followUp', followUpSchema, followUpUpdate, (b, actor) => ({ ...b, actor }));
  step('post', 'signed-scan', 'signedScan', noteSchema, signedScanUpdate, (b, actor) => ({ ...b, actor }));
  step('post', 'original', 'original', noteSchema, originalUpdate, (b, actor) => ({ ...b, actor }));
  step('post', 'client-record', 'clientRecord', clientRecordSchema, clientRecordUpdate, (b, actor) => ({ ...b, actor }));
  step('post', 'renewal', 'renewal', renewalSchema, renewalUpdate, (b, actor) => ({ ...b, actor }));
  step('post', 'cancel', 'cancel', cancelSchema, cancelUpdate, (b, actor) => ({ ...b, actor }));
  step('post', 'reassign', 'reassign', reassignSchema, reassignUpdate, async ({ managerId }, actor) => {
    const manager = await findActiveManager(db, managerId);
    if (!manager) throw badRequest('the request is not valid', [{ path: 'managerId', message: 'no active manager has this id' }]);
    return { actor, managerId, managerName: manager.name };
  });

  router.put('/contracts/:number/terms', async (req: Request<{ number: string }>, res) => {
    const actor = actorOf(req);
    requireRole(actor, STEP_ROLES.reviseTerms);
    await contracts.workflowIdOf(req.params.number);
    const draft = draftSchema.parse(req.body ?? {});
    send(res, await contracts.reviseTerms(req.params.number, actor, draft, stepIdOf(req)));
  });

  return router;
}
