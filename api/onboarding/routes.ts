// Onboarding: the request that starts one, its human steps and its reads. The role is checked
// here; the order of steps, whose step it is among those holding the role (the onboarding's
// manager; a checklist item's own role) and the answers' merge are decided by the onboarding's
// workflow, where concurrent requests cannot both pass. Every step: role (403), onboarding (404),
// body (400), then the workflow (403 another manager's, 409 out of order).
import { Router, type Response } from 'express';
import type { Pool } from 'pg';
import { z } from 'zod';
import type { Actor, Role } from '../../domain/people';
import { FINAL_ONBOARDING_STAGES, ONBOARDING_STAGES } from '../../workflows/onboarding/rules';
import { pageQuerySchema, uuid } from '../../domain/schemas';
import { childContractWorkflows, onboardingDetail, onboardingsPage } from '../../db/onboarding/onboardings';
import { timelineOfWorkflows } from '../../db/timelines';
import type { Onboarding } from '../../db/onboarding/onboardings';
import { openTasksOfWorkflows } from '../../db/processes';
import { route, type PageOffer } from '../described-routes';
import { addStepRoutes, stepRoute, type StepRoute } from '../step-routes';
import { notFound } from '../errors';
import {
  answersStepSchema,
  assignmentSchema,
  cancelOnboardingSchema,
  checklistSchema,
  isChecklistItem,
  newOnboardingSchema,
  onboardingContractSchema,
  qualificationSchema,
  type OnboardingAnswer,
  type OnboardingService,
} from './service';

/** Which roles may ask for each onboarding step; the workflow then decides whose it is (README, "Who may take which step"). */
export const ONBOARDING_STEP_ROLES = {
  create: ['ops', 'manager'],
  answers: ['ops', 'manager'],
  qualification: ['manager', 'kam_head'],
  assignment: ['kam_head'],
  contract: ['manager', 'kam_head'],
  checklist: ['manager', 'ops', 'kam_head'],
  cancel: ['ops', 'kam_head'],
} as const satisfies Record<string, readonly Role[]>;

/** Where the pages offer each step: with the task it answers, or in the stages it may be taken in. */
const OFFERS: Partial<Record<keyof typeof ONBOARDING_STEP_ROLES, PageOffer>> = {
  answers: { tasks: ['intake'], stages: ['intake'] },
  qualification: { tasks: ['qualification'] },
  assignment: { tasks: ['assign_manager'], stages: ['contracting', 'implementation'] },
  contract: { tasks: ['prepare_contract', 'restart_contracting'] },
  checklist: { tasks: ['checklist'], param: { name: 'item', from: 'ref' } },
  cancel: { stages: ONBOARDING_STAGES.filter((s) => !FINAL_ONBOARDING_STAGES.includes(s)) },
};

const onboardingsQuerySchema = pageQuerySchema(uuid).extend({ stage: z.enum(ONBOARDING_STAGES).optional() });

const STEP_ANSWERS = {
  200: 'the onboarding after the step',
  202: 'accepted and still being recorded: {accepted, id, workflowId, message}, with Location',
} as const;

/** What the onboarding's workflow decides beyond the role (README, "Who may take which onboarding step"). */
const ownerRule = (others: string) =>
  `once the onboarding has a manager, its manager (the one it was assigned or reassigned to) or ${others}; another manager gets 403`;
const ONBOARDING_STEP_RULES: Partial<Record<keyof typeof ONBOARDING_STEP_ROLES, string>> = {
  answers: ownerRule('ops or a kam_head'),
  qualification: 'any manager: it comes before a manager is assigned',
  contract: ownerRule('a kam_head'),
  checklist:
    "service_variant and contacts: the onboarding's manager or a kam_head (another manager and ops get 403); training and support_contacts: ops or a kam_head (a manager gets 403)",
};

function send(res: Response, answer: OnboardingAnswer): void {
  if (answer.kind === 'done') {
    res.status(200).json(answer.onboarding);
    return;
  }
  // Accepted but not yet recorded: where to look, and when.
  res
    .status(202)
    .set({ Location: `/api/onboardings/${answer.id}`, 'Retry-After': '2' })
    .json({ accepted: true, id: answer.id, workflowId: answer.workflowId, message: answer.message });
}

export function createOnboardingsRouter({ db, onboardings }: { db: Pool; onboardings: OnboardingService }): Router {
  const router = Router();

  route(
    router,
    {
      method: 'post',
      path: '/onboardings',
      summary:
        "A company's request for service starts its onboarding, with a new client or an existing one and the questionnaire's first answers",
      who: ONBOARDING_STEP_ROLES.create,
      body: newOnboardingSchema,
      answers: { 201: 'the onboarding once its first step is recorded: {id, workflowId, stage, clientId}, with Location' },
      tag: 'onboardings',
      offer: { start: true },
    },
    async (req, res, { actor, body }) => {
      const created = await onboardings.create(actor, body(), req.get('Idempotency-Key') ?? undefined);
      res.status(201).set('Location', `/api/onboardings/${created.id}`).json(created);
    },
  );

  route(
    router,
    {
      method: 'get',
      path: '/onboardings',
      summary: 'Onboardings, newest first, paged; by stage',
      who: 'anyone',
      query: onboardingsQuerySchema,
      answers: { 200: '{items, nextCursor}' },
      tag: 'onboardings',
    },
    async (_req, res, { query }) => {
      const { stage, limit, cursor } = query();
      res.json(await onboardingsPage(db, { stage }, { limit, after: cursor }));
    },
  );

  route(
    router,
    {
      method: 'get',
      path: '/onboardings/:id',
      summary:
        'One onboarding: its stage, client, answers, qualification, manager and why they were chosen, contract, checklist, open tasks and documents',
      who: 'anyone',
      answers: { 200: 'the onboarding' },
      tag: 'onboardings',
    },
    async (req, res) => {
      const onboarding = await onboardingDetail(db, req.params.id!);
      if (!onboarding) throw notFound(`onboarding ${req.params.id}`);
      res.json(onboarding);
    },
  );

  route(
    router,
    {
      method: 'get',
      path: '/onboardings/:id/timeline',
      summary: "The onboarding's steps and its child contracts' in time order, and who it waits on now",
      who: 'anyone',
      answers: { 200: '{id, workflowId, stage, contractNumber, items, waitingOn}' },
      tag: 'onboardings',
    },
    async (req, res) => {
      const onboarding = await onboardings.find(req.params.id!);
      const children = await childContractWorkflows(db, onboarding.workflowId);
      if (onboarding.contractWorkflowId && !children.includes(onboarding.contractWorkflowId)) children.push(onboarding.contractWorkflowId);
      const workflowIds = [onboarding.workflowId, ...children];
      const [items, open] = await Promise.all([timelineOfWorkflows(db, workflowIds), openTasksOfWorkflows(db, workflowIds)]);
      const now = Date.now();
      res.json({
        id: onboarding.id,
        workflowId: onboarding.workflowId,
        stage: onboarding.stage,
        contractNumber: onboarding.contractNumber,
        items,
        waitingOn: open.map((t) => ({
          process: t.process,
          workflowId: t.workflowId,
          contractNumber: t.contractNumber,
          task: t.task,
          ref: t.ref,
          title: t.title,
          assignee: t.assigneeName ?? t.assigneeRole,
          assigneeRole: t.assigneeRole,
          assigneeStaffId: t.assigneeStaffId,
          since: t.since,
          waitingMs: now - t.since.getTime(),
        })),
      });
    },
  );

  // The onboarding's steps, each taken by its service's method for it.
  const steps: StepRoute<Onboarding, OnboardingAnswer>[] = [];
  function step<S extends z.ZodType>(
    path: string,
    name: keyof typeof ONBOARDING_STEP_ROLES,
    summary: string,
    body: S,
    take: (
      onboarding: Onboarding,
      actor: Actor,
      body: z.output<S>,
      req: { params: Record<string, string>; stepId?: string },
    ) => Promise<OnboardingAnswer>,
    method: 'post' | 'put' = 'post',
  ): void {
    steps.push(
      stepRoute({
        method,
        path,
        summary,
        who: ONBOARDING_STEP_ROLES[name],
        rule: ONBOARDING_STEP_RULES[name],
        body,
        offer: OFFERS[name],
        take: ({ process, actor, body, params, stepId }) => take(process, actor, body, { params, stepId }),
      }),
    );
  }

  step(
    'answers',
    'answers',
    "More of the questionnaire's answers, merged over the stored ones in the onboarding's step lock (null takes one back)",
    answersStepSchema,
    (o, actor, b, req) => onboardings.answers(o, actor, b.answers, req.stepId),
    'put',
  );
  step(
    'qualification',
    'qualification',
    'The client is qualified: segment, supplier position, expected revenue, and whether to pursue it or decline (a refusal letter)',
    qualificationSchema,
    (o, actor, b, req) => onboardings.qualification(o, actor, b, req.stepId),
  );
  step(
    'assignment',
    'assignment',
    'A head of key accounts assigns the client to a manager, or overrides the choice made',
    assignmentSchema,
    (o, actor, b, req) => onboardings.assignment(o, actor, b, req.stepId),
  );
  step(
    'contract',
    'contract',
    "The client's contract is drafted and started as the onboarding's child process (again after a rejected or cancelled one)",
    onboardingContractSchema,
    (o, actor, b, req) => onboardings.contract(o, actor, b, req.stepId),
  );
  step(
    'checklist/:item',
    'checklist',
    'An implementation checklist item is done: service_variant, contacts, training or support_contacts',
    checklistSchema,
    (o, actor, b, req) => {
      const item = req.params.item!;
      if (!isChecklistItem(item)) throw notFound(`checklist item ${item}`);
      return onboardings.checklist(o, actor, item, b, req.stepId);
    },
  );
  step(
    'cancel',
    'cancel',
    'The onboarding is cancelled; its contract is asked to go, and stays if it is in force',
    cancelOnboardingSchema,
    (o, actor, b, req) => onboardings.cancel(o, actor, b, req.stepId),
  );

  addStepRoutes(router, steps, {
    base: '/onboardings/:id',
    param: 'id',
    tag: 'onboardings',
    answers: STEP_ANSWERS,
    // An unknown onboarding (or checklist item) is a 404 before the body is judged.
    find: async (id, params) => {
      const onboarding = await onboardings.find(id);
      if (params.item !== undefined && !isChecklistItem(params.item)) throw notFound(`checklist item ${params.item}`);
      return onboarding;
    },
    send: (res, answer) => send(res, answer),
  });
  return router;
}
