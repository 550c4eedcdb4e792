// Break opportunities (line-breaks.ts) that neither show on paper nor in copied text.
//
// fontkit draws a zero-width space (like every default-ignorable character) with the font's space
// glyph at zero advance, so a reader copying the text would find a space in the middle of a long
// word wherever breakLongWords gave it a break opportunity. The font's own zero-width glyph
// (uni200B in DejaVu) is drawn instead. Uses pdfkit 0.20's EmbeddedFont (`layoutRun`, `font`);
// if those ever change, nothing breaks: the breaks just read back as spaces again.
//
// The same technique as the private `invisibleBreaks` in render-contract-pdf.ts, which could
// import this module instead.
import { ZERO_WIDTH_SPACE } from './line-breaks';

interface FontkitGlyph {
  id: number;
  advanceWidth: number;
}
interface FontkitFont {
  glyphForCodePoint(codePoint: number): FontkitGlyph | undefined;
}
interface GlyphRun {
  glyphs: FontkitGlyph[];
  positions: { xAdvance: number; advanceWidth?: number }[];
}

/** Makes the registered font `name` of this document draw U+200B with its own zero-width glyph. */
export function drawBreaksInvisibly(doc: PDFKit.PDFDocument, name: string): void {
  doc.font(name);
  const embedded = (doc as unknown as { _font?: { layoutRun?: unknown; font?: FontkitFont } })._font;
  const fontkit = embedded?.font;
  if (!embedded || typeof embedded.layoutRun !== 'function' || typeof fontkit?.glyphForCodePoint !== 'function') return;
  const zeroWidth = fontkit.glyphForCodePoint(0x200b);
  const space = fontkit.glyphForCodePoint(0x20);
  if (!zeroWidth?.id || zeroWidth.advanceWidth !== 0 || !space) return;
  const layoutRun = embedded.layoutRun as (text: string, features?: unknown) => GlyphRun;
  embedded.layoutRun = function (this: unknown, text: string, features?: unknown): GlyphRun {
    const run = layoutRun.call(this, text, features);
    if (text.includes(ZERO_WIDTH_SPACE)) {
      run.glyphs.forEach((glyph, i) => {
        const position = run.positions[i];
        if (glyph.id === space.id && position && position.xAdvance === 0) {
          run.glyphs[i] = zeroWidth;
          position.advanceWidth = 0;
        }
      });
    }
    return run;
  };
}
