// How a signed document goes, the same for every process that makes one (a contract, an
// amendment): the languages of its form, the lawyer's decisions on it, the ways it is sent.
// Workflow-safe: no I/O, no zod.
export const TEMPLATES = ['ru', 'en'] as const;
export type TemplateLanguage = (typeof TEMPLATES)[number];

export const DISPATCH_CHANNELS = ['courier', 'post', 'email'] as const;
export type DispatchChannel = (typeof DISPATCH_CHANNELS)[number];

export const LEGAL_DECISIONS = ['approve', 'request_changes', 'reject'] as const;
export type LegalDecision = (typeof LEGAL_DECISIONS)[number];
