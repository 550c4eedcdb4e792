// The polite refusal letter to a client the company declined at qualification: a business letter
// on the company's letterhead (its name and requisites), with the outgoing number, date and city
// at the left, the client's name and address at the right, a courteous body, the manager's reason
// when one was given, and the general director's signature. Russian or English.
//
// The wording lives in templates/onboarding/refusal-letter.<lang>.hbs, one element a line (`@head`, `@ref`,
// `@to`, `@sign L|R`, …; any other line is a paragraph; the templates list them). Every value the
// template is given (the client's name and address, the reason, our requisites) reaches it as an
// opaque token that is replaced by the text only after the lines have been read, so no value can
// ever become an element, a second paragraph or Handlebars markup: it is printed as it is.
//
// Long words get break opportunities (line-breaks.ts), drawn invisibly (invisible-breaks.ts), so
// a 300-character name without a space wraps inside its column and copies back whole. The
// creation date is the letter's date, so the same letter renders to the same bytes on every retry.
import PDFDocument from 'pdfkit';
import type { Requisites } from '../../domain/client';
import { BOLD, REGULAR, withProductFonts } from '../documents/pdf-fonts';
import { breakLongWords } from '../documents/line-breaks';
import { numberPages } from '../documents/page-numbers';
import { oneLine, opaqueValues, paragraph, templateOf } from '../documents/template-values';

export interface RefusalLetterInput {
  language: 'ru' | 'en';
  /** ISO date of the letter, YYYY-MM-DD. */
  date: string;
  /** Where the letter is written (printed "г. Москва" in Russian, as given in English). */
  city: string;
  company: Requisites & { directorName: string };
  client: { legalName: string; address: string };
  /** The manager's reason, printed as a plain paragraph after the refusal; blank means none. */
  reason?: string;
  letterNumber: string;
}

const INK = '#1f3c99';
const GREY = '#555555';
const MARGINS = { top: 50, bottom: 56, left: 70, right: 50 };

const MONTHS = {
  ru: ['января', 'февраля', 'марта', 'апреля', 'мая', 'июня', 'июля', 'августа', 'сентября', 'октября', 'ноября', 'декабря'],
  en: ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'],
} as const;

/** "5 марта 2026 г." / "5 March 2026"; throws for anything but a real YYYY-MM-DD date. */
function longDate(iso: string, language: 'ru' | 'en'): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  const [y, m, d] = match ? [Number(match[1]), Number(match[2]), Number(match[3])] : [NaN, NaN, NaN];
  const date = new Date(Date.UTC(y, m - 1, d));
  if (!match || date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) {
    throw new RangeError(`the letter's date must be YYYY-MM-DD, got ${JSON.stringify(iso)}`);
  }
  return language === 'ru' ? `${d} ${MONTHS.ru[m - 1]} ${y} г.` : `${d} ${MONTHS.en[m - 1]} ${y}`;
}

const template = templateOf('onboarding', 'refusal-letter');

type Element =
  | { kind: 'head' | 'headline' | 'ref' | 'to' | 'centre' | 'line' | 'under' | 'paragraph'; text: string }
  | { kind: 'sign'; title: string; name: string }
  | { kind: 'pages'; raw: string };
const DIRECTIVES = new Set(['head', 'headline', 'ref', 'to', 'centre', 'line', 'sign', 'under', 'pages']);

interface Letter {
  elements: Element[];
  /** Puts the values back into a line of the template's output. */
  fill(raw: string): string;
}

/** The letter as elements: the template's lines, read before any value is put back. */
export function refusalLetterElements(input: RefusalLetterInput): Letter {
  const { token, fill } = opaqueValues();
  const line = (text: string): string => token(oneLine(text));
  const { company, client } = input;
  const reason = input.reason === undefined ? '' : paragraph(input.reason);
  const output = template(input.language)({
    letterNumber: line(input.letterNumber),
    date: token(longDate(input.date, input.language)),
    city: line(input.city),
    company: {
      legalName: line(company.legalName),
      inn: line(company.inn),
      kpp: company.kpp?.trim() ? line(company.kpp) : undefined,
      address: line(company.address),
      bankName: line(company.bankName),
      bik: line(company.bik),
      account: line(company.account),
      correspondentAccount: line(company.correspondentAccount),
      directorName: line(company.directorName),
    },
    client: { legalName: line(client.legalName), address: line(client.address) },
    reason: reason ? token(reason) : undefined,
  });
  const elements: Element[] = [];
  for (const raw of output.split(/\r?\n/)) {
    if (raw.trim() === '') continue;
    const directive = /^@([a-z]+)(?: (.*))?$/.exec(raw.trimEnd());
    if (!directive) {
      elements.push({ kind: 'paragraph', text: fill(raw.trim()) });
      continue;
    }
    const [, kind = '', rest = ''] = directive;
    if (!DIRECTIVES.has(kind)) throw new Error(`refusal-letter.${input.language}.hbs: unknown element @${kind}`);
    if (kind === 'sign') {
      const bar = rest.indexOf('|');
      elements.push({ kind, title: fill(bar < 0 ? rest : rest.slice(0, bar)), name: fill(bar < 0 ? '' : rest.slice(bar + 1)) });
    } else if (kind === 'pages') {
      elements.push({ kind, raw: rest });
    } else {
      elements.push({ kind: kind as 'head', text: fill(rest) });
    }
  }
  return { elements, fill };
}

type Doc = PDFKit.PDFDocument;
const width = (doc: Doc): number => doc.page.width - doc.page.margins.left - doc.page.margins.right;
const fits = (doc: Doc, height: number): boolean => doc.y + height <= doc.page.height - doc.page.margins.bottom;

/** The signatory's title (and what is under it) at the left, a line to sign on, the name at the right. */
function drawSignature(doc: Doc, sign: { title: string; name: string }, under: string[]): void {
  const left = doc.page.margins.left;
  const w = width(doc);
  const y = doc.y + 22;
  doc
    .font(REGULAR)
    .fontSize(11)
    .fillColor('black')
    .text(breakLongWords(sign.title), left, y, { width: w * 0.4 });
  if (under.length) doc.fontSize(9.5).text(breakLongWords(under.join('\n')), left, doc.y + 1, { width: w * 0.4 });
  const leftBottom = doc.y;
  doc
    .moveTo(left + w * 0.42, y + 11)
    .lineTo(left + w * 0.58, y + 11)
    .lineWidth(0.6)
    .strokeColor('black')
    .stroke();
  doc
    .font(REGULAR)
    .fontSize(11)
    .text(breakLongWords(sign.name), left + w * 0.6, y, { width: w * 0.4, align: 'right' });
  doc.x = left;
  doc.y = Math.max(leftBottom, doc.y);
}

/** The outgoing reference at the left and the addressee at the right, side by side. */
function drawAddressBlock(doc: Doc, refs: string[], to: string[]): void {
  const left = doc.page.margins.left;
  const w = width(doc);
  const y = doc.y;
  doc.font(REGULAR).fontSize(10).fillColor('black');
  refs.forEach((text, i) => doc.text(breakLongWords(text), left, i === 0 ? y : doc.y, { width: w * 0.42 }));
  const leftBottom = doc.y;
  to.forEach((text, i) => {
    doc.font(i === 0 ? BOLD : REGULAR).fontSize(11);
    doc.text(breakLongWords(text), left + w * 0.5, i === 0 ? y : doc.y + 2, { width: w * 0.5 });
  });
  doc.x = left;
  doc.y = Math.max(leftBottom, doc.y);
}

function layOut(doc: Doc, { elements }: Letter, language: 'ru' | 'en'): void {
  const left = doc.page.margins.left;
  const w = width(doc);
  const indent = language === 'ru' ? 28 : 0;
  let letterhead = false;
  for (let i = 0; i < elements.length; i++) {
    const el = elements[i]!;
    const next = elements[i + 1];
    // The letterhead ends with a rule under it.
    if (letterhead && el.kind !== 'headline' && el.kind !== 'head') {
      const y = doc.y + 6;
      doc
        .moveTo(left, y)
        .lineTo(left + w, y)
        .lineWidth(1)
        .strokeColor(INK)
        .stroke();
      doc
        .moveTo(left, y + 2.5)
        .lineTo(left + w, y + 2.5)
        .lineWidth(0.4)
        .stroke();
      doc.y = y + 24;
      letterhead = false;
    }
    switch (el.kind) {
      case 'head':
        doc.font(BOLD).fontSize(13).fillColor(INK).text(breakLongWords(el.text), left, doc.y, { width: w, align: 'center' });
        letterhead = true;
        break;
      case 'headline':
        doc
          .font(REGULAR)
          .fontSize(8)
          .fillColor(GREY)
          .text(breakLongWords(el.text), left, doc.y + 1, { width: w, align: 'center' });
        letterhead = true;
        break;
      case 'ref':
      case 'to': {
        const refs: string[] = [];
        const to: string[] = [];
        while (elements[i]?.kind === 'ref' || elements[i]?.kind === 'to') {
          const e = elements[i++] as { kind: 'ref' | 'to'; text: string };
          (e.kind === 'ref' ? refs : to).push(e.text);
        }
        i--;
        drawAddressBlock(doc, refs, to);
        doc.moveDown(2);
        break;
      }
      case 'centre':
        doc.font(BOLD).fontSize(11).fillColor('black').text(breakLongWords(el.text), left, doc.y, { width: w, align: 'center' });
        doc.moveDown(0.8);
        break;
      case 'line':
        // A closing line stays on the page with the signature under it.
        if (next?.kind === 'sign' && !fits(doc, 90)) doc.addPage();
        doc.font(REGULAR).fontSize(11).fillColor('black').text(breakLongWords(el.text), left, doc.y, { width: w });
        doc.moveDown(0.8);
        break;
      case 'paragraph':
        doc.font(REGULAR).fontSize(11).fillColor('black').text(breakLongWords(el.text), left, doc.y, {
          width: w,
          align: 'justify',
          indent,
          lineGap: 1.5,
          paragraphGap: 7,
        });
        break;
      case 'sign': {
        const under: string[] = [];
        while (elements[i + 1]?.kind === 'under') under.push((elements[++i] as { text: string }).text);
        if (!fits(doc, 60)) doc.addPage();
        drawSignature(doc, el, under);
        break;
      }
      case 'pages':
        break;
    }
  }
}

/** "Page n of N" at the foot of every page, when the letter runs over one. */
/** The refusal letter as PDF bytes; the same input gives the same bytes. */
export async function renderRefusalLetterPdf(input: RefusalLetterInput): Promise<Buffer> {
  if (input.language !== 'ru' && input.language !== 'en') throw new RangeError(`no refusal letter in ${JSON.stringify(input.language)}`);
  const letter = refusalLetterElements(input);
  const created = new Date(`${input.date}T00:00:00Z`);
  const doc = new PDFDocument({
    size: 'A4',
    margins: MARGINS,
    bufferPages: true,
    info: {
      Title: input.language === 'ru' ? `Письмо исх. № ${oneLine(input.letterNumber)}` : `Letter ref. No. ${oneLine(input.letterNumber)}`,
      Author: oneLine(input.company.legalName),
      Subject: oneLine(input.client.legalName),
      CreationDate: created,
      ModDate: created,
    },
  });
  const done = withProductFonts(doc);
  layOut(doc, letter, input.language);
  numberPages(doc, letter.elements.find((e): e is { kind: 'pages'; raw: string } => e.kind === 'pages')?.raw, letter.fill, 2);
  doc.end();
  return done;
}
