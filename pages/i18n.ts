// Every text of the pages comes from a message catalog: Russian by default, English by choice
// (a cookie set from the language switch). Both catalogs have the same keys; the compiler checks it.
import type { Request } from 'express';
import { en } from './messages/en';
import { ru, type MessageKey } from './messages/ru';
import { cookiesOf, LANGUAGE_COOKIE } from './session';

export const LANGUAGES = ['ru', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

const CATALOGS: Record<Language, Record<MessageKey, string>> = { ru, en };

export const isLanguage = (value: unknown): value is Language => LANGUAGES.includes(value as Language);

export const languageOf = (req: Request): Language => {
  const chosen = cookiesOf(req)[LANGUAGE_COOKIE];
  return isLanguage(chosen) ? chosen : 'ru';
};

export const hasMessage = (key: string): key is MessageKey => Object.hasOwn(ru, key);

/** The text of `key`, with `{name}` replaced by `vars.name`; the key itself when it has no text (a bug the catalog test finds). */
export function translate(language: Language, key: string, vars: Record<string, unknown> = {}): string {
  const text = hasMessage(key) ? CATALOGS[language][key] : key;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

/** A translator bound to the person's language. */
export const translatorFor =
  (req: Request) =>
  (key: string, vars?: Record<string, unknown>): string =>
    translate(languageOf(req), key, vars);
