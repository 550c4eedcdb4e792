// What a notification's e-mail says, and a day's digest: in the person's language, from the same
// catalogs as the pages (the kind, the task, the process), in plain text and HTML (handlebars,
// templates/mail/), with a link to the page where the action is and one to change what they receive.
// The worker hands this to the delivery activities; people read their mail as they read the pages.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { repoRoot } from '../config/paths';
import type { NoticeFacts, Reader } from '../db/delivery/mail';
import type { ComposedMail, MailComposer } from '../activities/delivery/types';
import { hasMessage, translate, type Language } from './i18n';
import { processPageUrl } from './words';

/** Where a person changes how they hear of their notifications. */
export const NOTIFICATION_SETTINGS_PATH = '/settings/notifications';

const TEMPLATES = path.join(repoRoot(), 'templates', 'mail');

function compiler(escape: boolean) {
  const handlebars = Handlebars.create();
  handlebars.registerHelper('t', function (key: string, options: Handlebars.HelperOptions) {
    return translate((options.data.root as { lang: Language }).lang, key, options.hash as Record<string, unknown>);
  });
  return (name: string) => handlebars.compile(readFileSync(path.join(TEMPLATES, name), 'utf8'), { noEscape: !escape, strict: false });
}

const html = compiler(true);
const text = compiler(false);
const TEMPLATE = {
  notice: { text: text('notice.txt.hbs'), html: html('notice.html.hbs') },
  digest: { text: text('digest.txt.hbs'), html: html('digest.html.hbs') },
};

/** A line of text for a header: no line breaks (a subject must stay one line), at most 250 characters. */
const oneLine = (value: string): string =>
  value
    .replace(/[\r\n\t]+/g, ' ')
    .replace(/\s{2,}/g, ' ')
    .trim()
    .slice(0, 250);

export function createMailComposer({ publicUrl, timeZone }: { publicUrl: string; timeZone: string }): MailComposer {
  const base = publicUrl.replace(/\/+$/, '');
  const format = (language: Language, at: Date, options: Intl.DateTimeFormatOptions) =>
    new Intl.DateTimeFormat(language === 'ru' ? 'ru-RU' : 'en-GB', { timeZone, ...options }).format(at);

  /** The words every mail of a notice uses: its headline, its process, where to act. */
  function noticeWords(language: Language, notice: NoticeFacts) {
    const kind = translate(language, `mail.kind.${notice.kind}`);
    const task = notice.taskKind && hasMessage(`task.${notice.taskKind}`) ? translate(language, `task.${notice.taskKind}`) : undefined;
    const processName = hasMessage(`process.${notice.processType}`)
      ? translate(language, `process.${notice.processType}`)
      : notice.processType;
    const process = [notice.processNumber ? `${processName} ${notice.processNumber}` : processName, notice.clientName]
      .filter(Boolean)
      .join(' · ');
    return {
      notice,
      headline: task ? `${kind}: ${task}` : kind,
      process,
      due: notice.dueAt ? format(language, notice.dueAt, { dateStyle: 'medium', timeStyle: 'short' }) : undefined,
      link: notice.processId ? `${base}${processPageUrl(notice.processType, notice.processId)}` : `${base}/tasks`,
    };
  }

  const links = { tasksLink: `${base}/tasks`, settingsLink: `${base}${NOTIFICATION_SETTINGS_PATH}` };

  return {
    notice(reader: Reader, notice: NoticeFacts): ComposedMail {
      const lang = reader.language;
      const words = noticeWords(lang, notice);
      const subject = oneLine(`${words.headline} · ${words.process}`);
      const context = {
        ...words,
        ...links,
        lang,
        reader,
        subject,
        tasksLink: notice.kind === 'task' ? links.tasksLink : undefined,
        when: format(lang, notice.createdAt, { dateStyle: 'medium', timeStyle: 'short' }),
      };
      return { subject, text: TEMPLATE.notice.text(context), html: TEMPLATE.notice.html(context) };
    },

    digest(reader: Reader, day: string, notices: readonly NoticeFacts[], total: number): ComposedMail {
      const lang = reader.language;
      const dayText = format(lang, new Date(`${day}T12:00:00Z`), { dateStyle: 'long', timeZone: 'UTC' });
      const subject = oneLine(translate(lang, 'mail.digest.subject', { day: dayText, count: total }));
      const items = notices.map((notice) => ({
        ...noticeWords(lang, notice),
        time: format(lang, notice.createdAt, { dateStyle: 'short', timeStyle: 'short' }),
      }));
      const more = total > notices.length ? total - notices.length : 0;
      const context = { ...links, lang, reader, subject, items, more };
      return { subject, text: TEMPLATE.digest.text(context), html: TEMPLATE.digest.html(context) };
    },
  };
}
