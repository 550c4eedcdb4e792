// Words the pages share: where a process's page is, and a refusal of the API in the person's language.
import { hasMessage, translate, type Language } from './i18n';

export const processPageUrl = (type: string, id: string): string => `/processes/${encodeURIComponent(type)}/${encodeURIComponent(id)}`;

/**
 * The API's refusal as a person reads it: what kind of refusal it is, in their language (by its
 * code and status), then the API's own reason, which names the rule or the field.
 */
export function refusalText(
  language: Language,
  status: number,
  error: { code?: string; message?: string } | undefined,
): {
  headline: string;
  detail: string;
} {
  const code = error?.code ?? '';
  const key = hasMessage(`error.${code}`) ? `error.${code}` : hasMessage(`error.${status}`) ? `error.${status}` : 'error.other';
  return { headline: translate(language, key), detail: error?.message ?? '' };
}
