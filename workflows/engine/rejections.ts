// Typed rejections of a human step, shared by every process; the API maps each to an HTTP status.
import { ApplicationFailure } from '@temporalio/workflow';

export const STEP_REJECTIONS = {
  StepOutOfOrder: 409,
  FourEyes: 403,
  NotYours: 403,
  InvalidStep: 422,
  /** The step's own writing failed for good (its activity is not retried); the process is as it was. */
  StepFailed: 422,
} as const;
export type StepRejection = keyof typeof STEP_REJECTIONS;

export function reject(type: StepRejection, message: string): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true });
}
