// The documents' handlebars templates and the values put into them. A template of a process lives
// in templates/<process>/<name>.<lang>.hbs and writes one element a line; every value (a name, an
// address, a reason) reaches it as an opaque token — private-use characters no template contains —
// that is put back only after the output has been split into elements, in one pass that never
// rescans what it inserted. So no value can become an element, a second paragraph or markup.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { repoRoot } from '../../config/paths';

export type Language = 'ru' | 'en';

/** The compiled template of `templates/<folder>/<name>.<lang>.hbs`, read once per language. */
export function templateOf(folder: string, name: string): (language: Language) => HandlebarsTemplateDelegate {
  const handlebars = Handlebars.create();
  const compiled = new Map<Language, HandlebarsTemplateDelegate>();
  return (language) => {
    let t = compiled.get(language);
    if (!t) {
      t = handlebars.compile(readFileSync(path.join(repoRoot(), 'templates', folder, `${name}.${language}.hbs`), 'utf8'), {
        noEscape: true,
      });
      compiled.set(language, t);
    }
    return t;
  };
}

const TOKEN_OPEN = '\ue000';
const TOKEN_CLOSE = '\ue001';
const TOKEN = /\ue000(\d+)\ue001/g;

/** Values for one rendering: `token` stands for a value in the template's output, `fill` puts them back into a line. */
export function opaqueValues(): { token(text: string): string; fill(raw: string): string } {
  const values: string[] = [];
  return {
    token: (text) => `${TOKEN_OPEN}${values.push(text) - 1}${TOKEN_CLOSE}`,
    fill: (raw) => raw.replace(TOKEN, (_, i: string) => values[Number(i)] ?? ''),
  };
}

/** A name, an address, a number: one line, whatever line breaks it came with. */
export const oneLine = (text: string): string =>
  text
    .replace(/[\r\n\t\v\f\u2028\u2029]+/g, ' ')
    .replace(/ {2,}/g, ' ')
    .trim();

/** A text of several lines: its own line breaks kept, blank lines and trailing spaces dropped. */
export const paragraph = (text: string): string =>
  text
    .replace(/\r\n?|[\u2028\u2029\v\f]/g, '\n')
    .split('\n')
    .map((l) => l.replace(/\t/g, ' ').trimEnd())
    .filter((l) => l.trim() !== '')
    .join('\n');
