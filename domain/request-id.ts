// The request id an operator follows from the API's log line to the workflow and activity lines
// of the step that request caused. It travels as a Temporal header; this module is what both sides
// agree on, and it is workflow-safe (no Node built-ins), because the workflow reads it too.

/** The Temporal header (on starts, signals, updates, activities and children) that carries it. */
export const REQUEST_ID_HEADER = 'request-id';

/** The attribute every log line of that request carries, in the API and in the worker alike. */
export const REQUEST_ID_LOG_KEY = 'requestId';

/** A caller's id is kept only up to this length: it goes into every log line. */
export const REQUEST_ID_MAX_LENGTH = 128;

/**
 * A caller's X-Request-Id when it is sane to log and pass on: 1–128 visible ASCII characters, so no
 * spaces, control characters or line breaks can forge or split a log line. Otherwise undefined, and
 * the API makes its own.
 */
export function saneRequestId(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  return value.length <= REQUEST_ID_MAX_LENGTH && /^[\x21-\x7e]+$/.test(value) ? value : undefined;
}
