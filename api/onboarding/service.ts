// Starts onboarding workflows and sends them human steps. A new client and the onboarding row are
// written in one transaction before the start; a start that fails takes both back, so a failed
// request leaves no client behind; the request answers once its first step is recorded, with the
// stage it moved the onboarding to. Steps go through the shared sender (process-steps.ts): the same
// deadlines, 202s, 503s and rejections as the contract's. Nothing is decided here that concurrent
// requests could both pass: the order of steps, who may take them (beyond the role), the merge of
// answers and whether the form is complete are the workflow's. What a step writes first (answer
// changes, a contract draft) is taken back when the workflow refuses the step.
import { createHash, randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import type { Pool } from 'pg';
import { z } from 'zod';
import type { AccountSla } from '../../workflows/account/rules';
import { SEGMENTS } from '../../domain/client';
import { needsLegalApproval, TEMPLATES, type ContractSla } from '../../workflows/contract/rules';
import type { Actor } from '../../domain/people';
import {
  CHECKLIST_ITEMS,
  QUALIFICATION_DECISIONS,
  SUPPLIER_POSITIONS,
  type ChecklistItem,
  type OnboardingSla,
  type OnboardingWorkflowInput,
} from '../../workflows/onboarding/rules';
import { draftSchema, LIMITS, newClientSchema, safeText, uuid } from '../../domain/schemas';
import { deleteNewClient, findClient, insertClientIn } from '../../db/clients';
import { saveDraft } from '../../db/contract/drafts';
import {
  deleteAnswerChanges,
  deleteUnstartedOnboarding,
  findOnboarding,
  insertOnboarding,
  onboardingDetail,
  saveAnswerChanges,
  stageOf,
  type Onboarding,
  type OnboardingDetail,
} from '../../db/onboarding/onboardings';
import { queryOne, withTransaction } from '../../db/pool';
import { validateAnswerChanges, validateAnswers } from '../../db/onboarding/questionnaires';
import { findActiveManager } from '../../db/staff';
import {
  answersUpdate,
  assignmentUpdate,
  cancelOnboardingUpdate,
  checklistUpdate,
  onboardingContractUpdate,
  qualificationUpdate,
  requestUpdate,
  type OnboardingResult,
} from '../../workflows/onboarding/messages';
import { badRequest, HttpError, notFound, temporalUnavailable } from '../errors';
import { createProcessSteps, isNoAnswer } from '../process-steps';
import { idFor } from '../keyed-answers';

// ---- Bodies ---------------------------------------------------------------------------------------

export const LINE_OF_BUSINESS_MAX = 200;

/** An answers object as sent; each answer is judged against the questionnaire afterwards. */
const answersObject = z.record(z.string(), z.unknown(), { error: 'must be an object of answers keyed by question' });

export const newOnboardingSchema = z
  .object({
    client: newClientSchema.optional(),
    clientId: uuid.optional(),
    lineOfBusiness: safeText(LINE_OF_BUSINESS_MAX),
    questionnaireId: uuid,
    answers: answersObject.default({}),
  })
  .superRefine((body, ctx) => {
    if (body.client !== undefined && body.clientId !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['clientId'],
        message: 'give either client (a new client) or clientId (an existing one), not both',
      });
    } else if (body.client === undefined && body.clientId === undefined) {
      ctx.addIssue({ code: 'custom', path: ['clientId'], message: 'give client (a new client) or clientId (an existing one)' });
    }
  });
export type NewOnboardingBody = z.infer<typeof newOnboardingSchema>;

/** `null` for a question removes an earlier answer. */
export const answersStepSchema = z.object({ answers: answersObject });
export const qualificationSchema = z.object({
  segment: z.enum(SEGMENTS),
  supplierPosition: z.enum(SUPPLIER_POSITIONS),
  expectedAnnualRevenue: z.number().min(0).max(1e15).multipleOf(0.01, 'at most two decimals'),
  decision: z.enum(QUALIFICATION_DECISIONS),
  reason: safeText(LIMITS.comment),
  /** The language of the refusal letter, when declined. */
  letterLanguage: z.enum(TEMPLATES).default('ru'),
});
export const assignmentSchema = z.object({ managerId: uuid });
export const onboardingContractSchema = draftSchema.extend({ template: z.enum(TEMPLATES).default('ru') });
export const checklistSchema = z.object({ note: safeText(LIMITS.comment) });
export const cancelOnboardingSchema = z.object({ reason: safeText(LIMITS.comment) });

// ---- The service ----------------------------------------------------------------------------------

export interface OnboardingServiceDeps {
  db: Pool;
  temporal: Client;
  taskQueue: string;
  sla: OnboardingSla;
  contractSla: ContractSla;
  /** The rules of the relationship a completed onboarding opens. */
  accountSla: AccountSla;
  callTimeoutMs: number;
}

export interface CreatedOnboarding {
  id: string;
  workflowId: string;
  stage: string;
  clientId: string;
}

export type OnboardingAnswer =
  { kind: 'done'; onboarding: OnboardingDetail } | { kind: 'accepted'; id: string; workflowId: string; message: string };

export interface OnboardingService {
  /**
   * With an Idempotency-Key the request names its onboarding: sent again (after a crash that lost the
   * answer, or twenty times at once) it finds the one the first made, and starts it if need be.
   */
  create(actor: Actor, body: NewOnboardingBody, key?: string): Promise<CreatedOnboarding>;
  /** The onboarding, or 404 for an id that names none (a malformed one included). */
  find(id: string): Promise<Onboarding>;
  /** Each step: the onboarding (from `find`), who acts, the checked body, the Idempotency-Key. */
  answers(onboarding: Onboarding, actor: Actor, answers: Record<string, unknown>, stepId?: string): Promise<OnboardingAnswer>;
  qualification(
    onboarding: Onboarding,
    actor: Actor,
    body: z.infer<typeof qualificationSchema>,
    stepId?: string,
  ): Promise<OnboardingAnswer>;
  assignment(onboarding: Onboarding, actor: Actor, body: z.infer<typeof assignmentSchema>, stepId?: string): Promise<OnboardingAnswer>;
  contract(
    onboarding: Onboarding,
    actor: Actor,
    body: z.infer<typeof onboardingContractSchema>,
    stepId?: string,
  ): Promise<OnboardingAnswer>;
  checklist(
    onboarding: Onboarding,
    actor: Actor,
    item: ChecklistItem,
    body: z.infer<typeof checklistSchema>,
    stepId?: string,
  ): Promise<OnboardingAnswer>;
  cancel(onboarding: Onboarding, actor: Actor, body: z.infer<typeof cancelOnboardingSchema>, stepId?: string): Promise<OnboardingAnswer>;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** A row id for something a step writes first: the same Idempotency-Key names the same row. */
const stepRowId = (workflowId: string, what: string, stepId: string | undefined) =>
  `${workflowId}:${what}:${stepId ? sha256(stepId).slice(0, 32) : randomUUID()}`;

export const isChecklistItem = (item: string): item is ChecklistItem => (CHECKLIST_ITEMS as string[]).includes(item);

export function createOnboardingService({
  db,
  temporal,
  taskQueue,
  sla,
  contractSla,
  accountSla,
  callTimeoutMs,
}: OnboardingServiceDeps): OnboardingService {
  const steps = createProcessSteps({ db, temporal, callTimeoutMs });

  async function find(id: string): Promise<Onboarding> {
    const onboarding = await findOnboarding(db, id);
    if (!onboarding) throw notFound(`onboarding ${id}`);
    return onboarding;
  }

  /**
   * Sends a step. `undo` takes back what this request wrote for it first, when the workflow refused
   * the step before doing anything (403, 409): a refused step leaves nothing behind. (A 422 step
   * failed after it began, and may have started something that reads it.)
   */
  async function step<Arg>(
    onboarding: Onboarding,
    update: UpdateDefinition<OnboardingResult, [Arg]>,
    arg: Arg,
    stepId?: string,
    undo?: () => Promise<void>,
  ): Promise<OnboardingAnswer> {
    const { id, workflowId } = onboarding;
    let outcome;
    try {
      outcome = await steps.send({
        workflowId,
        update,
        arg,
        stepId,
        subject: `onboarding ${id}`,
        location: `/api/onboardings/${id}`,
        statusNow: () => stageOf(db, id),
      });
    } catch (err) {
      if (undo && err instanceof HttpError && (err.status === 403 || err.status === 409)) {
        await undo().catch((e: Error) => console.warn(`api: what a refused step of onboarding ${id} wrote stays: ${e.message}`));
      }
      throw err;
    }
    if (outcome === 'accepted') {
      return { kind: 'accepted', id, workflowId, message: `the step was accepted and is being recorded; see GET /api/onboardings/${id}` };
    }
    const now = await onboardingDetail(db, id);
    if (!now) throw new Error(`onboarding ${id} is missing after its step`);
    return { kind: 'done', onboarding: now };
  }

  /** Takes back what a request wrote when its workflow could not be started. */
  async function undoCreate(onboardingId: string, newClientId: string | undefined): Promise<void> {
    try {
      await withTransaction(db, async (tx) => {
        await deleteUnstartedOnboarding(tx, onboardingId);
        if (newClientId) await deleteNewClient(tx, newClientId);
      });
    } catch (err) {
      // Something was written for them after all (a start that did reach Temporal): they stay.
      console.warn(`api: onboarding ${onboardingId} could not be taken back after a failed start: ${(err as Error).message}`);
    }
  }

  return {
    find,

    async create(actor, body, key) {
      const check = await validateAnswers(db, body.questionnaireId, body.answers, { complete: false });
      const existing = body.clientId !== undefined ? await findClient(db, body.clientId) : undefined;
      if (body.clientId !== undefined && !existing) {
        throw badRequest('the request is not valid', [{ path: 'clientId', message: 'no client has this id' }]);
      }
      const id = idFor(`onboarding:${actor.staffId}`, key);
      const workflowId = `onboarding-${id}`;
      /** What an earlier request with this key made (its client with it, in one transaction). */
      const madeBefore = async () => {
        const made = await findOnboarding(db, id);
        if (!made) return undefined;
        if (body.clientId !== undefined && made.clientId !== body.clientId) {
          throw new HttpError(
            422,
            'idempotency_key_reused',
            'this Idempotency-Key was already used for a different request; use a new key',
          );
        }
        return { clientId: made.clientId, clientCode: made.clientCode, newClientId: undefined };
      };
      let insertedHere = false;
      const { clientId, clientCode, newClientId } =
        (key ? await madeBefore() : undefined) ??
        (await withTransaction(db, async (tx) => {
          const created = body.client ? await insertClientIn(tx, body.client, actor.staffId) : undefined;
          const clientId = created?.id ?? body.clientId!;
          await insertOnboarding(tx, {
            id,
            workflowId,
            clientId,
            lineOfBusiness: body.lineOfBusiness,
            questionnaireId: check.questionnaire.id,
            answers: check.answers,
            stage: 'intake',
            createdBy: actor.staffId,
          });
          insertedHere = true;
          return { clientId, clientCode: created?.code ?? existing?.code, newClientId: created?.id };
        }).catch(async (err: { code?: string }) => {
          // The same key sent at the same moment: the other request's transaction made it (and its client).
          const made = key && err.code === '23505' ? await madeBefore() : undefined;
          if (!made) throw err;
          return made;
        }));

      const input: OnboardingWorkflowInput = {
        onboardingId: id,
        clientId,
        clientCode,
        createdBy: { staffId: actor.staffId, name: actor.name, roles: [...actor.roles] },
        answersComplete: check.missing.length === 0,
        sla,
        contractSla,
        accountSla,
      };
      const deadline = Date.now() + callTimeoutMs;
      try {
        await steps.withDeadline(deadline, () =>
          temporal.workflow.start('onboardingWorkflow', {
            workflowId,
            taskQueue,
            workflowIdReusePolicy: 'REJECT_DUPLICATE',
            args: [input],
          }),
        );
      } catch (err) {
        // Started by an earlier request with this key: this one goes on to answer with it.
        if (err instanceof WorkflowExecutionAlreadyStartedError) return answerCreated();
        // Only what this request wrote is taken back; an earlier request's rows wait for its retry.
        if (insertedHere) await undoCreate(id, newClientId);
        if (isNoAnswer(err)) {
          throw temporalUnavailable(`Temporal did not answer within ${Math.round(callTimeoutMs / 1000)} s; nothing was started, try again`);
        }
        throw err;
      }
      return answerCreated();

      // The answer waits for the workflow's first step (the request, recorded with its stage), so
      // a request with every answer says qualification and the next step finds it there. The step
      // has one update id, so a request sent again is told the same step, never a second one.
      async function answerCreated(): Promise<CreatedOnboarding> {
        let stage: string | undefined;
        try {
          stage = (
            await steps.withDeadline(deadline, () =>
              temporal.workflow.getHandle(workflowId).executeUpdate(requestUpdate, { updateId: 'request' }),
            )
          ).stage;
        } catch (err) {
          if (!isNoAnswer(err))
            console.warn(`api: onboarding ${id} started, but its request step did not answer: ${(err as Error).message}`);
        }
        // Not recorded within the deadline: where it stands right now.
        stage ??= (await stageOf(db, id)) ?? 'intake';
        return { id, workflowId, stage, clientId };
      }
    },

    async answers(onboarding, actor, given, stepId) {
      // Each answer is checked here; merging them and deciding whether the form is complete is the
      // workflow's, in its step lock, over the answers stored when the step takes its turn.
      const changes = await validateAnswerChanges(db, onboarding.questionnaireId, given);
      const answerSetId = stepRowId(onboarding.workflowId, 'answers', stepId);
      const fresh = await saveAnswerChanges(db, { id: answerSetId, onboardingId: onboarding.id, changes, createdBy: actor.staffId });
      return step(
        onboarding,
        answersUpdate,
        { actor, answerSetId },
        stepId,
        fresh ? () => deleteAnswerChanges(db, answerSetId) : undefined,
      );
    },

    async qualification(onboarding, actor, body, stepId) {
      return step(onboarding, qualificationUpdate, { ...body, actor }, stepId);
    },

    async assignment(onboarding, actor, { managerId }, stepId) {
      const manager = await findActiveManager(db, managerId);
      if (!manager) throw badRequest('the request is not valid', [{ path: 'managerId', message: 'no active manager has this id' }]);
      return step(onboarding, assignmentUpdate, { actor, managerId, managerName: manager.name }, stepId);
    },

    async contract(onboarding, actor, { template, ...draft }, stepId) {
      const draftId = stepRowId(onboarding.workflowId, 'contract', stepId);
      const existed = await queryOne(db, 'SELECT 1 FROM contract_drafts WHERE id = $1', [draftId]);
      await saveDraft(db, { id: draftId, workflowId: onboarding.workflowId, draft, createdBy: actor.staffId });
      return step(
        onboarding,
        onboardingContractUpdate,
        { actor, draftId, template, endDate: draft.terms.endDate, needsLegalApproval: needsLegalApproval(draft) },
        stepId,
        // No contract was started with it, so nothing refers to it.
        existed ? undefined : async () => void (await db.query('DELETE FROM contract_drafts WHERE id = $1', [draftId])),
      );
    },

    async checklist(onboarding, actor, item, { note }, stepId) {
      return step(onboarding, checklistUpdate, { actor, item, note }, stepId);
    },

    async cancel(onboarding, actor, { reason }, stepId) {
      return step(onboarding, cancelOnboardingUpdate, { actor, reason }, stepId);
    },
  };
}
