// Sends a human step to any process's workflow and turns Temporal's answer into an HTTP one:
// typed rejections (engine/rejections.ts) become 403/409/422, a closed process 409, and silence
// past the deadline 503 (nothing known to be taken) or "accepted" (it will be done).
import { createHash } from 'node:crypto';
import {
  ServiceError,
  WorkflowFailedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  isGrpcDeadlineError,
  isGrpcServiceError,
  type Client,
  type WithStartWorkflowOperation,
} from '@temporalio/client';
import { ApplicationFailure, TemporalFailure, WorkflowExecutionAlreadyStartedError, type UpdateDefinition } from '@temporalio/common';
import { STEP_REJECTIONS, type StepRejection } from '../workflows/engine/rejections';
import type { Pool } from 'pg';
import { stepTakenBy } from '../db/step-answers';
import { conflict, temporalUnavailable, StepRefusal, type HttpError } from './errors';

/** Temporal did not answer in time, or could not be reached. */
export function isNoAnswer(err: unknown): boolean {
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError || isGrpcDeadlineError(err)) return true;
  // 4 DEADLINE_EXCEEDED, 14 UNAVAILABLE, 1 CANCELLED (the deadline's abort).
  const code = isGrpcServiceError(err) ? err.code : (err as { cause?: { code?: number } })?.cause?.code;
  return code === 4 || code === 14 || code === 1;
}

const isStepRejection = (type: string | undefined | null): type is StepRejection => typeof type === 'string' && type in STEP_REJECTIONS;

/** The HTTP error for a step the process refused, or undefined for any other failure. */
export function rejectionOf(err: unknown): HttpError | undefined {
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure && isStepRejection(err.cause.type)) {
    const status = STEP_REJECTIONS[err.cause.type];
    const code =
      status === 409
        ? 'step_out_of_order'
        : status === 403
          ? 'forbidden'
          : err.cause.type === 'StepFailed'
            ? 'step_failed'
            : 'invalid_step';
    return new StepRefusal(status, code, err.cause.message, undefined, undefined, { kind: err.cause.type });
  }
  return undefined;
}

export interface ProcessStep<Arg> {
  workflowId: string;
  update: UpdateDefinition<unknown, [Arg]>;
  arg: Arg;
  /** The caller's Idempotency-Key: the same key is the same Temporal update, taken once. */
  stepId?: string;
  /** What the process is called in messages ("contract CT-2026-00017"), and where to look at it. */
  subject: string;
  location: string;
  /** Where the process stands now, for the 409 when its workflow has ended. */
  statusNow: () => Promise<string | undefined>;
  /**
   * Starts the process when it is not running yet (update-with-start): the step and the start are
   * one call, so concurrent first steps start one process. A fresh operation per call.
   */
  startWith?: () => WithStartWorkflowOperation<any>;
  /** Besides its update on the timeline, what shows the keyed step was taken (the row it names). */
  taken?: () => Promise<boolean>;
  /** The caller has just asked `taken` itself (before its own checks): not asked again before sending. */
  takenChecked?: boolean;
}

/**
 * Temporal failed under the step otherwise than by refusing it or by silence: the run failed or
 * was terminated while taking it, the update failed with something other than a typed rejection,
 * the server refused the call. Whether the step was recorded, Postgres says; it is never a 500.
 */
export function isProcessFailure(err: unknown): boolean {
  return (
    err instanceof WorkflowUpdateFailedError ||
    err instanceof WorkflowFailedError ||
    err instanceof WorkflowNotFoundError ||
    err instanceof TemporalFailure ||
    err instanceof ServiceError ||
    isGrpcServiceError(err)
  );
}

/** The Temporal update id of a step sent with an Idempotency-Key: the same key, the same update. */
export const updateIdOf = (update: UpdateDefinition<unknown, any>, stepId: string): string =>
  `step-${createHash('sha256').update(`${update.name}\n${stepId}`).digest('hex').slice(0, 32)}`;

export interface ProcessSteps {
  /**
   * 'done' when the step was recorded, 'accepted' when it was accepted and is still being recorded.
   * A keyed step whose update is already on the process's timeline is 'done' at once: a retry after
   * a 503 or a 202 learns that its step was taken, even once the process has ended.
   */
  send<Arg>(step: ProcessStep<Arg>): Promise<'done' | 'accepted'>;
  /** Whether a step with this Idempotency-Key was recorded: checked before an API's own pre-checks. */
  taken(
    workflowId: string,
    update: UpdateDefinition<unknown, any>,
    stepId: string | undefined,
    namesTaken?: () => Promise<boolean>,
  ): Promise<boolean>;
  withDeadline<T>(deadline: number, call: () => Promise<T>): Promise<T>;
  callTimeoutMs: number;
}

export function createProcessSteps({ db, temporal, callTimeoutMs }: { db: Pool; temporal: Client; callTimeoutMs: number }): ProcessSteps {
  const withDeadline = <T>(deadline: number, call: () => Promise<T>): Promise<T> => temporal.withDeadline(deadline, call);
  const taken = async (
    workflowId: string,
    update: UpdateDefinition<unknown, any>,
    stepId: string | undefined,
    namesTaken?: () => Promise<boolean>,
  ) =>
    stepId !== undefined &&
    ((await stepTakenBy(db, workflowId, updateIdOf(update, stepId))) || (namesTaken !== undefined && (await namesTaken())));
  return {
    withDeadline,
    callTimeoutMs,
    taken,
    async send({ workflowId, update, arg, stepId, subject, location, statusNow, startWith, taken: namesTaken, takenChecked }) {
      const stepTaken = () => taken(workflowId, update, stepId, namesTaken);
      if (!takenChecked && (await taken(workflowId, update, stepId))) return 'done';
      /** The step's run failed under it: done if Postgres has it, else the caller may try again. */
      const failedUnder = async (err: unknown): Promise<'done'> => {
        if (await stepTaken()) return 'done';
        const e = err as Error & { cause?: Error };
        console.warn(`api: a step of ${workflowId} failed in Temporal: ${e.message}${e.cause ? ` (${e.cause.message})` : ''}`);
        throw temporalUnavailable(
          `${subject}'s process failed in Temporal while taking the step, which may not have been recorded: ` +
            `check GET ${location} before trying again, or retry with the same Idempotency-Key`,
        );
      };
      const deadline = Date.now() + callTimeoutMs;
      const handle = temporal.workflow.getHandle(workflowId);
      const updateId = stepId ? updateIdOf(update, stepId) : undefined;
      let accepted;
      try {
        accepted = await withDeadline(deadline, () =>
          startWith
            ? temporal.workflow.startUpdateWithStart(update, {
                args: [arg],
                waitForStage: 'ACCEPTED',
                updateId,
                startWorkflowOperation: startWith(),
              })
            : handle.startUpdate(update, { args: [arg], waitForStage: 'ACCEPTED', updateId }),
        );
      } catch (err) {
        const rejected = rejectionOf(err);
        const closed = err instanceof WorkflowNotFoundError || err instanceof WorkflowExecutionAlreadyStartedError;
        // A copy of this keyed request may have taken the step meanwhile (and ended the process).
        if ((rejected || closed) && (await stepTaken())) return 'done';
        if (rejected) throw rejected;
        if (closed) throw conflict(`${subject} is ${(await statusNow()) ?? 'closed'}; no further steps are possible`);
        if (isNoAnswer(err)) {
          throw temporalUnavailable(
            `Temporal did not answer within ${Math.round(callTimeoutMs / 1000)} s; the step may not have been taken: ` +
              `check GET ${location} before trying again, or retry with the same Idempotency-Key`,
          );
        }
        if (isProcessFailure(err)) return failedUnder(err);
        throw err;
      }
      try {
        await withDeadline(deadline, () => accepted.result());
      } catch (err) {
        const rejected = rejectionOf(err);
        if (rejected && (await stepTaken())) return 'done';
        if (rejected) throw rejected;
        if (isNoAnswer(err)) return 'accepted';
        if (isProcessFailure(err)) return failedUnder(err);
        throw err;
      }
      return 'done';
    },
  };
}
