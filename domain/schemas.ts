// zod schemas for everything that enters the system: API bodies, query strings and activity inputs.
// Kept out of workflow modules (sdk-typescript#2227); workflows use the plain types in contract.ts.
//
// A value that passes here must be writable to Postgres: an activity that fails on a row it can
// never write retries forever and jams its contract. So every text refuses NUL (text columns) and
// unpaired UTF-16 surrogates (jsonb, and any UTF-8 encoder), every date stays in a range Postgres
// and people both accept, and every size is bounded.
import { z } from 'zod';
import { DISPATCH_CHANNELS, LEGAL_DECISIONS } from './signing';
import { ROLES } from './people';
import { isValidInn } from './inn';

/**
 * Field sizes, in UTF-16 code units (JavaScript's string length). The PDF benchmark renders the
 * largest contract these allow, so change them together with it.
 */
export const LIMITS = {
  personName: 200,
  jobTitle: 200,
  location: 200,
  signatoryName: 200,
  legalName: 300,
  address: 500,
  bankName: 300,
  email: 254,
  subject: 1000,
  deviations: 30,
  clause: 100,
  standard: 2000,
  proposed: 2000,
  additionalAgreement: 10_000,
  specialAppendix: 10_000,
  contacts: 20,
  comment: 4000,
  trackingRef: 200,
  cursor: 500,
  pageSize: 200,
  markReadIds: 200,
} as const;

export const DATE_RANGE = { min: '1900-01-01', max: '2199-12-31' } as const;
export const DEFAULT_PAGE_SIZE = 50;

const NUL = /\u0000/;
// With the u flag a well-formed pair is one code point outside this class; only a lone half matches.
const LONE_SURROGATE = /\p{Cs}/u;

/** True when Postgres can store the text as text and as jsonb. */
export const isStorableText = (text: string): boolean => !NUL.test(text) && !LONE_SURROGATE.test(text);

/**
 * The building block of every accepted string: any string Postgres can store. Compose it with
 * further checks (`safeString().trim().max(…)`); its two refusals name the field like any other.
 */
export const safeString = () =>
  z
    .string()
    .refine((s) => !NUL.test(s), 'must not contain the NUL character (\\u0000)')
    .refine((s) => !LONE_SURROGATE.test(s), 'must not contain an unpaired UTF-16 surrogate');

/** Human text: storable, trimmed, not empty, at most `max` characters. */
export const safeText = (max: number) => safeString().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

const digits = (n: number, what: string) => safeString().regex(new RegExp(`^\\d{${n}}$`), `${what} is ${n} digits`);
const email = () =>
  z
    .email({ error: 'must be an e-mail address' })
    .max(LIMITS.email, `must be at most ${LIMITS.email} characters`)
    .refine(isStorableText, 'must not contain NUL or unpaired surrogates');

// abort: a string that is not a date at all gets one issue, not a second about its range.
export const isoDate = z.iso
  .date({ error: 'must be a date as YYYY-MM-DD', abort: true })
  .refine((d) => d >= DATE_RANGE.min && d <= DATE_RANGE.max, `must be between ${DATE_RANGE.min} and ${DATE_RANGE.max}`);
/** The first and last instants any date or instant may name, compared as instants in UTC. */
export const INSTANT_RANGE = { min: Date.UTC(1900, 0, 1), max: Date.UTC(2199, 11, 31, 23, 59, 59, 999) } as const;
/**
 * An instant with its offset (`2026-05-01T12:00:00+03:00`, `…Z`), inside 1900-01-01T00:00Z ..
 * 2199-12-31T23:59:59.999Z as an instant: `1900-01-01T00:00:00+05:00` is 1899-12-31T19:00Z and is
 * refused, `2199-12-31T12:00:00Z` is accepted (text compared as text got both wrong).
 */
export const isoInstant = z.iso
  .datetime({ offset: true, error: 'must be an instant in ISO 8601 with its offset (2026-05-01T12:00:00+03:00)', abort: true })
  .refine((t) => {
    const at = Date.parse(t);
    return at >= INSTANT_RANGE.min && at <= INSTANT_RANGE.max;
  }, `must be between ${DATE_RANGE.min}T00:00:00Z and ${DATE_RANGE.max}T23:59:59Z`);
export const uuid = z.uuid({ error: 'must be a UUID' });

export const roleSchema = z.enum(ROLES);
const rolesSchema = z
  .array(roleSchema)
  .min(1, 'at least one role')
  .max(ROLES.length * 2)
  .transform((roles) => [...new Set(roles)]);

export const actorSchema = z.object({
  staffId: safeString().min(1),
  name: safeString().min(1),
  roles: z.array(roleSchema),
});

export const newStaffSchema = z.object({
  name: safeText(LIMITS.personName),
  email: email(),
  roles: rolesSchema,
});

/** PATCH /api/staff/:id. Strict, so a misspelt field is a 400 rather than a silent no-op. */
export const staffPatchSchema = z
  .strictObject({
    name: safeText(LIMITS.personName).optional(),
    roles: rolesSchema.optional(),
    disabled: z.boolean().optional(),
  })
  .refine((p) => p.name !== undefined || p.roles !== undefined || p.disabled !== undefined, {
    message: 'give at least one of name, roles, disabled',
  });

export const DECISION_ROLES = ['leader', 'specifier', 'helper', 'butler'] as const;

export const contactSchema = z
  .object({
    name: safeText(LIMITS.personName),
    jobTitle: safeText(LIMITS.jobTitle).optional(),
    phone: safeString()
      .trim()
      .regex(/^\+?[\d\s()-]{5,20}$/, 'is not a phone number')
      .optional(),
    email: email().optional(),
    decisionRole: z.enum(DECISION_ROLES),
  })
  .refine((c) => c.phone || c.email, { message: 'a contact needs a phone or an e-mail', path: ['phone'] });

export const requisitesSchema = z
  .object({
    legalName: safeText(LIMITS.legalName),
    inn: safeString().trim().refine(isValidInn, 'is not a valid INN: 10 or 12 digits with correct check digits'),
    kpp: digits(9, 'KPP').optional(),
    address: safeText(LIMITS.address),
    bankName: safeText(LIMITS.bankName),
    bik: digits(9, 'BIK'),
    account: digits(20, 'the settlement account'),
    correspondentAccount: digits(20, 'the correspondent account'),
  })
  .refine((r) => r.inn.length === 12 || r.kpp !== undefined, {
    message: 'a legal entity (10-digit INN) needs a KPP',
    path: ['kpp'],
  });

export const newClientSchema = z.object({
  location: safeText(LIMITS.location).optional(),
  signatoryName: safeText(LIMITS.signatoryName).optional(),
  firstContactDate: isoDate.optional(),
  requisites: requisitesSchema,
  contacts: z.array(contactSchema).min(1, 'at least one contact person').max(LIMITS.contacts, `at most ${LIMITS.contacts} contact persons`),
});

export const termsSchema = z
  .object({
    subject: safeText(LIMITS.subject),
    amount: z.number().positive().max(1e15).multipleOf(0.01, 'at most two decimals'),
    currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as RUB'),
    startDate: isoDate,
    endDate: isoDate,
    paymentTermsDays: z.number().int().min(0).max(365),
  })
  .refine((t) => t.endDate > t.startDate, { message: 'must be after startDate', path: ['endDate'] });

export const deviationSchema = z.object({
  clause: safeText(LIMITS.clause),
  standard: safeText(LIMITS.standard),
  proposed: safeText(LIMITS.proposed),
});

export const draftSchema = z.object({
  terms: termsSchema,
  deviations: z.array(deviationSchema).max(LIMITS.deviations, `at most ${LIMITS.deviations} deviations`).default([]),
  additionalAgreement: safeText(LIMITS.additionalAgreement).optional(),
  specialAppendix: safeText(LIMITS.specialAppendix).optional(),
});

const comment = () => safeText(LIMITS.comment);

export const legalDecisionSchema = z.object({ decision: z.enum(LEGAL_DECISIONS), comment: comment() });
export const dispatchSchema = z.object({ channel: z.enum(DISPATCH_CHANNELS), trackingRef: safeText(LIMITS.trackingRef).optional() });
export const followUpSchema = z.object({ reached: z.boolean(), expectedSigningDate: isoDate.optional(), note: comment() });
export const noteSchema = z.object({ note: comment().optional() }).default({});
export const clientRecordSchema = z.object({ location: safeText(LIMITS.location).optional(), note: comment().optional() }).default({});
export const renewalSchema = z.object({ endDate: isoDate });
export const cancelSchema = z.object({ reason: comment() });
export const reassignSchema = z.object({ managerId: uuid });

// ---- Lists: keyset pages ------------------------------------------------------------------------

/**
 * A cursor is the last row's sort key, as base64url JSON: opaque to callers, checked like any
 * other input when it comes back, so a forged one is a 400 and never a query Postgres refuses.
 */
export const encodeCursor = (key: readonly unknown[]): string => Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');

function decodeCursor(text: string): unknown {
  try {
    return JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

/** A cursor whose decoded key must match `key` (a tuple of the sort columns). */
export function cursorSchema<K extends z.ZodType>(key: K) {
  return z
    .string()
    .max(LIMITS.cursor)
    .regex(/^[A-Za-z0-9_-]+$/, 'is not a cursor from a previous page')
    .transform((text, ctx) => {
      const parsed = key.safeParse(decodeCursor(text));
      if (parsed.success) return parsed.data as z.output<K>;
      ctx.addIssue({ code: 'custom', message: 'is not a cursor from a previous page' });
      return z.NEVER;
    });
}

/** A sort timestamp as the database writes it into cursors: UTC with microseconds, exact. */
export const cursorInstant = z.iso
  .datetime({ precision: 6 })
  .refine((t) => t >= DATE_RANGE.min && t <= `${DATE_RANGE.max}T23:59:59.999999Z`);

const pageLimit = z
  .string()
  .regex(/^\d{1,4}$/, `must be a whole number from 1 to ${LIMITS.pageSize}`)
  .transform(Number)
  .pipe(
    z
      .number()
      .min(1, `must be a whole number from 1 to ${LIMITS.pageSize}`)
      .max(LIMITS.pageSize, `must be a whole number from 1 to ${LIMITS.pageSize}`),
  )
  .default(DEFAULT_PAGE_SIZE);

/** `?limit=&cursor=` for a list sorted by (timestamp, tiebreak). */
export const pageQuerySchema = <T extends z.ZodType>(tiebreak: T) =>
  z.object({ limit: pageLimit, cursor: cursorSchema(z.tuple([cursorInstant, tiebreak])).optional() });

const queryBoolean = z.enum(['true', 'false'], { error: 'must be true or false' }).transform((v) => v === 'true');

export const tasksQuerySchema = pageQuerySchema(uuid);
export const notificationsQuerySchema = pageQuerySchema(uuid).extend({ unread: queryBoolean.optional() });
export const timelineQuerySchema = pageQuerySchema(z.string().regex(/^\d{1,18}$/));

/** POST /api/notifications/read: the given ones, or (no ids) every notification of the caller. */
export const markReadSchema = z
  .object({ ids: z.array(uuid).max(LIMITS.markReadIds, `at most ${LIMITS.markReadIds} ids`).optional() })
  .default({});
