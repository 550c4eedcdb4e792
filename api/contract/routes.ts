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
  noteSchema,
  reassignSchema,
  renewalSchema,
} from '../../domain/schemas';
import { MANAGER_STEPS, STEP_ALLOWED_IN, STEP_ROLES, type StepName } from '../../workflows/contract/step-rules';
import { CONTRACT_STATUSES, isFinal } from '../../workflows/contract/rules';
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
} from '../../workflows/contract/messages';
import { route, type PageOffer } from '../described-routes';
import { addStepRoutes, updateStep, updateSteps, type UpdateStep } from '../step-routes';
import { newContractSchema } from './schemas';
import type { ContractAnswer, ContractService } from './service';
import { badRequest } from '../errors';

function send(res: Response, answer: ContractAnswer): void {
  if (answer.kind === 'done') {
    if (answer.httpStatus === 201) res.set('Location', `/api/contracts/${answer.contract.number}`);
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

const STEP_ANSWERS = {
  200: 'the contract as the registry has it after the step',
  202: 'accepted and still being recorded: {accepted, number, message}, with Location',
} as const;

/** Each contract step: its path, its roles, the rule the workflow adds, and its body. */
const STEP_RULES: Partial<Record<StepName, string>> = {
  legalDecision: 'not the person who drafted the terms (four eyes)',
  sign: 'neither the drafter nor the lawyer who approved the terms',
  reviseTerms: "the contract's manager (the one it was assigned or reassigned to) or a kam_head; another manager gets 403",
};
/** Statuses in which a contract can still be cancelled or handed over. */
const OPEN_STATUSES = CONTRACT_STATUSES.filter((s) => !isFinal(s) && s !== 'registering');

/** Where the pages offer each step: with the task it answers, or in the statuses it may be taken in. */
const OFFERS: Partial<Record<StepName, PageOffer>> = {
  legalDecision: { tasks: ['legal_approval'] },
  sign: { tasks: ['signature'] },
  dispatch: { tasks: ['dispatch'] },
  followUp: { tasks: ['follow_up'], stages: ['sent', 'scan_received'] },
  signedScan: { stages: STEP_ALLOWED_IN.signedScan },
  original: { stages: STEP_ALLOWED_IN.original },
  clientRecord: { tasks: ['client_record'] },
  renewal: { tasks: ['renewal'], stages: STEP_ALLOWED_IN.renewal },
  cancel: { stages: OPEN_STATUSES },
  reassign: { stages: OPEN_STATUSES },
};
const ownerRule = "the contract's manager (the one it was assigned or reassigned to) or a kam_head; another manager gets 403";

export function createContractsRouter({ db, contracts }: { db: Pool; contracts: ContractService }): Router {
  const router = Router();

  route(
    router,
    {
      method: 'post',
      path: '/contracts',
      summary: 'Create a contract from the standard form: numbered, registered, and sent to the lawyer when its terms are not standard',
      who: STEP_ROLES.create,
      body: newContractSchema,
      answers: { 201: 'the contract: {number, status, workflowId, …}', 202: 'started and still being registered' },
      keyed: true,
      tag: 'contracts',
      offer: { start: true },
    },
    async (req, res, { actor, body }) => {
      send(res, await contracts.create(actor, body(), stepIdOf(req)));
    },
  );

  // Each step's row of the table the step routes are made from.
  const steps: UpdateStep[] = [];
  function step<S extends z.ZodType, Arg>(
    method: 'post' | 'put',
    path: string,
    name: StepName,
    summary: string,
    body: S,
    update: UpdateDefinition<StepResult, [Arg]>,
    arg: (body: z.output<S>, actor: Actor) => Arg | Promise<Arg>,
  ): void {
    const rule = STEP_RULES[name] ?? ((MANAGER_STEPS as readonly string[]).includes(name) ? ownerRule : undefined);
    steps.push(updateStep({ method, path, summary, who: STEP_ROLES[name], rule, body, update, arg, offer: OFFERS[name] }));
  }

  step(
    'post',
    'approval',
    'legalDecision',
    'The lawyer approves, requests changes to or rejects non-standard terms',
    legalDecisionSchema,
    legalDecisionUpdate,
    (b, actor) => ({ ...b, actor }),
  );
  step(
    'post',
    'signature',
    'sign',
    'The general director signs; the PDF (two copies of the form) is made now',
    noteSchema,
    signUpdate,
    (_b, actor) => ({ actor }),
  );
  step(
    'post',
    'dispatch',
    'dispatch',
    'The contract is sent to the client (courier, post, e-mail) and recorded in the registry',
    dispatchSchema,
    dispatchUpdate,
    (b, actor) => ({ ...b, actor }),
  );
  step(
    'post',
    'follow-up',
    'followUp',
    'The follow-up call: whether the client received it and when it will sign',
    followUpSchema,
    followUpUpdate,
    (b, actor) => ({ ...b, actor }),
  );
  step('post', 'signed-scan', 'signedScan', 'The signed scan arrived', noteSchema, signedScanUpdate, (b, actor) => ({ ...b, actor }));
  step(
    'post',
    'original',
    'original',
    'The signed original is back: the registry gets its return mark',
    noteSchema,
    originalUpdate,
    (b, actor) => ({ ...b, actor }),
  );
  step(
    'post',
    'client-record',
    'clientRecord',
    'The lawyer enters the client into the clients base; the contract is active and archived',
    clientRecordSchema,
    clientRecordUpdate,
    (b, actor) => ({ ...b, actor }),
  );
  step('post', 'renewal', 'renewal', 'The contract is renewed to a later end date', renewalSchema, renewalUpdate, (b, actor) => ({
    ...b,
    actor,
  }));
  step(
    'post',
    'cancel',
    'cancel',
    'The contract is cancelled, from any state that is not final',
    cancelSchema,
    cancelUpdate,
    (b, actor) => ({ ...b, actor }),
  );
  step(
    'post',
    'reassign',
    'reassign',
    'The contract is handed to another manager with its open tasks',
    reassignSchema,
    reassignUpdate,
    async ({ managerId }, actor) => {
      const manager = await findActiveManager(db, managerId);
      if (!manager) throw badRequest('the request is not valid', [{ path: 'managerId', message: 'no active manager has this id' }]);
      return { actor, managerId, managerName: manager.name };
    },
  );

  addStepRoutes(router, updateSteps<string, ContractAnswer>(steps, contracts.step), {
    base: '/contracts/:number',
    param: 'number',
    tag: 'contracts',
    answers: STEP_ANSWERS,
    find: (number) => contracts.workflowIdOf(number),
    send: (res, answer) => send(res, answer),
  });

  route(
    router,
    {
      method: 'put',
      path: '/contracts/:number/terms',
      summary: 'Revised terms after the lawyer asked for changes; back to the lawyer',
      who: STEP_ROLES.reviseTerms,
      rule: ownerRule,
      body: draftSchema,
      answers: STEP_ANSWERS,
      keyed: true,
      tag: 'contracts',
      offer: { tasks: ['revise_terms'] },
    },
    async (req, res, { actor, body }) => {
      await contracts.workflowIdOf(req.params.number!);
      send(res, await contracts.reviseTerms(req.params.number!, actor, body(), stepIdOf(req)));
    },
  );

  return router;
}
