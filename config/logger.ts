// Every process of the product logs JSON lines (pino): one object per line, with its time, level,
// the component that wrote it (api, worker, start) and what it is about, so an operator's log
// pipeline can filter by request id, workflow id or level instead of parsing prose. Every line goes
// through the redaction in log-redaction.ts first.
import { formatWithOptions } from 'node:util';
import pino, { type DestinationStream, type Logger } from 'pino';
import { redact, redactText } from './log-redaction';

export type { Logger } from 'pino';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface LoggerOptions {
  level: LogLevel | 'silent';
  /** Which part of the product writes: `api`, `worker`, `start`. */
  component: string;
  /** Where the lines go; standard output (synchronously, so nothing is lost at exit) by default. */
  destination?: DestinationStream;
}

export function createLogger({ level, component, destination }: LoggerOptions): Logger {
  return pino(
    {
      level,
      base: { component },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Errors are flattened (and redacted) by the log formatter below, under whatever key they are
      // logged (`err`, or the SDK's `error`); pino's own serializer would then relabel them `Object`.
      serializers: { err: (value: unknown) => value },
      // Levels as words ("info"), which people and most pipelines read more easily than numbers.
      formatters: { level: (label) => ({ level: label }), log: (object) => redact(object) as Record<string, unknown> },
      hooks: {
        // The message text too: an error's message may quote a URL with its password.
        logMethod(args, method) {
          method.apply(this, args.map((arg) => (typeof arg === 'string' ? redactText(arg) : arg)) as Parameters<typeof method>);
        },
      },
    },
    destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

/**
 * For an entry point: what modules still print with `console` becomes JSON lines of `logger` too
 * (log and info at info, warn at warn, error at error), so an operator's pipeline never meets a
 * line it cannot parse. Not for tests or libraries: only a process's own entry point may do this.
 */
export function routeConsoleTo(logger: Logger): void {
  const text = (args: unknown[]) => formatWithOptions({ breakLength: Infinity }, ...args);
  const errorOf = (args: unknown[]) => args.find((arg): arg is Error => arg instanceof Error);
  console.log = console.info = (...args: unknown[]) => logger.info(text(args));
  console.debug = (...args: unknown[]) => logger.debug(text(args));
  console.warn = (...args: unknown[]) => {
    const err = errorOf(args);
    logger.warn(err ? { err } : {}, text(args.filter((arg) => arg !== err)));
  };
  console.error = (...args: unknown[]) => {
    const err = errorOf(args);
    logger.error(err ? { err } : {}, text(args.filter((arg) => arg !== err)) || (err?.message ?? ''));
  };
}
