// "Page n of N" at the foot of every page of a document laid out with buffered pages.
import { REGULAR } from './pdf-fonts';

/**
 * Writes the template's footer line on every page, `{n}` and `{of}` replaced before the values go
 * back in (so a value holding "{n}" stays as it is). Nothing when there is no footer, or fewer
 * pages than `fromPages`.
 */
export function numberPages(doc: PDFKit.PDFDocument, footer: string | undefined, fill: (raw: string) => string, fromPages = 1): void {
  const { start, count } = doc.bufferedPageRange();
  if (footer === undefined || count < fromPages) return;
  for (let i = start; i < start + count; i++) {
    doc.switchToPage(i);
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0; // writing into the margin must not start a new page
    const text = fill(footer.replace('{n}', String(i + 1 - start)).replace('{of}', String(count)));
    doc
      .font(REGULAR)
      .fontSize(7.5)
      .fillColor('#555555')
      .text(text, doc.page.margins.left, doc.page.height - 36, {
        width: doc.page.width - doc.page.margins.left - doc.page.margins.right,
        align: 'center',
        lineBreak: false,
      });
    doc.page.margins.bottom = bottom;
  }
}
