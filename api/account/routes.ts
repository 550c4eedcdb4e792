// The account relationship: complaints, commitments, reviews, the escalation path through the
// churn stages, the loss, and what the losses and the cooling teach. Every step: role (403), the
// client, complaint or commitment (404), body (400), then the client's account workflow, where
// the order of steps is decided (409) and concurrent steps cannot both pass.
import { Router, type Request, type Response } from 'express';
import type { Pool } from 'pg';
import { z } from 'zod';
import type { Actor, Role } from '../../domain/people';
import { isoDate, pageQuerySchema, uuid } from '../../domain/schemas';
import { churnReport, coolingReport, lossesReport } from '../../db/account/analytics';
import { commitmentsPage, complaintsPage, healthOfAccount, reviewsPage } from '../../db/account/accounts';
import type { Client as ClientRow } from '../../db/clients';
import { route, type PageOffer } from '../described-routes';
import { addStepRoutes, stepRoute, type StepRoute } from '../step-routes';
import {
  accountManagerSchema,
  commitmentSchema,
  complaintSchema,
  escalationSchema,
  fulfilSchema,
  lossSchema,
  resolveComplaintSchema,
  resolveEscalationSchema,
  reviewSchema,
  stageActionSchema,
  type AccountAnswer,
  type AccountService,
} from './service';

const ANYONE: readonly Role[] = ['ops', 'manager', 'kam_head', 'lawyer', 'director', 'admin'];

/**
 * Who may take each step of the relationship, by role (403 here). Which client is theirs is
 * decided by the relationship's workflow (403 `NotYours`): a manager takes the steps about the
 * clients they manage (any manager while a client has none), a head (kam_head, director, admin)
 * about any; a complaint comes in from anyone.
 */
export const ACCOUNT_STEP_ROLES = {
  // Anyone who hears of a problem records it, another manager included.
  complaint: ANYONE,
  resolveComplaint: ['manager', 'kam_head'],
  commitment: ['manager', 'kam_head', 'director'],
  // The owner of the commitment fulfils it whatever their role; the workflow checks who they are.
  fulfil: ANYONE,
  review: ['manager', 'kam_head'],
  // The client's manager, a head, or the lawyer (a claim or an arbitration reaches legal first).
  escalation: ['manager', 'kam_head', 'director', 'lawyer'],
  // The stage's owners report their required action done; the workflow knows whose it is.
  stageAction: ['manager', 'kam_head', 'director', 'lawyer'],
  resolveEscalation: ['kam_head', 'director'],
  loss: ['kam_head', 'director'],
  manager: ['kam_head'],
} as const satisfies Record<string, readonly Role[]>;

const stepIdOf = (req: Request): string | undefined => req.get('Idempotency-Key') ?? undefined;

const listQuerySchema = (statuses: readonly [string, ...string[]]) => pageQuerySchema(uuid).extend({ status: z.enum(statuses).optional() });
const complaintsQuerySchema = listQuerySchema(['open', 'resolved', 'closed']);
const commitmentsQuerySchema = listQuerySchema(['open', 'fulfilled', 'cancelled']);
const reviewsQuerySchema = pageQuerySchema(uuid);
const lossesQuerySchema = z
  .object({ from: isoDate.optional(), to: isoDate.optional() })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: 'from must not be after to', path: ['from'] });
const coolingQuerySchema = z.object({
  days: z
    .string()
    .regex(/^\d{1,4}$/, 'must be a whole number of days from 1 to 3650')
    .transform(Number)
    .pipe(z.number().min(1, 'must be a whole number of days from 1 to 3650').max(3650, 'must be a whole number of days from 1 to 3650'))
    .default(30),
});

const OPEN = ['healthy', 'dissatisfied', 'adversarial', 'ultimatum', 'arbitration'];
/** Where the pages offer each step: with the task it answers, or in the stages it may be taken in. */
const OFFERS: Partial<Record<keyof typeof ACCOUNT_STEP_ROLES, PageOffer>> = {
  complaint: { stages: OPEN },
  resolveComplaint: { tasks: ['complaint'], param: { name: 'id', from: 'ref' } },
  commitment: { stages: OPEN },
  fulfil: { tasks: ['commitment'], param: { name: 'id', from: 'ref' } },
  review: { tasks: ['account_review'], stages: OPEN },
  escalation: { stages: ['healthy', 'dissatisfied', 'adversarial', 'ultimatum'] },
  stageAction: { tasks: ['evaluate_service', 'improvement_plan', 'root_cause_plan', 'arbitration_response'] },
  resolveEscalation: { stages: ['dissatisfied', 'adversarial', 'ultimatum', 'arbitration'] },
  loss: { stages: OPEN },
  manager: { stages: OPEN },
};

const STEP_ANSWERS = {
  200: 'the relationship after the step: {clientId, workflowId, stage, health, account}',
  202: 'accepted and still being recorded: {accepted, clientId, workflowId, message}, with Location',
} as const;
const CREATED_ANSWERS = {
  201: 'what the step created and the relationship after it: {id, clientId, workflowId, stage, health, account}',
  202: 'accepted and still being recorded: {accepted, id, clientId, workflowId, message}, with Location',
} as const;

/** What the relationship's workflow decides beyond the role (README, "Who may take which step of a relationship"). */
const clientsManager = (others: string): string =>
  `the client's manager (the one it was handed over to; any manager while the client has none) or ${others}; another manager gets 403`;
const ACCOUNT_STEP_RULES: Partial<Record<keyof typeof ACCOUNT_STEP_ROLES, string>> = {
  complaint: 'any staff, another manager included: complaints come in from anyone',
  resolveComplaint: clientsManager('a kam_head'),
  commitment: clientsManager('a kam_head or the director'),
  fulfil: "the commitment's owner, the client's manager, a kam_head or the director; anyone else gets 403",
  review: clientsManager('a kam_head'),
  escalation: clientsManager('a kam_head, the director or the lawyer'),
  stageAction:
    "the current stage's owners (dissatisfied: the client's manager; adversarial: kam_head; ultimatum: the director and kam_head; arbitration: the lawyer); anyone else gets 403",
};

function send(res: Response, answer: AccountAnswer, created: boolean): void {
  if (answer.kind === 'accepted') {
    res
      .status(202)
      .set({ Location: `/api/clients/${answer.clientId}`, 'Retry-After': '2' })
      .json({
        accepted: true,
        ...(answer.id ? { id: answer.id } : {}),
        clientId: answer.clientId,
        workflowId: answer.workflowId,
        message: answer.message,
      });
    return;
  }
  const { account } = answer;
  res.status(created ? 201 : 200).json({
    ...(answer.id ? { id: answer.id } : {}),
    clientId: account.clientId,
    workflowId: account.workflowId,
    stage: account.stage,
    health: healthOfAccount(account),
    account,
  });
}

export function createAccountsRouter({ db, accounts }: { db: Pool; accounts: AccountService }): Router {
  const router = Router();

  /** A step on a client: role, client (404), body, then the workflow. */
  const steps: StepRoute<ClientRow, AccountAnswer>[] = [];
  function clientStep<S extends z.ZodType>(
    path: string,
    name: keyof typeof ACCOUNT_STEP_ROLES,
    summary: string,
    body: S,
    take: (client: ClientRow, actor: Actor, body: z.output<S>, stepId?: string) => Promise<AccountAnswer>,
    creates = false,
  ): void {
    steps.push(
      stepRoute({
        path,
        summary,
        who: ACCOUNT_STEP_ROLES[name],
        rule: ACCOUNT_STEP_RULES[name],
        body,
        creates,
        offer: OFFERS[name],
        take: ({ process, actor, body, stepId }) => take(process, actor, body, stepId),
      }),
    );
  }

  clientStep(
    'complaints',
    'complaint',
    "A complaint about the client's service: a task for its manager with a deadline by severity",
    complaintSchema,
    (c, a, b, k) => accounts.complaint(c, a, b, k),
    true,
  );
  clientStep(
    'commitments',
    'commitment',
    'A promise made to the client: a task for its owner, reminded before it is due',
    commitmentSchema,
    (c, a, b, k) => accounts.commitment(c, a, b, k),
    true,
  );
  clientStep(
    'reviews',
    'review',
    'The periodic review of the client: its satisfaction and changes in its business',
    reviewSchema,
    (c, a, b, k) => accounts.review(c, a, b, k),
    true,
  );
  clientStep(
    'escalation',
    'escalation',
    'The client has moved to a later churn stage (adversarial, ultimatum, arbitration): its owners get their tasks',
    escalationSchema,
    (c, a, b, k) => accounts.escalation(c, a, b, k),
  );
  clientStep(
    'escalation/actions',
    'stageAction',
    "The caller's required action of the current churn stage is done",
    stageActionSchema,
    (c, a, b, k) => accounts.stageAction(c, a, b, k),
  );
  clientStep(
    'escalation/resolve',
    'resolveEscalation',
    'The client is recovered: back to healthy, watched for a while',
    resolveEscalationSchema,
    (c, a, b, k) => accounts.resolveEscalation(c, a, b, k),
  );
  clientStep(
    'loss',
    'loss',
    'The client is lost: why, to which competitor; its open tasks close and its commitments are voided',
    lossSchema,
    (c, a, b, k) => accounts.loss(c, a, b, k),
  );
  clientStep(
    'manager',
    'manager',
    "The relationship is handed to another manager; the predecessor's open tasks of it move to them",
    accountManagerSchema,
    (c, a, b, k) => accounts.manager(c, a, b, k),
  );
  addStepRoutes(router, steps, {
    base: '/clients/:id',
    param: 'id',
    tag: 'accounts',
    answers: STEP_ANSWERS,
    createdAnswers: CREATED_ANSWERS,
    find: (id) => accounts.client(id),
    send,
  });

  route(
    router,
    {
      method: 'post',
      path: '/complaints/:id/resolve',
      summary: 'A complaint is resolved: how, and its root cause',
      who: ACCOUNT_STEP_ROLES.resolveComplaint,
      rule: ACCOUNT_STEP_RULES.resolveComplaint,
      body: resolveComplaintSchema,
      answers: STEP_ANSWERS,
      keyed: true,
      tag: 'accounts',
      offer: OFFERS.resolveComplaint,
    },
    async (req, res, { actor, body }) => {
      const complaint = await accounts.findComplaint(req.params.id!);
      send(res, await accounts.resolveComplaint(complaint, actor, body(), stepIdOf(req)), false);
    },
  );

  route(
    router,
    {
      method: 'post',
      path: '/commitments/:id/fulfil',
      summary: 'A commitment made to the client is fulfilled',
      who: ACCOUNT_STEP_ROLES.fulfil,
      rule: ACCOUNT_STEP_RULES.fulfil,
      body: fulfilSchema,
      answers: STEP_ANSWERS,
      keyed: true,
      tag: 'accounts',
      offer: OFFERS.fulfil,
    },
    async (req, res, { actor, body }) => {
      const commitment = await accounts.findCommitment(req.params.id!);
      send(res, await accounts.fulfil(commitment, actor, body(), stepIdOf(req)), false);
    },
  );

  route(
    router,
    {
      method: 'get',
      path: '/clients/:id/complaints',
      summary: "The client's complaints, newest first, paged",
      who: 'anyone',
      query: complaintsQuerySchema,
      answers: { 200: '{clientId, items, nextCursor}' },
      tag: 'accounts',
    },
    async (req, res, { query }) => {
      const client = await accounts.client(req.params.id!);
      const { status, limit, cursor } = query();
      res.json({ clientId: client.id, ...(await complaintsPage(db, client.id, { status }, { limit, after: cursor })) });
    },
  );

  route(
    router,
    {
      method: 'get',
      path: '/clients/:id/commitments',
      summary: "The client's commitments with their owners, paged",
      who: 'anyone',
      query: commitmentsQuerySchema,
      answers: { 200: '{clientId, items, nextCursor}' },
      tag: 'accounts',
    },
    async (req, res, { query }) => {
      const client = await accounts.client(req.params.id!);
      const { status, limit, cursor } = query();
      res.json({ clientId: client.id, ...(await commitmentsPage(db, client.id, { status }, { limit, after: cursor })) });
    },
  );

  route(
    router,
    {
      method: 'get',
      path: '/clients/:id/reviews',
      summary: "The client's reviews, newest first, paged",
      who: 'anyone',
      query: reviewsQuerySchema,
      answers: { 200: '{clientId, items, nextCursor}' },
      tag: 'accounts',
    },
    async (req, res, { query }) => {
      const client = await accounts.client(req.params.id!);
      const { limit, cursor } = query();
      res.json({ clientId: client.id, ...(await reviewsPage(db, client.id, { limit, after: cursor })) });
    },
  );

  route(
    router,
    {
      method: 'get',
      path: '/complaints/:id',
      summary: 'One complaint',
      who: 'anyone',
      answers: { 200: 'the complaint' },
      tag: 'accounts',
    },
    async (req, res) => {
      res.json(await accounts.findComplaint(req.params.id!));
    },
  );

  route(
    router,
    {
      method: 'get',
      path: '/analytics/losses',
      summary: 'Losses in a date range, grouped by reason, competitor and the stage they were lost at',
      who: 'anyone',
      query: lossesQuerySchema,
      answers: { 200: '{byReason, byCompetitor, byStage, losses}' },
      tag: 'analytics',
    },
    async (_req, res, { query }) => {
      const { from, to } = query();
      res.json(await lossesReport(db, from, to));
    },
  );

  route(
    router,
    {
      method: 'get',
      path: '/analytics/churn',
      summary: 'Clients by churn stage now, and how long clients spend in each stage',
      who: 'anyone',
      answers: { 200: 'clients by stage now, and per stage its periods and the average, median and longest time in it' },
      tag: 'analytics',
    },
    async (_req, res) => {
      res.json(await churnReport(db));
    },
  );

  route(
    router,
    {
      method: 'get',
      path: '/analytics/cooling',
      summary: 'Clients (not lost) whose health fell over the period, worst first, with the reasons now and then',
      who: 'anyone',
      query: coolingQuerySchema,
      answers: { 200: 'the clients whose health is lower than at the start of the period, worst first' },
      tag: 'analytics',
    },
    async (_req, res, { query }) => {
      const { days } = query();
      res.json(await coolingReport(db, days));
    },
  );

  return router;
}
