// How each person wants to hear of their notifications: per kind each as it happens, in a daily
// digest, or only in the app; the digest's time of day; the language of their e-mail. A person
// without a row hears everything as it happens, in Russian, with a digest time of 09:00.
import { NOTIFICATION_KINDS, type NotificationKind } from '../../workflows/engine/notifications';
import { queryOne, type Queryable } from '../pool';

export const DELIVERY_MODES = ['each', 'digest', 'none'] as const;
export type DeliveryMode = (typeof DELIVERY_MODES)[number];

export interface NotificationSettings {
  language: 'ru' | 'en';
  /** HH:MM, in TIME_ZONE. */
  digestAt: string;
  modes: Record<NotificationKind, DeliveryMode>;
}

export const DEFAULT_SETTINGS: NotificationSettings = Object.freeze({
  language: 'ru',
  digestAt: '09:00',
  modes: Object.fromEntries(NOTIFICATION_KINDS.map((kind) => [kind, 'each'])) as Record<NotificationKind, DeliveryMode>,
});

const withDefaults = (row: { language: 'ru' | 'en'; digestAt: string; modes: Partial<Record<string, DeliveryMode>> } | undefined) =>
  row
    ? {
        language: row.language,
        digestAt: row.digestAt,
        modes: Object.fromEntries(NOTIFICATION_KINDS.map((kind) => [kind, row.modes[kind] ?? 'each'])) as Record<
          NotificationKind,
          DeliveryMode
        >,
      }
    : { ...DEFAULT_SETTINGS, modes: { ...DEFAULT_SETTINGS.modes } };

export async function settingsOf(db: Queryable, staffId: string): Promise<NotificationSettings> {
  return withDefaults(
    await queryOne(
      db,
      `SELECT language, to_char(digest_at, 'HH24:MI') AS "digestAt", modes FROM notification_settings WHERE staff_id = $1`,
      [staffId],
    ),
  );
}

/** Changes what is given and keeps the rest, in one statement (two changes at once both count). */
export async function changeSettings(
  db: Queryable,
  staffId: string,
  change: { language?: 'ru' | 'en'; digestAt?: string; modes?: Partial<Record<NotificationKind, DeliveryMode>> },
): Promise<NotificationSettings> {
  return withDefaults(
    await queryOne(
      db,
      `INSERT INTO notification_settings (staff_id, language, digest_at, modes)
       VALUES ($1, COALESCE($2, 'ru'), COALESCE($3::time, '09:00'), COALESCE($4::jsonb, '{}'::jsonb))
       ON CONFLICT (staff_id) DO UPDATE SET
         language = COALESCE($2, notification_settings.language),
         digest_at = COALESCE($3::time, notification_settings.digest_at),
         modes = notification_settings.modes || COALESCE($4::jsonb, '{}'::jsonb),
         updated_at = now()
       RETURNING language, to_char(digest_at, 'HH24:MI') AS "digestAt", modes`,
      [staffId, change.language ?? null, change.digestAt ?? null, change.modes ? JSON.stringify(change.modes) : null],
    ),
  );
}
