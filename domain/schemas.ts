// zod schemas for everything that enters the system: API bodies and activity inputs.
// Kept out of workflow modules (sdk-typescript#2227); workflows use the plain types in contract.ts.
import { z } from 'zod';
import { CONTRACT_STATUSES, DISPATCH_CHANNELS, LEGAL_DECISIONS, ROLES, TEMPLATES } from './contract';
import { isValidInn } from './inn';

const text = (max = 2000) => z.string().trim().min(1, 'must not be empty').max(max);
const digits = (n: number, what: string) => z.string().regex(new RegExp(`^\\d{${n}}$`), `${what} is ${n} digits`);

export const isoDate = z.iso.date({ error: 'must be a date as YYYY-MM-DD' });
export const uuid = z.uuid({ error: 'must be a UUID' });

export const roleSchema = z.enum(ROLES);

export const actorSchema = z.object({
  staffId: z.string().min(1),
  name: z.string().min(1),
  roles: z.array(roleSchema),
});

export const newStaffSchema = z.object({
  name: text(200),
  email: z.email(),
  roles: z.array(roleSchema).min(1, 'at least one role').transform((roles) => [...new Set(roles)]),
});

export const DECISION_ROLES = ['leader', 'specifier', 'helper', 'butler'] as const;

export const contactSchema = z
  .object({
    name: text(200),
    jobTitle: text(200).optional(),
    phone: z.string().trim().regex(/^\+?[\d\s()-]{5,20}$/, 'is not a phone number').optional(),
    email: z.email().optional(),
    decisionRole: z.enum(DECISION_ROLES),
  })
  .refine((c) => c.phone || c.email, { message: 'a contact needs a phone or an e-mail', path: ['phone'] });

export const requisitesSchema = z
  .object({
    legalName: text(300),
    inn: z.string().trim().refine(isValidInn, 'is not a valid INN: 10 or 12 digits with correct check digits'),
    kpp: digits(9, 'KPP').optional(),
    address: text(500),
    bankName: text(300),
    bik: digits(9, 'BIK'),
    account: digits(20, 'the settlement account'),
    correspondentAccount: digits(20, 'the correspondent account'),
  })
  .refine((r) => r.inn.length === 12 || r.kpp !== undefined, {
    message: 'a legal entity (10-digit INN) needs a KPP',
    path: ['kpp'],
  });

export const newClientSchema = z.object({
  location: text(200).optional(),
  signatoryName: text(200).optional(),
  firstContactDate: isoDate.optional(),
  requisites: requisitesSchema,
  contacts: z.array(contactSchema).min(1, 'at least one contact person'),
});

export const termsSchema = z
  .object({
    subject: text(2000),
    amount: z.number().positive().max(1e15).multipleOf(0.01, 'at most two decimals'),
    currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as RUB'),
    startDate: isoDate,
    endDate: isoDate,
    paymentTermsDays: z.number().int().min(0).max(365),
  })
  .refine((t) => t.endDate > t.startDate, { message: 'must be after startDate', path: ['endDate'] });

export const deviationSchema = z.object({
  clause: text(100),
  standard: text(4000),
  proposed: text(4000),
});

export const draftSchema = z.object({
  terms: termsSchema,
  deviations: z.array(deviationSchema).max(100).default([]),
  additionalAgreement: text(20_000).optional(),
  specialAppendix: text(20_000).optional(),
});

export const newContractSchema = draftSchema.extend({
  clientId: uuid,
  managerId: uuid,
  template: z.enum(TEMPLATES).default('ru'),
});

export const legalDecisionSchema = z.object({ decision: z.enum(LEGAL_DECISIONS), comment: text(4000) });
export const dispatchSchema = z.object({ channel: z.enum(DISPATCH_CHANNELS), trackingRef: text(200).optional() });
export const followUpSchema = z.object({ reached: z.boolean(), expectedSigningDate: isoDate.optional(), note: text(4000) });
export const noteSchema = z.object({ note: text(4000).optional() }).default({});
export const clientRecordSchema = z.object({ location: text(200).optional(), note: text(4000).optional() }).default({});
export const renewalSchema = z.object({ endDate: isoDate });
export const cancelSchema = z.object({ reason: text(4000) });

export const registryFilterSchema = z
  .object({
    status: z.enum(CONTRACT_STATUSES).optional(),
    managerId: uuid.optional(),
    from: isoDate.optional(),
    to: isoDate.optional(),
    format: z.enum(['json', 'csv']).default('json'),
  })
  .refine((f) => !f.from || !f.to || f.from <= f.to, { message: 'must not be before from', path: ['to'] });
export const reassignSchema = z.object({ managerId: uuid });
