// Which activity errors a retry can fix. Postgres refusing the data itself (SQLSTATE class 22,
// data exception: NUL bytes, bad encodings, dates out of range, values too long; class 23,
// integrity, except a unique violation a retry may find already written), an input that fails its
// schema, or a missing row will fail the same way every time: retrying them forever would hold
// the contract's step lock forever. They become non-retryable, and the workflow rejects the step
// and puts the contract back as it was. Everything else (connections, timeouts) is retried.
import { ApplicationFailure } from '@temporalio/common';
import { ZodError } from 'zod';

/** An error the activity knows is permanent (a row that must exist does not). */
export class PermanentError extends Error {}

function permanentReason(err: unknown): string | undefined {
  if (err instanceof PermanentError) return err.message;
  if (err instanceof ZodError) {
    return `invalid input: ${err.issues.map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`).join('; ')}`;
  }
  const code = (err as { code?: unknown })?.code;
  if (typeof code === 'string' && /^(22|23)[0-9A-Z]{3}$/.test(code) && code !== '23505') {
    return `Postgres refused the data (${code}): ${(err as Error).message}`;
  }
  return undefined;
}

export function nonRetryableWhenPermanent<A extends unknown[], R>(
  name: string,
  fn: (...args: A) => Promise<R>,
): (...args: A) => Promise<R> {
  const wrapped = async (...args: A): Promise<R> => {
    try {
      return await fn(...args);
    } catch (err) {
      const reason = permanentReason(err);
      if (reason === undefined) throw err;
      throw ApplicationFailure.create({
        type: 'PermanentActivityError',
        message: `${name}: ${reason}`,
        nonRetryable: true,
        cause: err as Error,
      });
    }
  };
  // The worker registers activities by property name, not by function name; this is for stack traces.
  Object.defineProperty(wrapped, 'name', { value: name });
  return wrapped;
}
