// Onboarding: the request that starts one, its human steps and its reads. The role is checked
// here; the order of steps, whose step it is among those holding the role (the onboarding's
// manager; a checklist item's own role) and the answers' merge are decided by the onboarding's
// workflow, where concurrent requests cannot both pass. Every step: role (403), onboarding (404),
// body (400), then the workflow (403 another manager's, 409 out of order).
import { Router, type Request, type Response } from 'express';
import type { Pool } from 'pg';
import { z } from 'zod';
import type { Actor, Role } from '../../domain/people';
import { ONBOARDING_STAGES } from '../../domain/onboarding';
import { pageQuerySchema, uuid } from '../../domain/schemas';
import { childContractWorkflows, onboardingDetail, onboardingsPage, timelineOfWorkflows } from '../../db/onboardings';
import type { Onboarding } from '../../db/onboardings';
import { openTasksOfWorkflows } from '../../db/processes';
import { actorOf, allow, requireRole } from '../auth';
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
} from '../onboarding-service';

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

const onboardingsQuerySchema = pageQuerySchema(uuid).extend({ stage: z.enum(ONBOARDING_STAGES).optional() });

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

const stepIdOf = (req: Request): string | undefined => req.get('Idempotency-Key') ?? undefined;

export function createOnboardingsRouter({ db, onboardings }: { db: Pool; onboardings: OnboardingService }): Router {
  const router = Router();

  router.post('/onboardings', allow(...ONBOARDING_STEP_ROLES.create), async (req, res) => {
    const body = newOnboardingSchema.parse(req.body ?? {});
    const created = await onboardings.create(actorOf(req), body);
    res.status(201).set('Location', `/api/onboardings/${created.id}`).json(created);
  });

  router.get('/onboardings', async (req, res) => {
    const { stage, limit, cursor } = onboardingsQuerySchema.parse(req.query);
    res.json(await onboardingsPage(db, { stage }, { limit, after: cursor }));
  });

  router.get('/onboardings/:id', async (req, res) => {
    const onboarding = await onboardingDetail(db, req.params.id);
    if (!onboarding) throw notFound(`onboarding ${req.params.id}`);
    res.json(onboarding);
  });

  router.get('/onboardings/:id/timeline', async (req, res) => {
    const onboarding = await onboardings.find(req.params.id);
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
  });

  function step<S extends z.ZodType>(
    path: string,
    roles: readonly Role[],
    schema: S,
    take: (onboarding: Onboarding, actor: Actor, body: z.output<S>, req: Request<Record<string, string>>) => Promise<OnboardingAnswer>,
    method: 'post' | 'put' = 'post',
  ): void {
    router[method](`/onboardings/:id/${path}`, async (req: Request<Record<string, string>>, res) => {
      const actor = actorOf(req);
      requireRole(actor, roles);
      // An unknown onboarding (or checklist item) is a 404 before the body is judged.
      const onboarding = await onboardings.find(req.params.id!);
      if (req.params.item !== undefined && !isChecklistItem(req.params.item)) throw notFound(`checklist item ${req.params.item}`);
      const body = schema.parse(req.body ?? {});
      send(res, await take(onboarding, actor, body, req));
    });
  }

  step(
    'answers',
    ONBOARDING_STEP_ROLES.answers,
    answersStepSchema,
    (o, actor, b, req) => onboardings.answers(o, actor, b.answers, stepIdOf(req)),
    'put',
  );
  step('qualification', ONBOARDING_STEP_ROLES.qualification, qualificationSchema, (o, actor, b, req) =>
    onboardings.qualification(o, actor, b, stepIdOf(req)),
  );
  step('assignment', ONBOARDING_STEP_ROLES.assignment, assignmentSchema, (o, actor, b, req) =>
    onboardings.assignment(o, actor, b, stepIdOf(req)),
  );
  step('contract', ONBOARDING_STEP_ROLES.contract, onboardingContractSchema, (o, actor, b, req) =>
    onboardings.contract(o, actor, b, stepIdOf(req)),
  );
  step('checklist/:item', ONBOARDING_STEP_ROLES.checklist, checklistSchema, (o, actor, b, req) => {
    const item = req.params.item!;
    if (!isChecklistItem(item)) throw notFound(`checklist item ${item}`);
    return onboardings.checklist(o, actor, item, b, stepIdOf(req));
  });
  step('cancel', ONBOARDING_STEP_ROLES.cancel, cancelOnboardingSchema, (o, actor, b, req) =>
    onboardings.cancel(o, actor, b, stepIdOf(req)),
  );

  return router;
}
