// The amendment's routes, made from its steps: each step's path, roles, body, workflow update and
// answer are declared once here; the role is checked by the route, the order of steps, four eyes
// and whose contract it is by the workflow, where concurrent requests cannot both pass.
import { Router, type Request, type Response } from 'express';
import type { Pool } from 'pg';
import type { Client } from '@temporalio/client';
import { cancelSchema, clientRecordSchema, dispatchSchema, legalDecisionSchema, noteSchema } from '../../domain/schemas';
import { documentsOfWorkflow, findDocument } from '../../db/documents';
import { timelineOfWorkflows } from '../../db/timelines';
import { openTasksOfWorkflows } from '../../db/processes';
import {
  amendmentArchiveUpdate,
  amendmentCancelUpdate,
  amendmentDecisionUpdate,
  amendmentDispatchUpdate,
  amendmentOriginalUpdate,
  amendmentSignUpdate,
} from '../../workflows/amendment/messages';
import { AMENDMENT_STATUSES, AMENDMENT_STEP_ROLES, isFinalAmendment } from '../../workflows/amendment/rules';
import { route } from '../described-routes';
import { addStepRoutes, updateStep, updateSteps } from '../step-routes';
import { notFound } from '../errors';
import { sendDocument } from '../routes/documents';
import { amendmentsOfContract } from './reads';
import { amendmentDraftSchema } from './schemas';
import { createAmendmentService, type AmendmentAnswer } from './service';
import type { AmendmentSla } from '../../workflows/amendment/rules';

const TAG = 'amendments';
const OWNER_RULE = "the contract's manager (when the amendment was drafted) or a kam_head; another manager gets 403";
const STEP_ANSWERS = {
  200: 'the amendment after the step',
  202: 'accepted and still being recorded: {accepted, id, message}, with Location',
} as const;

function send(res: Response, answer: AmendmentAnswer): void {
  if (answer.kind === 'done') {
    if (answer.httpStatus === 201) res.set('Location', `/api/amendments/${answer.amendment.id}`);
    res.status(answer.httpStatus).json(answer.amendment);
    return;
  }
  res
    .set('Location', `/api/amendments/${answer.id}`)
    .set('Retry-After', '2')
    .status(202)
    .json({ accepted: true, id: answer.id, workflowId: answer.workflowId, message: answer.message });
}

const keyOf = (req: Request): string | undefined => req.get('Idempotency-Key') ?? undefined;

const STEPS = [
  updateStep({
    path: 'approval',
    offer: { tasks: ['legal_approval'] },
    who: AMENDMENT_STEP_ROLES.legalDecision,
    summary: 'The lawyer approves, requests changes to or rejects an amendment that departs from the standard terms',
    body: legalDecisionSchema,
    update: amendmentDecisionUpdate,
    arg: (b, actor) => ({ ...b, actor }),
    rule: 'not the person who drafted the amendment (four eyes)',
  }),
  updateStep({
    path: 'signature',
    offer: { tasks: ['signature'] },
    who: AMENDMENT_STEP_ROLES.sign,
    summary: 'The general director signs; the PDF of the additional agreement is made now',
    body: noteSchema,
    update: amendmentSignUpdate,
    arg: (_b, actor) => ({ actor }),
    rule: 'neither the drafter nor the lawyer who approved it',
  }),
  updateStep({
    path: 'dispatch',
    offer: { tasks: ['dispatch'] },
    who: AMENDMENT_STEP_ROLES.dispatch,
    summary: 'The signed amendment is sent to the client',
    body: dispatchSchema,
    update: amendmentDispatchUpdate,
    arg: (b, actor) => ({ ...b, actor }),
    rule: OWNER_RULE,
  }),
  updateStep({
    path: 'original',
    offer: { tasks: ['original'] },
    who: AMENDMENT_STEP_ROLES.original,
    summary: "The client's signed original is back",
    body: noteSchema,
    update: amendmentOriginalUpdate,
    arg: (b, actor) => ({ ...b, actor }),
    rule: OWNER_RULE,
  }),
  updateStep({
    path: 'archive',
    offer: { tasks: ['archive'] },
    who: AMENDMENT_STEP_ROLES.archive,
    summary: "The lawyer archives the original: the amendment is in force and the contract's terms change",
    body: clientRecordSchema,
    update: amendmentArchiveUpdate,
    arg: (b, actor) => ({ ...b, actor }),
  }),
  updateStep({
    path: 'cancel',
    offer: { stages: AMENDMENT_STATUSES.filter((s) => !isFinalAmendment(s) && s !== 'registering') },
    who: AMENDMENT_STEP_ROLES.cancel,
    summary: 'The amendment is cancelled, from any state that is not final',
    body: cancelSchema,
    update: amendmentCancelUpdate,
    arg: (b, actor) => ({ ...b, actor }),
    rule: OWNER_RULE,
  }),
];

export interface AmendmentRouterDeps {
  db: Pool;
  temporal: Client;
  taskQueue: string;
  callTimeoutMs: number;
  sla: AmendmentSla;
}

export function createAmendmentRouter({ db, temporal, taskQueue, callTimeoutMs, sla }: AmendmentRouterDeps): Router {
  const amendments = createAmendmentService({ db, temporal, taskQueue, callTimeoutMs, sla });
  const router = Router();

  route(
    router,
    {
      method: 'post',
      path: '/contracts/:number/amendments',
      summary:
        'Draft an amendment (additional agreement) of a contract in force: numbered <contract>/ДС-<n>, to the lawyer when it departs from the standard terms',
      who: AMENDMENT_STEP_ROLES.create,
      rule: `${OWNER_RULE}; the contract must be active (else 409)`,
      body: amendmentDraftSchema,
      answers: { 201: 'the amendment: {id, number, status, …}, with Location', 202: 'started and still being registered' },
      keyed: true,
      tag: TAG,
      // Drafted from its contract's page while the contract is in force.
      offer: { stages: ['active'] },
    },
    async (req, res, { actor, body }) => {
      await amendments.contractOr404(req.params.number!);
      send(res, await amendments.create(actor, req.params.number!, body(), keyOf(req)));
    },
  );

  route(
    router,
    {
      method: 'get',
      path: '/contracts/:number/amendments',
      summary: "A contract's amendments, in their order, each with its status and changes",
      who: 'anyone',
      answers: { 200: '{contractNumber, items: [amendment, …]}' },
      tag: TAG,
    },
    async (req, res) => {
      const contract = await amendments.contractOr404(req.params.number!);
      res.json({ contractNumber: contract.number, items: await amendmentsOfContract(db, contract.number) });
    },
  );

  route(
    router,
    {
      method: 'get',
      path: '/amendments/:id',
      summary: 'An amendment: its status, changes, deviations, reason, the terms before it, its dates, documents and open tasks',
      who: 'anyone',
      answers: { 200: 'the amendment with its documents (each with its url) and open tasks' },
      tag: TAG,
    },
    async (req, res) => {
      const amendment = await amendments.amendmentOr404(req.params.id!);
      const [documents, openTasks] = await Promise.all([
        documentsOfWorkflow(db, amendment.workflowId),
        openTasksOfWorkflows(db, [amendment.workflowId]),
      ]);
      res.json({ ...amendment, documents, openTasks });
    },
  );

  route(
    router,
    {
      method: 'get',
      path: '/amendments/:id/timeline',
      summary: 'Every step of the amendment (time, actor, waited ms), and what it waits on now',
      who: 'anyone',
      answers: { 200: '{id, number, status, items, waitingOn}' },
      tag: TAG,
    },
    async (req, res) => {
      const amendment = await amendments.amendmentOr404(req.params.id!);
      const [items, waitingOn] = await Promise.all([
        timelineOfWorkflows(db, [amendment.workflowId]),
        openTasksOfWorkflows(db, [amendment.workflowId]),
      ]);
      res.json({ id: amendment.id, number: amendment.number, status: amendment.status, items, waitingOn });
    },
  );

  route(
    router,
    {
      method: 'get',
      path: '/amendments/:id/document',
      summary: 'The signed additional agreement (PDF); the same bytes as GET /api/documents/:id',
      who: 'anyone',
      answers: { 200: 'the PDF' },
      produces: 'document',
      tag: TAG,
    },
    async (req, res) => {
      const amendment = await amendments.amendmentOr404(req.params.id!);
      const document = amendment.documentId ? await findDocument(db, amendment.documentId) : undefined;
      if (!document) throw notFound(`the signed document of amendment ${amendment.number}`);
      sendDocument(res, document);
    },
  );

  addStepRoutes(router, updateSteps(STEPS, amendments.step), {
    base: '/amendments/:id',
    param: 'id',
    tag: TAG,
    answers: STEP_ANSWERS,
    find: (id) => amendments.amendmentOr404(id),
    send: (res, answer) => send(res, answer),
  });

  route(
    router,
    {
      method: 'put',
      path: '/amendments/:id/terms',
      summary: 'Revised text after the lawyer asked for changes; back to the lawyer',
      who: AMENDMENT_STEP_ROLES.reviseTerms,
      rule: OWNER_RULE,
      body: amendmentDraftSchema,
      answers: STEP_ANSWERS,
      keyed: true,
      tag: TAG,
      offer: { tasks: ['revise_terms'] },
    },
    async (req, res, { actor, body }) => {
      await amendments.amendmentOr404(req.params.id!);
      send(res, await amendments.reviseTerms(actor, req.params.id!, body(), keyOf(req)));
    },
  );

  return router;
}
