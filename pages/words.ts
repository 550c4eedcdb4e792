// Words the pages share: where a process's page is, and a refusal of the API in the person's language.
import { hasMessage, translate, type Language } from './i18n';

export const processPageUrl = (type: string, id: string): string => `/processes/${encodeURIComponent(type)}/${encodeURIComponent(id)}`;

/**
 * The API's refusal as a person reads it: what kind of refusal it is, in their language (by its
 * reason's kind, else its code or status, naming the roles it needs by their names), then the API's
 * own words, which name the rule or the field.
 */
export function refusalText(
  language: Language,
  status: number,
  error: { code?: string; message?: string; reason?: { kind?: string; params?: Record<string, unknown> } } | undefined,
): {
  headline: string;
  detail: string;
} {
  const code = error?.code ?? '';
  const reason = error?.reason?.kind ? `error.reason.${error.reason.kind}` : '';
  const key = [reason, `error.${code}`, `error.${status}`].find((k) => k && hasMessage(k)) ?? 'error.other';
  const roles = error?.reason?.params?.roles;
  const vars = Array.isArray(roles) ? { roles: roles.map((r) => translate(language, `role.${String(r)}`)).join(', ') } : {};
  return { headline: translate(language, key, vars), detail: error?.message ?? '' };
}
