// The amendment's clocks, from the environment (AMENDMENT_*), with the documented defaults.
import { parseDuration } from '../../config/duration';
import { DEFAULT_AMENDMENT_SLA, type AmendmentSla } from '../../workflows/amendment/rules';

export const AMENDMENT_SETTINGS = {
  AMENDMENT_STEP_REMINDER_AFTER: 'a reminder to whoever an amendment waits on (default 2d)',
  AMENDMENT_STEP_ESCALATION_AFTER: 'then an escalation task for the head of key accounts (default 5d)',
  AMENDMENT_HISTORY_LIMIT: 'history events after which an amendment continues as new (default 10000)',
} as const;

function duration(env: NodeJS.ProcessEnv, name: keyof typeof AMENDMENT_SETTINGS, fallback: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const ms = parseDuration(text);
  if (ms === undefined) throw new Error(`${name}: "${text}" is not a duration such as 90s, 15m, 2d`);
  return ms;
}

export function amendmentSlaFrom(env: NodeJS.ProcessEnv): AmendmentSla {
  const limit = env.AMENDMENT_HISTORY_LIMIT;
  const historyLimit = limit === undefined || limit === '' ? DEFAULT_AMENDMENT_SLA.historyLimit : Number(limit);
  if (historyLimit !== undefined && (!Number.isInteger(historyLimit) || historyLimit < 100)) {
    throw new Error(`AMENDMENT_HISTORY_LIMIT: "${limit}" is not a whole number of at least 100`);
  }
  return {
    stepReminderAfterMs: duration(env, 'AMENDMENT_STEP_REMINDER_AFTER', DEFAULT_AMENDMENT_SLA.stepReminderAfterMs),
    stepEscalationAfterMs: duration(env, 'AMENDMENT_STEP_ESCALATION_AFTER', DEFAULT_AMENDMENT_SLA.stepEscalationAfterMs),
    historyLimit,
  };
}
