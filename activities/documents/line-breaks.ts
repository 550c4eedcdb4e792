// Break opportunities for words longer than a line.
//
// pdfkit's LineWrapper (0.20, `eachWord`) breaks text only where the Unicode line-breaking rules
// allow. A word wider than the line is cut by trial and error: each piece is measured by shaping
// prefixes of the word with fontkit, and after every cut the whole rest of the word is shaped
// again (`w = this.wordWidth(word)`), each rest also kept in the font's layout cache. A word of n
// characters costs about n²/(characters per line) glyph shapings, so 20,000 characters without a
// space took over a minute of CPU on the event loop.
//
// Before layout, every run of more than LONG_WORD characters without a space therefore gets a
// zero-width space (U+200B, an explicit break opportunity) after every CHUNK characters. Even
// LONG_WORD of the widest glyphs (about 1.1 em) fit the narrowest column the form has (the
// requisites, 231 pt at 8.5 pt), so pdfkit never takes its slow path; a line of a long word is
// filled to within CHUNK characters. The renderer draws the zero-width space with the font's own
// zero-width glyph: invisible on paper and in copied text (pdf.js drops it; `withoutBreaks`
// removes it from text that kept it).

export const ZERO_WIDTH_SPACE = '\u200b';

/** Runs longer than this get break opportunities; 20-digit bank accounts and ordinary words stay whole. */
export const LONG_WORD = 24;
/** Characters (with up to three combining marks each) between two inserted break opportunities. */
export const CHUNK = 10;

// A "word" here is anything between the characters pdfkit surely breaks at: a no-break space, a
// word joiner or a non-breaking hyphen inside a long run must not hide it from the splitter.
const LONG_RUN = new RegExp(`[^ \\t\\n\\r\\u200b]{${LONG_WORD + 1},}`, 'gu');
// A character with at most three combining marks, or a lone mark, so a base letter keeps its
// accents but a run of thousands of marks is still cut.
const PIECE = new RegExp(`(?:[^]\\p{M}{0,3}){1,${CHUNK}}`, 'gu');

/** The text with a zero-width space every CHUNK characters inside runs longer than LONG_WORD. */
export function breakLongWords(text: string): string {
  if (text.length <= LONG_WORD) return text;
  return text.replace(LONG_RUN, (run) => run.match(PIECE)!.join(ZERO_WIDTH_SPACE));
}

/** The text without the break opportunities breakLongWords inserted (for tests and search). */
export function withoutBreaks(text: string): string {
  return text.replaceAll(ZERO_WIDTH_SPACE, '');
}
