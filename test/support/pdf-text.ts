// The text of a PDF as a reader would copy it, via pdf.js (no system tools needed).
export async function pdfText(pdf: Buffer): Promise<string> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const doc = await pdfjs.getDocument({ data: new Uint8Array(pdf), useSystemFonts: false, isEvalSupported: false }).promise;
  const pages: string[] = [];
  for (let i = 1; i <= doc.numPages; i++) {
    const content = await (await doc.getPage(i)).getTextContent();
    pages.push(content.items.map((item) => ('str' in item ? item.str + (item.hasEOL ? '\n' : '') : '')).join(''));
  }
  await doc.destroy();
  return pages.join('\n\f');
}

/** Each piece of text with where it stands, for layout checks (inside the margins, which page). */
export async function pdfItems(pdf: Buffer): Promise<{ str: string; x: number; width: number; page: number }[]> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const doc = await pdfjs.getDocument({ data: new Uint8Array(pdf), useSystemFonts: false, isEvalSupported: false }).promise;
  const items: { str: string; x: number; width: number; page: number }[] = [];
  for (let page = 1; page <= doc.numPages; page++) {
    for (const item of (await (await doc.getPage(page)).getTextContent()).items) {
      if ('str' in item && item.str) items.push({ str: item.str, x: item.transform[4] as number, width: item.width, page });
    }
  }
  await doc.destroy();
  return items;
}
