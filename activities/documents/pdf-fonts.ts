// What every PDF of the product shares: the embedded DejaVu fonts (Cyrillic, №, ё), read once per
// process, registered with invisible break glyphs, and the document's bytes collected as it ends.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { drawBreaksInvisibly } from './invisible-breaks';

const FONT_DIR = path.join(path.dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
const FONT_FILES = {
  regular: readFileSync(path.join(FONT_DIR, 'DejaVuSans.ttf')),
  bold: readFileSync(path.join(FONT_DIR, 'DejaVuSans-Bold.ttf')),
};
export const REGULAR = 'regular';
export const BOLD = 'bold';

/** Registers the two fonts under REGULAR and BOLD, and answers the document's bytes once it ends. */
export function withProductFonts(doc: PDFKit.PDFDocument): Promise<Buffer> {
  doc.registerFont(REGULAR, FONT_FILES.regular);
  doc.registerFont(BOLD, FONT_FILES.bold);
  drawBreaksInvisibly(doc, REGULAR);
  drawBreaksInvisibly(doc, BOLD);
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  return new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
}
