// What must never reach a log line: credentials. Every logger of the product (the API, the worker,
// `npm start`) passes each line through here, so a header, an error or a configuration object
// logged by mistake still shows no token, password, cookie, secret or mail-server URL. Idempotency
// keys, request ids and workflow ids are not secrets and stay readable.

export const REDACTED = '[redacted]';

/** Keys whose value is a credential wherever they appear (headers, bodies, options, errors). */
const SECRET_KEY = /authorization|cookie|token|password|passwd|secret|credential|api[-_]?key|smtp[-_]?url|^pass$/i;

// Credentials inside text: the password of a URL (smtp://user:pass@host, postgres://…), a bearer or
// session credential, a webhook signing secret.
const SECRET_TEXT: readonly [RegExp, string][] = [
  [/\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*):[^\s@/]*@/gi, `$1:${REDACTED}@`],
  [/\b(Bearer|Session|Basic)\s+[^\s,;"']+/gi, `$1 ${REDACTED}`],
  [/\bwhsec_[A-Za-z0-9+/=]+/g, REDACTED],
];

/** `text` with every credential it carries replaced. */
export function redactText(text: string): string {
  let out = text;
  for (const [pattern, replacement] of SECRET_TEXT) out = out.replace(pattern, replacement);
  return out;
}

export const isSecretKey = (key: string): boolean => SECRET_KEY.test(key);

/**
 * A copy of `value` safe to log: secret keys' values replaced at any depth, credentials cut out of
 * every string, errors flattened to their type, message, stack, code and cause. Bounded in depth so
 * a cyclic or enormous object cannot stall a log call.
 */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > 8) return '[deep]';
  if (value instanceof Error) {
    const e = value as Error & { code?: unknown; cause?: unknown };
    return redact(
      {
        type: e.name,
        message: e.message,
        stack: e.stack,
        ...(e.code !== undefined ? { code: e.code } : {}),
        ...(e.cause ? { cause: e.cause } : {}),
      },
      depth + 1,
    );
  }
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  if (value instanceof Date || Buffer.isBuffer(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = isSecretKey(key) ? REDACTED : redact(item, depth + 1);
  return out;
}
