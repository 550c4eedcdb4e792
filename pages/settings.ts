// The pages' settings, from the environment, with the documented defaults (README, "Pages").
import { parseDuration } from '../config/duration';

export const PAGE_SETTINGS = {
  SESSION_LIFETIME: 'how long a sign-in lasts (default 12h)',
  INVITATION_VALID_FOR: 'how long an invitation link (and the first administrator’s) can be used (default 7d)',
  SIGN_IN_WINDOW: 'the window failed sign-ins are counted over (default 15m)',
  SIGN_IN_LIMIT_PER_ACCOUNT: 'failed sign-ins to one account within the window before it is refused for a while (default 5)',
  SIGN_IN_LIMIT_PER_ADDRESS: 'failed sign-ins from one address within the window (default 30)',
  PUBLIC_URL: 'the address people open, for links printed or mailed (default: the address the request came to)',
  TRUST_PROXY:
    "the proxies in front (Express's `trust proxy`: loopback, a number of hops, subnets): their X-Forwarded-For counts for sign-in limits and X-Forwarded-Proto https makes the session cookie Secure (default: none)",
} as const;

export interface PageSettings {
  sessionLifetimeMs: number;
  invitationValidForMs: number;
  signInWindowMs: number;
  signInLimitPerAccount: number;
  signInLimitPerAddress: number;
  publicUrl?: string;
  /** Express's `trust proxy`, or false. */
  trustProxy: string | number | false;
}

function duration(env: NodeJS.ProcessEnv, name: keyof typeof PAGE_SETTINGS, fallback: string): number {
  const text = env[name] || fallback;
  const ms = parseDuration(text);
  if (ms === undefined) throw new Error(`${name}: "${text}" is not a duration such as 90s, 15m, 2d`);
  return ms;
}

function count(env: NodeJS.ProcessEnv, name: keyof typeof PAGE_SETTINGS, fallback: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name}: "${text}" is not a whole number of at least 1`);
  return n;
}

export function pageSettingsFrom(env: NodeJS.ProcessEnv): PageSettings {
  return {
    sessionLifetimeMs: duration(env, 'SESSION_LIFETIME', '12h'),
    invitationValidForMs: duration(env, 'INVITATION_VALID_FOR', '7d'),
    signInWindowMs: duration(env, 'SIGN_IN_WINDOW', '15m'),
    signInLimitPerAccount: count(env, 'SIGN_IN_LIMIT_PER_ACCOUNT', 5),
    signInLimitPerAddress: count(env, 'SIGN_IN_LIMIT_PER_ADDRESS', 30),
    publicUrl: env.PUBLIC_URL ? env.PUBLIC_URL.replace(/\/+$/, '') : undefined,
    trustProxy: !env.TRUST_PROXY ? false : /^\d+$/.test(env.TRUST_PROXY) ? Number(env.TRUST_PROXY) : env.TRUST_PROXY,
  };
}
