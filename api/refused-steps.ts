// A step whose request writes something before its process decides (a draft of revised terms the
// workflow reads by id) must leave nothing behind when the process refuses it: a refused request
// writes no row. The process refuses before doing anything with a 403 or a 409; a 422 failed after
// the step began, and what it wrote may be read, so it stays.
import { HttpError } from './errors';

/** Takes `step`; when its process refused it (403, 409), `undo` takes back what the request wrote for it. */
export async function undoneIfRefused<T>(step: () => Promise<T>, undo: (() => Promise<unknown>) | undefined, what: string): Promise<T> {
  try {
    return await step();
  } catch (err) {
    if (undo && err instanceof HttpError && (err.status === 403 || err.status === 409)) {
      await undo().catch((e: Error) => console.warn(`api: what a refused step of ${what} wrote stays: ${e.message}`));
    }
    throw err;
  }
}
