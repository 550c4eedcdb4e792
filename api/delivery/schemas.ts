// What the webhook and notification-settings routes accept. An endpoint's URL is checked against
// the same rule the delivery applies when it connects (domain/webhook-urls.ts); its events are the
// processes' own (workflows/process-events.ts); a secret given is a Standard Webhooks secret.
import { z } from 'zod';
import { pageQuerySchema, safeString, safeText, uuid } from '../../domain/schemas';
import { webhookUrlProblem, WEBHOOK_URL_MAX_LENGTH } from '../../domain/webhook-urls';
import { DELIVERY_MODES } from '../../db/delivery/settings';
import { NOTIFICATION_KINDS } from '../../workflows/engine/notifications';
import { EVENT_TYPES } from '../../workflows/process-events';

/** A Standard Webhooks secret: whsec_ and the base64 of 24 to 64 random bytes. */
export const isWebhookSecret = (text: string): boolean => {
  const match = /^whsec_([A-Za-z0-9+/]+={0,2})$/.exec(text);
  if (!match) return false;
  const bytes = Buffer.from(match[1]!, 'base64');
  return bytes.length >= 24 && bytes.length <= 64 && bytes.toString('base64') === match[1];
};

const eventType = z.enum(EVENT_TYPES as [string, ...string[]], { error: `must be one of ${EVENT_TYPES.join(', ')}` });
const events = z
  .array(eventType)
  .min(1, 'at least one event')
  .max(EVENT_TYPES.length, `at most ${EVENT_TYPES.length} events`)
  .transform((list) => [...new Set(list)]);

const webhookUrl = (allowPrivate: boolean) =>
  safeString()
    .trim()
    // The rule itself refuses an over-long URL, naming the limit.
    .superRefine((url, ctx) => {
      const problem = webhookUrlProblem(url, allowPrivate);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .meta({
      description: `https, outside loopback and private ranges unless WEBHOOK_ALLOW_PRIVATE=true; at most ${WEBHOOK_URL_MAX_LENGTH} characters`,
      format: 'uri',
    });

const description = safeText(500);

export const newWebhookSchema = (allowPrivate: boolean) =>
  z.strictObject({
    url: webhookUrl(allowPrivate),
    events,
    secret: safeString()
      .refine(isWebhookSecret, 'must be whsec_ followed by the base64 of 24 to 64 bytes')
      .optional()
      .meta({ description: 'made for you when absent' }),
    description: description.optional(),
  });

export const webhookPatchSchema = (allowPrivate: boolean) =>
  z
    .strictObject({
      disabled: z.boolean().optional(),
      events: events.optional(),
      url: webhookUrl(allowPrivate).optional(),
      description: description.nullable().optional(),
    })
    .refine((p) => Object.values(p).some((v) => v !== undefined), { message: 'give at least one of disabled, events, url, description' });

export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'retrying', 'delivered', 'failed'] as const;
export const deliveriesQuerySchema = pageQuerySchema(uuid).extend({ status: z.enum(WEBHOOK_DELIVERY_STATUSES).optional() });

export const MAIL_DELIVERY_STATUSES = ['pending', 'digest', 'sent', 'failed'] as const;
export const mailDeliveriesQuerySchema = pageQuerySchema(uuid).extend({ status: z.enum(MAIL_DELIVERY_STATUSES).optional() });

const mode = z.enum(DELIVERY_MODES, { error: `must be one of ${DELIVERY_MODES.join(', ')}` });

export const notificationSettingsSchema = z
  .strictObject({
    language: z.enum(['ru', 'en']).optional(),
    digestAt: safeString()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day as HH:MM')
      .optional(),
    modes: z.strictObject(Object.fromEntries(NOTIFICATION_KINDS.map((kind) => [kind, mode.optional()]))).optional(),
  })
  .refine((s) => s.language !== undefined || s.digestAt !== undefined || s.modes !== undefined, {
    message: 'give at least one of language, digestAt, modes',
  });
