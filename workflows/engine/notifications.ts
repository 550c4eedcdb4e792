// What a notification is: a task given, a reminder, an escalation, or news of a status; the same for every process.
export const NOTIFICATION_KINDS = ['task', 'reminder', 'escalation', 'status'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];
