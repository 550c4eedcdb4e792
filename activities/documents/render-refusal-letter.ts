// The polite refusal letter to a client the company declined at qualification: a one-page business
// letter on the company's letterhead, Russian or English (templates/refusal-letter.<lang>.hbs).
// Text from users (the reason, the client's name) is printed as plain paragraphs, never as markup.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import PDFDocument from 'pdfkit';
import { repoRoot } from '../../config/paths';
import type { Requisites } from '../../domain/contract';
import { breakLongWords } from './line-breaks';

export interface RefusalLetterInput {
  language: 'ru' | 'en';
  /** ISO date of the letter. */
  date: string;
  city: string;
  company: Requisites & { directorName: string };
  client: { legalName: string; address: string };
  reason?: string;
  letterNumber: string;
}

const FONT_DIR = path.join(path.dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
const FONTS = { regular: readFileSync(path.join(FONT_DIR, 'DejaVuSans.ttf')), bold: readFileSync(path.join(FONT_DIR, 'DejaVuSans-Bold.ttf')) };

const handlebars = Handlebars.create();
const templates = new Map<string, HandlebarsTemplateDelegate>();
function template(language: 'ru' | 'en'): HandlebarsTemplateDelegate {
  let t = templates.get(language);
  if (!t) {
    t = handlebars.compile(readFileSync(path.join(repoRoot(), 'templates', `refusal-letter.${language}.hbs`), 'utf8'), { noEscape: true });
    templates.set(language, t);
  }
  return t;
}

function longDate(iso: string, language: 'ru' | 'en'): string {
  return new Intl.DateTimeFormat(language === 'ru' ? 'ru-RU' : 'en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${iso}T00:00:00Z`));
}

export async function renderRefusalLetterPdf(input: RefusalLetterInput): Promise<Buffer> {
  const text = template(input.language)({
    ...input,
    date: longDate(input.date, input.language),
    client: { legalName: breakLongWords(input.client.legalName), address: breakLongWords(input.client.address) },
    reason: input.reason ? breakLongWords(input.reason) : undefined,
  });
  const created = new Date(`${input.date}T00:00:00Z`);
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: 56, bottom: 56, left: 70, right: 56 },
    info: { Title: input.language === 'ru' ? `Письмо № ${input.letterNumber}` : `Letter No. ${input.letterNumber}`, Author: input.company.legalName, CreationDate: created, ModDate: created },
  });
  doc.registerFont('regular', FONTS.regular);
  doc.registerFont('bold', FONTS.bold);
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  // Letterhead: the company and its requisites, a rule under them.
  const c = input.company;
  doc.font('bold').fontSize(13).text(c.legalName, { align: 'center' });
  doc
    .font('regular')
    .fontSize(8.5)
    .fillColor('#444')
    .text(`${c.address} · ${input.language === 'ru' ? 'ИНН' : 'INN'} ${c.inn}${c.kpp ? ` · ${input.language === 'ru' ? 'КПП' : 'KPP'} ${c.kpp}` : ''}`, { align: 'center' })
    .text(`${c.bankName} · ${input.language === 'ru' ? 'БИК' : 'BIK'} ${c.bik} · ${input.language === 'ru' ? 'р/с' : 'acc.'} ${c.account}`, { align: 'center' });
  const y = doc.y + 6;
  doc.moveTo(doc.page.margins.left, y).lineTo(doc.page.width - doc.page.margins.right, y).lineWidth(0.8).strokeColor('#1f3c99').stroke();
  doc.moveDown(1.5).fillColor('#000').fontSize(11);

  for (const paragraph of text.trim().split(/\n{2,}/)) {
    doc.font('regular').text(paragraph.trim(), { align: paragraph.includes('\n') ? 'left' : 'justify', lineGap: 2 });
    doc.moveDown(0.8);
  }
  doc.end();
  return done;
}
