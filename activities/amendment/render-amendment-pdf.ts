// An additional agreement (дополнительное соглашение, ДС) to a contract in force, as a PDF: the
// title with its number and the contract it amends, the city and date, the parties' preamble, the
// reason, one numbered clause per changed term and per agreed deviation, the standard closing
// clauses, and both parties' requisites side by side with their signature lines. Russian or English.
//
// The wording lives in templates/amendment/amendment.<lang>.hbs, one element a line (`@title`,
// `@clause`, `@party R|N`, `@signer D|N|S`, …; any other line is a paragraph; the templates list
// them). As in the refusal letter (activities/documents/render-refusal-letter.ts), every value the
// template is given reaches it as an opaque token that is replaced by the text only after the
// lines have been read, so no value (a name, the reason, a deviation, the subject) can ever become
// an element, a second paragraph or Handlebars markup: it is printed as it is.
//
// Long words get break opportunities (line-breaks.ts), drawn invisibly (invisible-breaks.ts), so
// a 300-character name without a space wraps inside its column and copies back whole. The
// creation date is the agreement's date, so the same agreement renders to the same bytes on every retry.
import PDFDocument from 'pdfkit';
import type { Requisites } from '../../domain/client';
import { BOLD, REGULAR, withProductFonts } from '../documents/pdf-fonts';
import { breakLongWords } from '../documents/line-breaks';
import { numberPages } from '../documents/page-numbers';
import { oneLine, opaqueValues, paragraph, templateOf } from '../documents/template-values';

export interface AmendmentDocumentInput {
  language: 'ru' | 'en';
  /** "CT-2026-00017/ДС-1" */
  number: string;
  contractNumber: string;
  /** ISO date the contract was concluded (registered), YYYY-MM-DD */
  contractDate: string;
  /** ISO date of signing, YYYY-MM-DD: the document's date */
  date: string;
  city: string;
  company: Requisites & { directorName: string };
  client: Requisites & { signatoryName?: string };
  /** The terms before and what changes; only the changed fields are printed as numbered clauses */
  before: { subject: string; amount: number; currency: string; endDate: string; paymentTermsDays: number };
  changes: { subject?: string; amount?: number; endDate?: string; paymentTermsDays?: number };
  deviations: { clause: string; standard: string; proposed: string }[];
  /** Why the agreement is made: one sentence, printed after the preamble ("…в связи со следующим: {reason}." / "Whereas: {reason}."). */
  reason: string;
  /** Who signs it for the company, as the contract's input has it; not printed (the company signs through its director). */
  signedBy: string;
}

const MARGINS = { top: 50, bottom: 56, left: 70, right: 50 };
const BODY = 10.5;
const REQUISITES = 9;

const MONTHS = {
  ru: ['января', 'февраля', 'марта', 'апреля', 'мая', 'июня', 'июля', 'августа', 'сентября', 'октября', 'ноября', 'декабря'],
  en: ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'],
} as const;
const LOCALE = { ru: 'ru-RU', en: 'en-GB' } as const;

/** "5 марта 2026 г." / "5 March 2026"; throws for anything but a real YYYY-MM-DD date. */
function longDate(iso: string, language: 'ru' | 'en', field: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  const [y, m, d] = match ? [Number(match[1]), Number(match[2]), Number(match[3])] : [NaN, NaN, NaN];
  const date = new Date(Date.UTC(y, m - 1, d));
  if (!match || date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) {
    throw new RangeError(`the additional agreement's ${field} must be YYYY-MM-DD, got ${JSON.stringify(iso)}`);
  }
  return language === 'ru' ? `${d} ${MONTHS.ru[m - 1]} ${y} г.` : `${d} ${MONTHS.en[m - 1]} ${y}`;
}

/** "1 500 000,00" / "1,500,000.00"; no-break spaces keep an amount on one line. */
function money(amount: number, language: 'ru' | 'en'): string {
  if (!Number.isFinite(amount)) throw new RangeError(`the additional agreement's amount must be a finite number, got ${amount}`);
  return new Intl.NumberFormat(LOCALE[language], { minimumFractionDigits: 2, maximumFractionDigits: 2 })
    .format(amount)
    .replace(/[\u202f\u00a0 ]/g, '\u00a0');
}

/** Whether "в течение n …" takes the singular ("1 календарного дня", "21 календарного дня"; "1 calendar day"). */
function singularDays(n: number, language: 'ru' | 'en'): boolean {
  return language === 'ru' ? n % 10 === 1 && n % 100 !== 11 : n === 1;
}

const template = templateOf('amendment', 'amendment');

/**
 * No-break spaces in the template's own text (the values are still tokens here): "№", "No." and "г." stay
 * with what follows them, and a dash never starts a line.
 */
const typography = (raw: string): string => raw.replace(/(№|No\.|(?<!\p{L})г\.) /gu, '$1\u00a0').replace(/ (—)/g, '\u00a0$1');
/** The reason closes its sentence: a full stop is added unless it ends with one already. */
const sentence = (text: string): string => (text === '' || /[.!?…]$/.test(text) ? text : `${text}.`);

export type AmendmentElement =
  | { kind: 'title' | 'subtitle' | 'heading' | 'paragraph' | 'req'; text: string }
  | { kind: 'row'; left: string; right: string }
  /** A clause of the agreement, numbered 1, 2, … in the order the template gives them. */
  | { kind: 'clause'; n: number; text: string }
  | { kind: 'party'; role: string; name: string }
  | { kind: 'signer'; title: string; name: string; stamp: string }
  | { kind: 'pages'; raw: string };
const DIRECTIVES = new Set(['title', 'subtitle', 'row', 'clause', 'heading', 'party', 'req', 'signer', 'pages']);

export interface AmendmentLayout {
  elements: AmendmentElement[];
  /** Puts the values back into a line of the template's output. */
  fill(raw: string): string;
}

/** The terms that really change: a field given with its old value is no change and gets no clause. */
function changedTerms(input: AmendmentDocumentInput): AmendmentDocumentInput['changes'] {
  const { before, changes } = input;
  const changed: AmendmentDocumentInput['changes'] = {};
  if (changes.subject !== undefined && oneLine(changes.subject) !== oneLine(before.subject)) {
    if (oneLine(changes.subject) === '') throw new RangeError("the additional agreement's new subject is blank");
    changed.subject = changes.subject;
  }
  if (changes.amount !== undefined && changes.amount !== before.amount) changed.amount = changes.amount;
  if (changes.endDate !== undefined && changes.endDate !== before.endDate) changed.endDate = changes.endDate;
  if (changes.paymentTermsDays !== undefined && changes.paymentTermsDays !== before.paymentTermsDays) {
    if (!Number.isInteger(changes.paymentTermsDays) || changes.paymentTermsDays < 0) {
      throw new RangeError(`the additional agreement's payment terms must be whole days, got ${changes.paymentTermsDays}`);
    }
    changed.paymentTermsDays = changes.paymentTermsDays;
  }
  return changed;
}

/**
 * The agreement as elements: the template's lines, read before any value is put back. Throws a
 * RangeError for a date that is not a real YYYY-MM-DD day, and for an agreement that changes no
 * term and agrees no deviation (it would have nothing to say).
 */
export function amendmentElements(input: AmendmentDocumentInput): AmendmentLayout {
  const { language, company, client } = input;
  if (language !== 'ru' && language !== 'en') throw new RangeError(`no additional agreement in ${JSON.stringify(language)}`);
  const changes = changedTerms(input);
  if (Object.keys(changes).length === 0 && input.deviations.length === 0) {
    throw new RangeError('the additional agreement changes no term and agrees no deviation');
  }
  const { token, fill } = opaqueValues();
  const line = (text: string): string => token(oneLine(text));
  const optional = (text: string | undefined): string | undefined => (text?.trim() ? line(text) : undefined);
  const requisites = (r: Requisites) => ({
    legalName: line(r.legalName),
    inn: line(r.inn),
    kpp: optional(r.kpp),
    address: line(r.address),
    bankName: line(r.bankName),
    bik: line(r.bik),
    account: line(r.account),
    correspondentAccount: line(r.correspondentAccount),
  });
  const contractDate = token(longDate(input.contractDate, language, 'contract date'));
  const reason = sentence(oneLine(input.reason));
  const output = template(language)({
    number: line(input.number),
    contractNumber: line(input.contractNumber),
    contractDate,
    date: token(longDate(input.date, language, 'date')),
    city: line(input.city),
    company: { ...requisites(company), directorName: line(company.directorName) },
    client: { ...requisites(client), signatoryName: optional(client.signatoryName) },
    reason: reason ? token(reason) : undefined,
    currency: line(input.before.currency),
    changes: {
      subject: changes.subject === undefined ? undefined : line(changes.subject),
      amount: changes.amount === undefined ? undefined : token(money(changes.amount, language)),
      endDate: changes.endDate === undefined ? undefined : token(longDate(changes.endDate, language, 'new end date')),
      paymentTermsDays:
        changes.paymentTermsDays === undefined
          ? undefined
          : { n: token(String(changes.paymentTermsDays)), one: singularDays(changes.paymentTermsDays, language) },
    },
    deviations: input.deviations.map((d) => ({
      clause: line(d.clause),
      standard: token(paragraph(d.standard)),
      proposed: token(paragraph(d.proposed)),
    })),
  });
  const elements: AmendmentElement[] = [];
  let clauses = 0;
  for (const out of output.split(/\r?\n/)) {
    if (out.trim() === '') continue;
    const raw = typography(out);
    const directive = /^@([a-z]+)(?: (.*))?$/.exec(raw.trimEnd());
    if (!directive) {
      elements.push({ kind: 'paragraph', text: fill(raw.trim()) });
      continue;
    }
    const [, kind = '', rest = ''] = directive;
    if (!DIRECTIVES.has(kind)) throw new Error(`amendment.${language}.hbs: unknown element @${kind}`);
    // The bars are found before the values go back in, so a value holding "|" stays whole.
    const [first = '', second = '', third = ''] = rest.split('|');
    if (kind === 'row') elements.push({ kind, left: fill(first), right: fill(second) });
    else if (kind === 'party') elements.push({ kind, role: fill(first), name: fill(second) });
    else if (kind === 'signer') elements.push({ kind, title: fill(first), name: fill(second), stamp: fill(third) });
    else if (kind === 'clause') elements.push({ kind, n: ++clauses, text: fill(rest) });
    else if (kind === 'pages') elements.push({ kind, raw: rest });
    else elements.push({ kind: kind as 'title', text: fill(rest) });
  }
  return { elements, fill };
}

type Doc = PDFKit.PDFDocument;
const width = (doc: Doc): number => doc.page.width - doc.page.margins.left - doc.page.margins.right;
const room = (doc: Doc): number => doc.page.height - doc.page.margins.bottom - doc.y;
/** Whether this much fits on the page (with a little to spare for rounding between measuring and drawing). */
const fits = (doc: Doc, height: number): boolean => height + 4 <= room(doc);
/** The room on an empty page. */
const fresh = (doc: Doc): number => doc.page.height - doc.page.margins.top - doc.page.margins.bottom - 4;

/** One party's column: its role and name, its requisites, then (level with the other's) its signature. */
interface Party {
  role: string;
  name: string;
  requisites: string[];
  signer?: { title: string; name: string; stamp: string };
}

// A column is a list of lines, each in its own font; the same list is measured and drawn.
interface Run {
  font: string;
  size: number;
  text: string;
  /** Space above the line. */
  gap: number;
  /** A line to sign on, this wide, drawn before the text; the text wraps to its right. */
  rule?: number;
}
const details = (p: Party): Run[] => [
  { font: BOLD, size: 9.5, text: p.role, gap: 0 },
  { font: BOLD, size: REQUISITES, text: p.name, gap: 3 },
  ...p.requisites.map((text) => ({ font: REGULAR, size: REQUISITES, text, gap: 1.5 })),
];
/** Where a name is left to be written by hand. */
const BLANK = '__________________';
const RULE = 62;
const signature = (p: Party): Run[] =>
  p.signer
    ? [
        { font: REGULAR, size: 9.5, text: p.signer.title, gap: 0 },
        // Room to sign above the line.
        { font: REGULAR, size: 9.5, text: `/ ${p.signer.name || BLANK} /`, gap: 22, rule: RULE },
        ...(p.signer.stamp ? [{ font: REGULAR, size: 8.5, text: p.signer.stamp, gap: 8 }] : []),
      ]
    : [];

const textOffset = (r: Run): number => (r.rule ? r.rule + 5 : 0);
function measure(doc: Doc, runs: Run[], w: number): number {
  return runs.reduce(
    (h, r) =>
      h +
      r.gap +
      doc
        .font(r.font)
        .fontSize(r.size)
        .heightOfString(breakLongWords(r.text), { width: w - textOffset(r) }),
    0,
  );
}
function draw(doc: Doc, runs: Run[], x: number, y: number, w: number): void {
  doc.y = y;
  for (const r of runs) {
    const top = doc.y + r.gap;
    if (r.rule) {
      doc
        .moveTo(x, top + r.size)
        .lineTo(x + r.rule, top + r.size)
        .lineWidth(0.6)
        .strokeColor('black')
        .stroke();
    }
    doc
      .font(r.font)
      .fontSize(r.size)
      .fillColor('black')
      .text(breakLongWords(r.text), x + textOffset(r), top, { width: w - textOffset(r) });
  }
}

/** The parties from elements[from] on: each @party with the @req and @signer lines after it; `end` is the first element after them. */
function collectParties(elements: AmendmentElement[], from: number): { parties: Party[]; end: number } {
  const parties: Party[] = [];
  let j = from;
  for (; j < elements.length; j++) {
    const e = elements[j]!;
    const last = parties[parties.length - 1];
    if (e.kind === 'party') parties.push({ role: e.role, name: e.name, requisites: [] });
    else if (e.kind === 'req' && last) last.requisites.push(e.text);
    else if (e.kind === 'signer' && last) last.signer = e;
    else break;
  }
  return { parties, end: j };
}

const COLUMN_GAP = 24;
const SIGNATURE_GAP = 18;
const HEADING_GAP = 12;
const HEADING_AFTER = 8;
function partiesHeight(doc: Doc, parties: Party[]): number {
  const w = (width(doc) - COLUMN_GAP * (parties.length - 1)) / parties.length;
  return (
    Math.max(...parties.map((p) => measure(doc, details(p), w))) +
    SIGNATURE_GAP +
    Math.max(...parties.map((p) => measure(doc, signature(p), w)))
  );
}
/**
 * The parties side by side: their requisites from one line, their signatures from another below
 * both. A block taller than the room left (only names and addresses far beyond any real ones) is
 * drawn one party under the other at full width instead, so that it can run over pages.
 */
function drawParties(doc: Doc, parties: Party[]): void {
  const left = doc.page.margins.left;
  if (!fits(doc, partiesHeight(doc, parties))) {
    for (const p of parties) {
      draw(doc, details(p), left, doc.y, width(doc));
      draw(doc, signature(p), left, doc.y + SIGNATURE_GAP, width(doc));
      doc.y += SIGNATURE_GAP;
    }
    doc.x = left;
    return;
  }
  const w = (width(doc) - COLUMN_GAP * (parties.length - 1)) / parties.length;
  const x = (i: number) => left + i * (w + COLUMN_GAP);
  const top = doc.y;
  let bottom = top;
  parties.forEach((p, i) => {
    draw(doc, details(p), x(i), top, w);
    bottom = Math.max(bottom, doc.y);
  });
  const signTop = bottom + SIGNATURE_GAP;
  parties.forEach((p, i) => {
    draw(doc, signature(p), x(i), signTop, w);
    bottom = Math.max(bottom, doc.y);
  });
  doc.x = left;
  doc.y = bottom;
}

function layOut(doc: Doc, { elements }: AmendmentLayout, language: 'ru' | 'en'): void {
  const left = doc.page.margins.left;
  const w = width(doc);
  const justified = { width: w, align: 'justify', indent: language === 'ru' ? 28 : 0, lineGap: 1.5, paragraphGap: 5 } as const;
  const body = (text: string) => doc.font(REGULAR).fontSize(BODY).fillColor('black').text(breakLongWords(text), left, doc.y, justified);
  const bodyHeight = (text: string) => doc.font(REGULAR).fontSize(BODY).heightOfString(breakLongWords(text), justified);
  /** The heading at elements[at] with the parties after it, how tall they are together, and the first element after them. */
  const headed = (at: number) => {
    const { parties, end } = collectParties(elements, at + 1);
    const heading = (elements[at] as { text: string }).text;
    doc.font(BOLD).fontSize(BODY);
    const headingHeight = HEADING_GAP + doc.heightOfString(breakLongWords(heading), { width: w }) + HEADING_AFTER;
    return { heading, parties, end, height: headingHeight + (parties.length ? partiesHeight(doc, parties) : 3 * BODY) };
  };
  /** A new page unless this much fits on this one (but not for a block no page could hold). */
  const keep = (height: number) => {
    if (!fits(doc, height) && height <= fresh(doc)) doc.addPage();
  };
  for (let i = 0; i < elements.length; i++) {
    const el = elements[i]!;
    switch (el.kind) {
      case 'title':
        doc.font(BOLD).fontSize(13).fillColor('black').text(breakLongWords(el.text), left, doc.y, { width: w, align: 'center' });
        break;
      case 'subtitle':
        doc
          .font(REGULAR)
          .fontSize(BODY)
          .fillColor('black')
          .text(breakLongWords(el.text), left, doc.y + 2, { width: w, align: 'center' });
        break;
      case 'row': {
        const y = doc.y + 16;
        doc.font(REGULAR).fontSize(BODY).fillColor('black');
        doc.text(breakLongWords(el.left), left, y, { width: w * 0.55 });
        const leftBottom = doc.y;
        doc.text(breakLongWords(el.right), left + w * 0.55, y, { width: w * 0.45, align: 'right' });
        doc.x = left;
        doc.y = Math.max(leftBottom, doc.y) + 14;
        break;
      }
      case 'paragraph':
        body(el.text);
        break;
      case 'clause': {
        const text = `${el.n}. ${el.text}`;
        // The last clause goes over with the signatures, so that their page is never without the agreement's text.
        if (elements[i + 1]?.kind === 'heading') keep(bodyHeight(text) + headed(i + 1).height);
        body(text);
        break;
      }
      case 'heading': {
        // A heading stays on the page with what follows it; the parties' block is not split when a page can hold it.
        const { heading, parties, end, height } = headed(i);
        keep(height);
        doc
          .font(BOLD)
          .fontSize(BODY)
          .fillColor('black')
          .text(breakLongWords(heading), left, doc.y + HEADING_GAP, { width: w, align: 'center' });
        doc.y += HEADING_AFTER;
        if (parties.length) drawParties(doc, parties);
        i = end - 1;
        break;
      }
      case 'party': {
        // Parties without a heading before them.
        const { parties, end } = collectParties(elements, i);
        keep(partiesHeight(doc, parties));
        drawParties(doc, parties);
        i = end - 1;
        break;
      }
      case 'req':
        doc.font(REGULAR).fontSize(REQUISITES).fillColor('black').text(breakLongWords(el.text), left, doc.y, { width: w });
        break;
      case 'signer':
        draw(doc, signature({ role: '', name: '', requisites: [], signer: el }), left, doc.y + 12, w / 2);
        break;
      case 'pages':
        break;
    }
  }
}

/**
 * The additional agreement as PDF bytes; the same input gives the same bytes. Throws a RangeError
 * for a date that is not a real YYYY-MM-DD day and for an agreement with nothing to agree.
 */
export async function renderAmendmentPdf(input: AmendmentDocumentInput): Promise<Buffer> {
  const layout = amendmentElements(input);
  const created = new Date(`${input.date}T00:00:00Z`);
  const ru = input.language === 'ru';
  const doc = new PDFDocument({
    size: 'A4',
    margins: MARGINS,
    bufferPages: true,
    info: {
      Title: `${ru ? 'Дополнительное соглашение №' : 'Additional agreement No.'} ${oneLine(input.number)}`,
      Author: oneLine(input.company.legalName),
      Subject: `${ru ? 'к Договору №' : 'to Contract No.'} ${oneLine(input.contractNumber)}`,
      CreationDate: created,
      ModDate: created,
    },
  });
  const done = withProductFonts(doc);
  layOut(doc, layout, input.language);
  numberPages(doc, layout.elements.find((e): e is { kind: 'pages'; raw: string } => e.kind === 'pages')?.raw, layout.fill);
  doc.end();
  return done;
}
