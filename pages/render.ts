// Pages are handlebars templates under templates/pages/, compiled once, every text from the
// person's message catalog. Each page is drawn inside the layout (navigation, language, sign-out).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import type { Request, Response } from 'express';
import { repoRoot } from '../config/paths';
import { hasMessage, languageOf, translate, type Language } from './i18n';
import { formToken } from './session';

const handlebars = Handlebars.create();
const TEMPLATES = path.join(repoRoot(), 'templates', 'pages');

for (const file of readdirSync(path.join(TEMPLATES, 'partials'))) {
  handlebars.registerPartial(path.basename(file, '.hbs'), readFileSync(path.join(TEMPLATES, 'partials', file), 'utf8'));
}

const compiled = new Map<string, HandlebarsTemplateDelegate>();
function template(name: string): HandlebarsTemplateDelegate {
  let t = compiled.get(name);
  if (!t) {
    t = handlebars.compile(readFileSync(path.join(TEMPLATES, `${name}.hbs`), 'utf8'), { strict: false });
    compiled.set(name, t);
  }
  return t;
}

const TIME_ZONE = process.env.TIME_ZONE ?? 'Europe/Moscow';

const lang = (options: Handlebars.HelperOptions): Language => (options.data.root as { lang: Language }).lang;

/** `{{t "key" name=value}}`: the text of the key in the page's language. */
handlebars.registerHelper('t', function (key: string, options: Handlebars.HelperOptions) {
  return translate(lang(options), key, options.hash as Record<string, unknown>);
});
/** `{{tk "stage." stage}}`: a key made of parts (a stage, a field); the last part itself when the catalog has none. */
handlebars.registerHelper('tk', function (...args: unknown[]) {
  const options = args.pop() as Handlebars.HelperOptions;
  const key = args.map(String).join('');
  const language = lang(options);
  return hasMessage(key) ? translate(language, key) : String(args[args.length - 1]).replace(/_/g, ' ');
});
/** `{{datetime at}}`, or `{{datetime at "seconds"}}` / `"days"` for a time axis's ticks. */
handlebars.registerHelper('datetime', function (value: unknown, ...rest: unknown[]) {
  const options = rest.pop() as Handlebars.HelperOptions;
  if (!value) return '';
  const style = rest[0] as 'seconds' | 'minutes' | 'days' | undefined;
  const format: Intl.DateTimeFormatOptions =
    style === 'seconds'
      ? { timeStyle: 'medium' }
      : style === 'days'
        ? { dateStyle: 'medium' }
        : { dateStyle: 'medium', timeStyle: 'short' };
  return new Intl.DateTimeFormat(lang(options) === 'ru' ? 'ru-RU' : 'en-GB', { timeZone: TIME_ZONE, ...format }).format(
    new Date(value as string),
  );
});
handlebars.registerHelper('isodate', (value: unknown) => (value ? new Date(value as string).toISOString() : ''));
handlebars.registerHelper('duration', function (ms: number, options: Handlebars.HelperOptions) {
  return durationText(lang(options), ms);
});
handlebars.registerHelper('eq', (a: unknown, b: unknown) => a === b);
handlebars.registerHelper('includes', (list: unknown, item: unknown) => Array.isArray(list) && list.includes(item));
handlebars.registerHelper('or', (...args: unknown[]) => args.slice(0, -1).some(Boolean));

/** 3 d 4 h, 2 h 5 min, 40 s: the two largest units. */
export function durationText(language: Language, ms: number): string {
  const units: [number, string][] = [
    [86_400_000, translate(language, 'unit.day')],
    [3_600_000, translate(language, 'unit.hour')],
    [60_000, translate(language, 'unit.minute')],
    [1_000, translate(language, 'unit.second')],
  ];
  const parts: string[] = [];
  let rest = Math.max(0, Math.round(ms));
  for (const [size, name] of units) {
    const n = Math.floor(rest / size);
    if (n > 0 || (parts.length === 0 && size === 1_000)) parts.push(`${n} ${name}`);
    rest -= n * size;
    if (parts.length === 2) break;
  }
  return parts.join(' ');
}

export interface PageContext {
  title: string;
  [key: string]: unknown;
}

/** Draws `page` in the layout for the person asking, in their language, with the form token. */
export function renderPage(req: Request, res: Response, page: string, context: PageContext, status = 200): void {
  const language = languageOf(req);
  const data = {
    ...context,
    lang: language,
    person: req.person,
    isAdmin: req.person?.roles.includes('admin') ?? false,
    csrf: formToken(req, res),
    path: req.originalUrl,
    here: encodeURIComponent(req.originalUrl),
  };
  const body = template(page)(data);
  if (context.fragment) {
    res.status(status).type('html').send(body);
    return;
  }
  res
    .status(status)
    .type('html')
    .send(template('layout')({ ...data, body, title: context.title }));
}
