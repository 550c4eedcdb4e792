// The processes the engine runs, by the type every row of theirs carries (timeline events, tasks,
// notifications, documents) and Temporal's ProcessType search attribute. Free of I/O and zod.
export const PROCESS_TYPES = ['contract', 'onboarding', 'account', 'amendment'] as const;
export type ProcessType = (typeof PROCESS_TYPES)[number];
