// RFC 4180 CSV, with a BOM so spreadsheet programs open Cyrillic text as UTF-8.

// A spreadsheet runs a cell that starts with one of these as a formula (=HYPERLINK(…), +cmd|…,
// -2+3, @SUM(…)); tab and carriage return come first in cells that some programs trim before
// looking. OWASP's CSV injection advice: prefix such a cell with an apostrophe, which the
// spreadsheet shows as text and hides.
const FORMULA_START = /^[=+\-@\t\r]/;

/** One cell's text: safe to open in a spreadsheet, and quoted when it holds a separator, quote or line break. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const raw = value instanceof Date ? value.toISOString() : typeof value === 'object' ? JSON.stringify(value) : String(value);
  // Numbers are ours, not a caller's text: -5 stays a number.
  const text = typeof value !== 'number' && FORMULA_START.test(raw) ? `'${raw}` : raw;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv<T extends object>(rows: T[], columns: (keyof T & string)[]): string {
  const lines = [columns.map(csvCell).join(','), ...rows.map((row) => columns.map((c) => csvCell(row[c])).join(','))];
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
