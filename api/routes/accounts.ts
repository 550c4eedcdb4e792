// The account relationship: complaints, commitments, reviews, the escalation path through the
// churn stages, the loss, and what the losses and the cooling teach. Every step: role (403), the
// client, complaint or commitment (404), body (400), then the client's account workflow, where
// the order of steps is decided (409) and concurrent steps cannot both pass.
import { Router, type Request, type Response } from 'express';
import type { Pool } from 'pg';
import { z } from 'zod';
import type { Actor, Role } from '../../domain/people';
import { isoDate, pageQuerySchema, uuid } from '../../domain/schemas';
import { churnReport, coolingReport, lossesReport } from '../../db/account-analytics';
import { commitmentsPage, complaintsPage, healthOfAccount, reviewsPage } from '../../db/accounts';
import type { Client as ClientRow } from '../../db/clients';
import { actorOf, requireRole } from '../auth';
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
} from '../account-service';

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

  /** A step on a client: role, client, body, then the workflow. */
  function clientStep<S extends z.ZodType>(
    path: string,
    roles: readonly Role[],
    schema: S,
    take: (client: ClientRow, actor: Actor, body: z.output<S>, stepId?: string) => Promise<AccountAnswer>,
    created = false,
  ): void {
    router.post(`/clients/:id/${path}`, async (req: Request<Record<string, string>>, res) => {
      const actor = actorOf(req);
      requireRole(actor, roles);
      const client = await accounts.client(req.params.id!);
      const body = schema.parse(req.body ?? {});
      send(res, await take(client, actor, body, stepIdOf(req)), created);
    });
  }

  clientStep('complaints', ACCOUNT_STEP_ROLES.complaint, complaintSchema, (c, a, b, k) => accounts.complaint(c, a, b, k), true);
  clientStep('commitments', ACCOUNT_STEP_ROLES.commitment, commitmentSchema, (c, a, b, k) => accounts.commitment(c, a, b, k), true);
  clientStep('reviews', ACCOUNT_STEP_ROLES.review, reviewSchema, (c, a, b, k) => accounts.review(c, a, b, k), true);
  clientStep('escalation', ACCOUNT_STEP_ROLES.escalation, escalationSchema, (c, a, b, k) => accounts.escalation(c, a, b, k));
  clientStep('escalation/actions', ACCOUNT_STEP_ROLES.stageAction, stageActionSchema, (c, a, b, k) => accounts.stageAction(c, a, b, k));
  clientStep('escalation/resolve', ACCOUNT_STEP_ROLES.resolveEscalation, resolveEscalationSchema, (c, a, b, k) =>
    accounts.resolveEscalation(c, a, b, k),
  );
  clientStep('loss', ACCOUNT_STEP_ROLES.loss, lossSchema, (c, a, b, k) => accounts.loss(c, a, b, k));
  clientStep('manager', ACCOUNT_STEP_ROLES.manager, accountManagerSchema, (c, a, b, k) => accounts.manager(c, a, b, k));

  router.post('/complaints/:id/resolve', async (req, res) => {
    const actor = actorOf(req);
    requireRole(actor, ACCOUNT_STEP_ROLES.resolveComplaint);
    const complaint = await accounts.findComplaint(req.params.id);
    const body = resolveComplaintSchema.parse(req.body ?? {});
    send(res, await accounts.resolveComplaint(complaint, actor, body, stepIdOf(req)), false);
  });

  router.post('/commitments/:id/fulfil', async (req, res) => {
    const actor = actorOf(req);
    requireRole(actor, ACCOUNT_STEP_ROLES.fulfil);
    const commitment = await accounts.findCommitment(req.params.id);
    const body = fulfilSchema.parse(req.body ?? {});
    send(res, await accounts.fulfil(commitment, actor, body, stepIdOf(req)), false);
  });

  router.get('/clients/:id/complaints', async (req, res) => {
    const client = await accounts.client(req.params.id);
    const { status, limit, cursor } = listQuerySchema(['open', 'resolved', 'closed']).parse(req.query);
    res.json({ clientId: client.id, ...(await complaintsPage(db, client.id, { status }, { limit, after: cursor })) });
  });

  router.get('/clients/:id/commitments', async (req, res) => {
    const client = await accounts.client(req.params.id);
    const { status, limit, cursor } = listQuerySchema(['open', 'fulfilled', 'cancelled']).parse(req.query);
    res.json({ clientId: client.id, ...(await commitmentsPage(db, client.id, { status }, { limit, after: cursor })) });
  });

  router.get('/clients/:id/reviews', async (req, res) => {
    const client = await accounts.client(req.params.id);
    const { limit, cursor } = pageQuerySchema(uuid).parse(req.query);
    res.json({ clientId: client.id, ...(await reviewsPage(db, client.id, { limit, after: cursor })) });
  });

  router.get('/complaints/:id', async (req, res) => {
    res.json(await accounts.findComplaint(req.params.id));
  });

  router.get('/analytics/losses', async (req, res) => {
    const { from, to } = lossesQuerySchema.parse(req.query);
    res.json(await lossesReport(db, from, to));
  });

  router.get('/analytics/churn', async (_req, res) => {
    res.json(await churnReport(db));
  });

  router.get('/analytics/cooling', async (req, res) => {
    const { days } = coolingQuerySchema.parse(req.query);
    res.json(await coolingReport(db, days));
  });

  return router;
}
