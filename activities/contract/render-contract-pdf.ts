// The contract PDF: two copies of the standard form (the company's and the client's), each with
// both parties' requisites, signature lines and the company's round seal.
//
// The wording lives in templates/contract/contract.<lang>.hbs. Handlebars renders it to a line markup
// that this module lays out with pdfkit:
//   `# text`      a centred bold title line
//   `## text`     a section heading
//   `@row L|R`    one line with L at the left margin and R at the right
//   `@requisites` the two-column requisites, signatures and seal
//   blank line    paragraph spacing; any other line is a justified paragraph.
// Text from users goes through the `plain` helper, so it can never turn into a directive.
//
// Rendering is CPU-bound (a contract at its limits takes a few seconds), so production code calls
// it through pdf-render-pool.ts, in a worker thread, never on the event loop. Input over
// CONTRACT_DOCUMENT_LIMITS is refused before any layout; long words get break opportunities
// (line-breaks.ts) so pdfkit never cuts them itself.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import PDFDocument from 'pdfkit';
import { repoRoot } from '../../config/paths';
import type { ContractDocumentInput, TemplateLanguage } from '../../workflows/contract/rules';
import type { Requisites } from '../../domain/client';
import { assertPrintable } from './document-limits';
import { BOLD, REGULAR, withProductFonts } from '../documents/pdf-fonts';
import { breakLongWords } from '../documents/line-breaks';

const INK = '#1f3c99';

const LABELS = {
  ru: {
    copies: ['Экземпляр Исполнителя', 'Экземпляр Заказчика'],
    contractor: 'ИСПОЛНИТЕЛЬ',
    customer: 'ЗАКАЗЧИК',
    inn: 'ИНН',
    kpp: 'КПП',
    address: 'Адрес',
    bank: 'Банк',
    bik: 'БИК',
    account: 'р/с',
    correspondent: 'к/с',
    director: 'Генеральный директор',
    signatory: 'Уполномоченное лицо',
    stamp: 'М.П.',
    page: (n: number, of: number) => `Договор — стр. ${n} из ${of}`,
    months: ['января', 'февраля', 'марта', 'апреля', 'мая', 'июня', 'июля', 'августа', 'сентября', 'октября', 'ноября', 'декабря'],
    longDate: (d: number, month: string, y: number) => `«${d}» ${month} ${y} г.`,
    locale: 'ru-RU',
  },
  en: {
    copies: ["Contractor's copy", "Customer's copy"],
    contractor: 'CONTRACTOR',
    customer: 'CUSTOMER',
    inn: 'INN',
    kpp: 'KPP',
    address: 'Address',
    bank: 'Bank',
    bik: 'BIK',
    account: 'Account',
    correspondent: 'Corr. account',
    director: 'General Director',
    signatory: 'Authorised signatory',
    stamp: 'L.S.',
    page: (n: number, of: number) => `Contract — page ${n} of ${of}`,
    months: ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'],
    longDate: (d: number, month: string, y: number) => `${d} ${month} ${y}`,
    locale: 'en-GB',
  },
} as const;

const handlebars = Handlebars.create();
handlebars.registerHelper('inc', (i: number) => i + 1);
// A no-break space in front keeps a user's line that starts with # or @ an ordinary paragraph;
// line ends are normalised and a run of blank lines is one paragraph break.
handlebars.registerHelper('plain', (text: unknown) =>
  String(text ?? '')
    .replace(/\r\n?/g, '\n')
    .replace(/\n[^\S\n]*(?:\n[^\S\n]*)+\n/g, '\n\n')
    .replace(/^(?=[#@])/gm, '\u00a0'),
);

const compiled = new Map<TemplateLanguage, HandlebarsTemplateDelegate>();
function template(language: TemplateLanguage): HandlebarsTemplateDelegate {
  let t = compiled.get(language);
  if (!t) {
    const source = readFileSync(path.join(repoRoot(), 'templates', 'contract', `contract.${language}.hbs`), 'utf8');
    t = handlebars.compile(source, { noEscape: true, strict: false });
    compiled.set(language, t);
  }
  return t;
}

function longDate(iso: string, language: TemplateLanguage): string {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  const labels = LABELS[language];
  return labels.longDate(d, labels.months[m - 1]!, y);
}

function money(amount: number, language: TemplateLanguage): string {
  // Intl uses narrow no-break spaces as group separators; plain spaces read the same and always render.
  return new Intl.NumberFormat(LABELS[language].locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 })
    .format(amount)
    .replace(/[\u202f\u00a0]/g, ' ');
}

/** The filled-in form as markup lines. */
export function contractMarkup(input: ContractDocumentInput): string[] {
  const text = template(input.template)({
    ...input,
    date: longDate(input.date, input.template),
    startDate: longDate(input.terms.startDate, input.template),
    endDate: longDate(input.terms.endDate, input.template),
    amount: money(input.terms.amount, input.template),
  });
  return text.split(/\r?\n/);
}

type Doc = PDFKit.PDFDocument;

function contentWidth(doc: Doc): number {
  return doc.page.width - doc.page.margins.left - doc.page.margins.right;
}

function requisiteLines(r: Requisites, labels: (typeof LABELS)[TemplateLanguage]): string[] {
  return [
    r.legalName,
    `${labels.inn} ${r.inn}${r.kpp ? `, ${labels.kpp} ${r.kpp}` : ''}`,
    `${labels.address}: ${r.address}`,
    `${labels.bank}: ${r.bankName}`,
    `${labels.bik} ${r.bik}`,
    `${labels.account} ${r.account}`,
    `${labels.correspondent} ${r.correspondentAccount}`,
  ];
}

/** A round company seal: two rings, the name around them, the INN and city in the middle. */
function drawSeal(doc: Doc, cx: number, cy: number, input: ContractDocumentInput): void {
  const outer = 42;
  const inner = 29;
  doc.save().strokeColor(INK).fillColor(INK).opacity(0.85);
  doc.lineWidth(1.6).circle(cx, cy, outer).stroke();
  doc
    .lineWidth(0.8)
    .circle(cx, cy, outer - 3)
    .stroke();
  doc.lineWidth(0.8).circle(cx, cy, inner).stroke();

  const ring = `${input.company.legalName.toUpperCase()} • ${input.city.toUpperCase()} • `;
  const radius = (outer - 3 + inner) / 2;
  doc.font(BOLD).fontSize(6.2);
  const step = (2 * Math.PI) / ring.length;
  [...ring].forEach((ch, i) => {
    const angle = -Math.PI / 2 + i * step;
    const x = cx + radius * Math.cos(angle);
    const y = cy + radius * Math.sin(angle);
    const w = doc.widthOfString(ch);
    doc.save().rotate((angle * 180) / Math.PI + 90, { origin: [x, y] });
    doc.text(ch, x - w / 2, y - 3, { lineBreak: false });
    doc.restore();
  });

  doc.font(BOLD).fontSize(5.5);
  const centre = [LABELS[input.template].inn, input.company.inn, LABELS[input.template].stamp];
  centre.forEach((line, i) => {
    const w = doc.widthOfString(line);
    doc.text(line, cx - w / 2, cy - 10 + i * 7, { lineBreak: false });
  });
  doc.restore();
}

// Room the requisites, signatures and seal need, with their heading: they are never split from it.
const REQUISITES_HEIGHT = 240;
const fitsOnPage = (doc: Doc, height: number) => doc.y + height <= doc.page.height - doc.page.margins.bottom;

function drawRequisites(doc: Doc, input: ContractDocumentInput): void {
  const labels = LABELS[input.template];
  const gap = 20;
  const colWidth = (contentWidth(doc) - gap) / 2;
  const left = doc.page.margins.left;
  const right = left + colWidth + gap;
  const top = doc.y + 4;

  const column = (x: number, title: string, lines: string[]): number => {
    doc.font(BOLD).fontSize(9).text(title, x, top, { width: colWidth });
    doc.font(REGULAR).fontSize(8.5);
    for (const line of lines) doc.text(breakLongWords(line), x, doc.y + 1, { width: colWidth });
    return doc.y;
  };
  const bottomLeft = column(left, labels.contractor, requisiteLines(input.company, labels));
  const bottomRight = column(right, labels.customer, requisiteLines(input.client, labels));

  const signY = Math.max(bottomLeft, bottomRight) + 34;
  const signature = (x: number, role: string, name: string) => {
    doc
      .font(REGULAR)
      .fontSize(8.5)
      .text(role, x, signY - 14, { width: colWidth });
    doc.text(breakLongWords(`____________________ / ${name} /`), x, signY + 4, { width: colWidth });
  };
  signature(left, labels.director, input.company.directorName);
  signature(right, labels.signatory, input.client.signatoryName ?? '____________________');
  drawSeal(doc, left + colWidth - 55, signY + 2, input);
  doc.x = left;
  doc.y = signY + 56;
}

function drawCopy(doc: Doc, input: ContractDocumentInput, copyLabel: string, lines: string[]): void {
  const left = doc.page.margins.left;
  const width = contentWidth(doc);
  doc
    .font(REGULAR)
    .fontSize(7.5)
    .fillColor('#555555')
    .text(copyLabel, left, doc.page.margins.top - 22, { width, align: 'right' });
  doc.fillColor('black').text('', left, doc.page.margins.top);

  lines.forEach((line, i) => {
    if (line.startsWith('## ') && lines[i + 1] === '@requisites' && !fitsOnPage(doc, REQUISITES_HEIGHT)) doc.addPage();
    if (line.startsWith('# ')) {
      doc
        .font(BOLD)
        .fontSize(12.5)
        .text(breakLongWords(line.slice(2)), left, doc.y, { width, align: 'center' });
    } else if (line.startsWith('## ')) {
      doc
        .moveDown(0.3)
        .font(BOLD)
        .fontSize(10)
        .text(breakLongWords(line.slice(3)), left, doc.y, { width });
      doc.moveDown(0.2);
    } else if (line.startsWith('@row ')) {
      const [l = '', r = ''] = line.slice(5).split('|');
      const y = doc.y + 6;
      doc.font(REGULAR).fontSize(9.5).text(l, left, y, { width, lineBreak: false });
      doc.text(r, left, y, { width, align: 'right' });
      doc.moveDown(0.5);
    } else if (line === '@requisites') {
      drawRequisites(doc, input);
    } else if (line.trim() === '') {
      doc.moveDown(0.4);
    } else {
      doc.font(REGULAR).fontSize(9.5).text(breakLongWords(line), left, doc.y, { width, align: 'justify', paragraphGap: 2 });
    }
  });
}

function numberPages(doc: Doc, language: TemplateLanguage): void {
  const { start, count } = doc.bufferedPageRange();
  for (let i = start; i < start + count; i++) {
    doc.switchToPage(i);
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0; // writing into the margin must not start a new page
    doc.font(REGULAR).fontSize(7.5).fillColor('#555555');
    doc.text(LABELS[language].page(i + 1, count), doc.page.margins.left, doc.page.height - 36, {
      width: contentWidth(doc),
      align: 'center',
      lineBreak: false,
    });
    doc.page.margins.bottom = bottom;
  }
}

/** Joins a finished page's content chunks (pdfkit 0.20's PDFReference keeps them in `buffer`). */
function compactContent(page: PDFKit.PDFPage): void {
  const content = (page as unknown as { content?: { buffer?: unknown } }).content;
  const chunks = content?.buffer;
  if (Array.isArray(chunks) && chunks.length > 1 && chunks.every((c) => c instanceof Uint8Array)) {
    content!.buffer = [Buffer.concat(chunks as Uint8Array[])];
  }
}

/**
 * The two-copy contract as PDF bytes, on the calling thread: use renderContractPdfOffThread
 * (pdf-render-pool.ts) from anything that serves requests. Throws ContractDocumentTooLargeError
 * for input over CONTRACT_DOCUMENT_LIMITS.
 */
export async function renderContractPdf(input: ContractDocumentInput): Promise<Buffer> {
  assertPrintable(input);
  const lines = contractMarkup(input);
  // A fixed creation date makes the same contract render to the same bytes on every retry.
  const created = new Date(`${input.date}T00:00:00Z`);
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: 56, bottom: 56, left: 62, right: 50 },
    bufferPages: true,
    autoFirstPage: false,
    info: {
      Title: `${input.template === 'ru' ? 'Договор' : 'Contract'} ${input.number}`,
      Author: input.company.legalName,
      Subject: input.terms.subject,
      CreationDate: created,
      ModDate: created,
    },
  });
  const done = withProductFonts(doc);

  // Pages stay in memory until they are numbered ("page n of N"), and pdfkit keeps every drawing
  // operation of a page as its own small buffer until the end: about 400 bytes per operation, 300 MB
  // for the 2,500 pages of the largest valid contract. A page is finished when the next one starts,
  // so its operations are joined into one buffer then (the same bytes, pdfkit joins them anyway).
  let previous: PDFKit.PDFPage | undefined;
  doc.on('pageAdded', () => {
    if (previous) compactContent(previous);
    previous = doc.page;
  });
  for (const copyLabel of LABELS[input.template].copies) {
    doc.addPage();
    drawCopy(doc, input, copyLabel, lines);
  }
  numberPages(doc, input.template);
  doc.end();
  return done;
}
