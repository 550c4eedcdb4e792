import { Router, type Request } from 'express';
import type { UpdateDefinition } from '@temporalio/common';
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

export function createContractsRouter({ contracts }: { contracts: ContractService }): Router {
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

  return router;
}
