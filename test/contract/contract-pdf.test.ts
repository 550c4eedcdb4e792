import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { promisify } from 'node:util';
import PDFDocument from 'pdfkit';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { CONTRACT_DOCUMENT_LIMITS, ContractDocumentTooLargeError } from '../../activities/contract/document-limits';
import { breakLongWords, CHUNK, LONG_WORD, withoutBreaks, ZERO_WIDTH_SPACE } from '../../activities/documents/line-breaks';
import {
  PdfRenderPool,
  PdfRenderPoolClosedError,
  PdfRenderTimeoutError,
  pdfRenderPoolOptionsFromEnv,
} from '../../activities/documents/pdf-render-pool';
import { contractMarkup, renderContractPdf } from '../../activities/contract/render-contract-pdf';
import { longWord, worstCaseDocumentInput } from '../../activities/contract/worst-case';
import { repoRoot } from '../../config/paths';
import type { ContractDocumentInput } from '../../workflows/contract/rules';
import { LIMITS } from '../../domain/schemas';
import { pdfItems, pdfText } from '../support/pdf-text';
import { renderContractInThread } from '../../activities/contract/render-in-thread';
import { CLIENT_REQUISITES, COMPANY_REQUISITES } from '../support/parties';

const input = (overrides: Partial<ContractDocumentInput> = {}): ContractDocumentInput => ({
  number: 'CT-2026-00042',
  template: 'ru',
  date: '2026-11-22',
  city: 'Москва',
  company: COMPANY_REQUISITES,
  client: { ...CLIENT_REQUISITES, signatoryName: 'Петрова Анна Сергеевна' },
  terms: {
    subject: 'перевозка грузов',
    amount: 1250000,
    currency: 'RUB',
    startDate: '2026-12-01',
    endDate: '2027-11-30',
    paymentTermsDays: 30,
  },
  approvedDeviations: [{ clause: '2.2', standard: 'Оплата в течение 30 дней', proposed: 'Оплата в течение 45 дней' }],
  additionalAgreement: 'Погрузка также в г. Колпино.',
  specialAppendix: 'Температурный режим от +2 до +6 °C.',
  signedBy: 'Иванов Иван Иванович',
  ...overrides,
});

const squash = (text: string) => text.replace(/\s+/g, ' ');

describe('the contract PDF', () => {
  it('holds both parties, the number, the agreed deviations and both copies, in Cyrillic', async () => {
    const text = squash(await pdfText(await renderContractPdf(input())));
    expect(text).toContain('ООО «Северный ветер»');
    expect(text).toContain('ДОГОВОР № CT-2026-00042');
    expect(text).toContain('Оплата в течение 45 дней');
    expect(text).toContain('Погрузка также в г. Колпино.');
    expect(text).toContain('Температурный режим');
    expect(text).toContain('1 250 000,00 RUB');
    expect(text).toContain('Экземпляр Исполнителя');
    expect(text).toContain('Экземпляр Заказчика');
    expect(text.match(/ДОГОВОР № CT-2026-00042/g)).toHaveLength(2);
  });

  it('renders the English form', async () => {
    const text = squash(await pdfText(await renderContractPdf(input({ template: 'en' }))));
    expect(text).toContain('CONTRACT No. CT-2026-00042');
    expect(text).toContain('1,250,000.00 RUB');
    expect(text).toContain("Customer's copy");
  });

  it('omits the deviations section of a standard contract', () => {
    const markup = contractMarkup(input({ approvedDeviations: [], additionalAgreement: undefined, specialAppendix: undefined })).join('\n');
    expect(markup).not.toContain('отступления');
    expect(markup).not.toContain('Дополнительное соглашение');
  });

  it('keeps a user line starting with # a paragraph', () => {
    const markup = contractMarkup(input({ additionalAgreement: '# not a title\n@requisites' }));
    expect(markup.filter((l) => l.startsWith('# '))).toHaveLength(2);
    expect(markup.filter((l) => l === '@requisites')).toHaveLength(1);
  });

  it('renders the same bytes for the same contract', async () => {
    const [a, b] = await Promise.all([renderContractPdf(input()), renderContractPdf(input())]);
    expect(a.equals(b)).toBe(true);
  });
});

// A4 in points and the form's side margins (render-contract-pdf.ts).
const PAGE_WIDTH = 595.28;
const MARGIN_LEFT = 62;
const MARGIN_RIGHT = 50;

// The text as one string without spaces, line ends, inserted break characters or page footers
// (a long text runs across pages, and each page's footer comes between its parts).
const noSpace = (text: string) =>
  withoutBreaks(text)
    .replace(/\s+/g, '')
    .replace(/Договор—стр\.\d+из\d+|Contract—page\d+of\d+/g, '');

describe('long words', () => {
  const word = longWord(2000, 42);

  it('a 2000-character word without spaces comes back wrapped within the margins and complete', async () => {
    const pdf = await renderContractPdf(input({ additionalAgreement: word }));
    const text = withoutBreaks(await pdfText(pdf));
    // Complete: once per copy, once the line breaks (and the inserted break characters) are gone.
    expect(noSpace(text).split(word)).toHaveLength(3);
    // Wrapped: the word is drawn as many lines, none holds much of it, nothing crosses the right margin.
    const items = await pdfItems(pdf);
    const pieces = items.map((i) => withoutBreaks(i.str).trim()).filter((str) => str.length >= 10 && word.includes(str));
    expect(pieces.length).toBeGreaterThanOrEqual(2 * 30);
    expect(Math.max(...pieces.map((str) => str.length))).toBeLessThan(100);
    // The break opportunities are invisible to a reader copying the text: no spaces inside the word.
    const wordLines = items.filter((i) => /[ЩШЖЮМФЫДЦЪщшжюмфыдц]{10}/.test(i.str));
    expect(wordLines.length).toBeGreaterThan(0);
    for (const item of wordLines) expect(item.str.trim()).not.toMatch(/\s/);
    for (const item of items) {
      expect(item.x + item.width, JSON.stringify(item.str.slice(0, 40))).toBeLessThanOrEqual(PAGE_WIDTH - MARGIN_RIGHT + 0.5);
      expect(item.x).toBeGreaterThanOrEqual(MARGIN_LEFT - 0.5);
    }
  });

  it('client requisites at their limits wrap inside their column and stay complete', async () => {
    const doc = worstCaseDocumentInput();
    const pdf = await renderContractPdf({ ...input(), client: doc.client });
    const text = noSpace(await pdfText(pdf));
    expect(text).toContain(noSpace(doc.client.legalName));
    expect(text).toContain(noSpace(doc.client.address));
    expect(text).toContain(noSpace(doc.client.bankName));
    for (const item of await pdfItems(pdf)) expect(item.x + item.width).toBeLessThanOrEqual(PAGE_WIDTH - MARGIN_RIGHT + 0.5);
  });

  it('gives pdfkit no word wider than its line, so pdfkit never cuts one itself (its slow path)', async () => {
    // Without break opportunities pdfkit cuts a long word by measuring ever shorter prefixes and then
    // the whole rest of the word again, line after line: quadratic, 79 s for one large contract.
    const widest: { piece: string; width: number; line: number }[] = [];
    const original = PDFDocument.prototype.text;
    const spy = vi.spyOn(PDFDocument.prototype, 'text').mockImplementation(function (this: PDFKit.PDFDocument, ...args: any[]) {
      const [text, , , options] = args as [unknown, number, number, PDFKit.Mixins.TextOptions | undefined];
      if (typeof text === 'string' && options?.width && options.lineBreak !== false) {
        for (const piece of text.split(/[ \t\r\n\u200b]/)) {
          const width = this.widthOfString(piece);
          if (width > options.width) widest.push({ piece: piece.slice(0, 30), width, line: options.width });
        }
      }
      return (original as (...a: unknown[]) => PDFKit.PDFDocument).apply(this, args);
    });
    try {
      await renderContractPdf(worstCaseDocumentInput('long-words'));
    } finally {
      spy.mockRestore();
    }
    expect(widest).toEqual([]);
  });

  it('break opportunities: every CHUNK characters inside runs longer than LONG_WORD, nowhere else', () => {
    expect(breakLongWords('40702810401300012345 ООО «Северный ветер»')).toBe('40702810401300012345 ООО «Северный ветер»');
    const broken = breakLongWords(`а ${word} б`);
    expect(withoutBreaks(broken)).toBe(`а ${word} б`);
    expect(Math.max(...broken.split(/[ \u200b]/).map((piece) => [...piece].length))).toBe(CHUNK);
    // A run glued by no-break spaces, word joiners or combining marks is cut all the same.
    for (const glued of ['ж\u00a0'.repeat(1000), 'ж\u2060'.repeat(1000), 'и\u0306'.repeat(1000), '\u0301'.repeat(2000)]) {
      const pieces = breakLongWords(glued).split(ZERO_WIDTH_SPACE);
      expect(pieces.length).toBeGreaterThan(10);
      expect(Math.max(...pieces.map((p) => p.length))).toBeLessThanOrEqual(4 * CHUNK);
      expect(pieces.join('')).toBe(glued);
    }
    // A mark stays with its letter.
    expect(
      breakLongWords('и\u0306'.repeat(LONG_WORD))
        .split(ZERO_WIDTH_SPACE)
        .every((p) => !/^\p{M}/u.test(p)),
    ).toBe(true);
  });

  it('a run of blank lines in user text is one paragraph break', () => {
    const markup = contractMarkup(input({ additionalAgreement: `первый${'\n'.repeat(5000)}второй` }));
    expect(markup.length).toBeLessThan(contractMarkup(input()).length + 5);
  });
});

describe('size limits', () => {
  it('refuses a contract over the limits with a clear error naming the fields, before any layout', async () => {
    const L = CONTRACT_DOCUMENT_LIMITS;
    const tooLarge = input({
      terms: { ...input().terms, subject: 'а'.repeat(L.subject + 1) },
      specialAppendix: 'б'.repeat(L.specialAppendix + 1),
      approvedDeviations: Array.from({ length: L.deviations + 1 }, () => ({ clause: '1', standard: 'a', proposed: 'b' })),
    });
    const started = performance.now();
    const err = await renderContractPdf(tooLarge).catch((e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(100);
    expect(err).toBeInstanceOf(ContractDocumentTooLargeError);
    expect((err as Error).message).toContain('terms.subject has 1001 characters, at most 1000');
    expect((err as Error).message).toContain('specialAppendix');
    expect((err as Error).message).toContain('31 deviations, at most 30');
    const client = { ...input().client, legalName: 'x'.repeat(L.clientLegalName + 1) };
    await expect(renderContractPdf(input({ client }))).rejects.toThrow(/client\.legalName has 301 characters/);
  });

  it('are the limits the API schemas enforce', () => {
    const L = CONTRACT_DOCUMENT_LIMITS;
    expect({
      subject: L.subject,
      deviations: L.deviations,
      clause: L.deviationClause,
      standard: L.deviationStandard,
      proposed: L.deviationProposed,
      additionalAgreement: L.additionalAgreement,
      specialAppendix: L.specialAppendix,
      legalName: L.clientLegalName,
      address: L.clientAddress,
      bankName: L.clientBankName,
      signatoryName: L.signatoryName,
    }).toEqual({
      subject: LIMITS.subject,
      deviations: LIMITS.deviations,
      clause: LIMITS.clause,
      standard: LIMITS.standard,
      proposed: LIMITS.proposed,
      additionalAgreement: LIMITS.additionalAgreement,
      specialAppendix: LIMITS.specialAppendix,
      legalName: LIMITS.legalName,
      address: LIMITS.address,
      bankName: LIMITS.bankName,
      signatoryName: LIMITS.signatoryName,
    });
  });

  it('accepts the worst contract at exactly the limits, and it is complete', async () => {
    const worst = worstCaseDocumentInput('long-words');
    const L = CONTRACT_DOCUMENT_LIMITS;
    expect(worst.approvedDeviations).toHaveLength(L.deviations);
    expect(worst.specialAppendix).toHaveLength(L.specialAppendix);
    expect(worst.client.legalName).toHaveLength(L.clientLegalName);
    expect(worst.client.address).toHaveLength(L.clientAddress);
    const text = noSpace(await pdfText(await renderContractPdf(worst)));
    expect(text).toContain(noSpace(worst.client.legalName));
    expect(text).toContain(worst.number);
    expect(text).toContain(worst.approvedDeviations.at(-1)!.proposed);
    expect(text).toContain(worst.specialAppendix!);
  });
});

describe('the render pool (worker threads)', () => {
  const pool = new PdfRenderPool({ threads: 1 });
  afterAll(() => pool.close());

  it('renders the same bytes as the renderer itself, off the main thread', async () => {
    const [inThread, here] = await Promise.all([renderContractInThread(pool, input()), renderContractPdf(input())]);
    expect(inThread.equals(here)).toBe(true);
    expect(squash(await pdfText(inThread))).toContain('ДОГОВОР № CT-2026-00042');
  });

  it('keeps the event loop free while the worst contract renders', async () => {
    const worst = worstCaseDocumentInput('long-words');
    await renderContractInThread(pool, input()); // the thread is up
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 50);
    const started = performance.now();
    const pdf = await renderContractInThread(pool, worst);
    const elapsed = performance.now() - started;
    clearInterval(ticker);
    loop.disable();
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    // On the main thread the whole render would be one stall; here the loop kept ticking.
    expect(loop.max / 1e6).toBeLessThan(500);
    expect(ticks).toBeGreaterThanOrEqual(Math.floor(elapsed / 50 / 2));
  });

  it('refuses input over the limits before it reaches a thread', async () => {
    const err = await renderContractInThread(
      pool,
      input({ additionalAgreement: 'я'.repeat(CONTRACT_DOCUMENT_LIMITS.additionalAgreement + 1) }),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ContractDocumentTooLargeError);
  });

  it('terminates a render that overruns its time limit and carries on with a fresh thread', async () => {
    const before = pool.threadsStarted;
    await expect(renderContractInThread(pool, worstCaseDocumentInput('many-lines'), { timeoutMs: 50 })).rejects.toBeInstanceOf(
      PdfRenderTimeoutError,
    );
    const pdf = await renderContractInThread(pool, input());
    expect(pool.threadsStarted).toBe(before + 1);
    expect(squash(await pdfText(pdf))).toContain('ООО «Северный ветер»');
  });

  it('renders in order, several at a time when configured, and fails what is left when closed', async () => {
    const two = new PdfRenderPool({ threads: 2 });
    const results = await Promise.all([1, 2, 3].map((i) => renderContractInThread(two, input({ number: `CT-2026-0000${i}` }))));
    for (const [i, pdf] of results.entries()) expect(squash(await pdfText(pdf))).toContain(`CT-2026-0000${i + 1}`);
    expect(two.threadsStarted).toBe(2);
    const pending = [
      renderContractInThread(two, worstCaseDocumentInput()),
      renderContractInThread(two, input()),
      renderContractInThread(two, input()),
    ].map((p) => p.catch((e: unknown) => e));
    await two.close();
    for (const err of await Promise.all(pending)) expect(err).toBeInstanceOf(PdfRenderPoolClosedError);
    await expect(renderContractInThread(two, input())).rejects.toBeInstanceOf(PdfRenderPoolClosedError);
  });

  it('reads its settings from the environment and names a bad one', () => {
    expect(pdfRenderPoolOptionsFromEnv({ PDF_RENDER_THREADS: '2', PDF_RENDER_TIMEOUT: '45s', PDF_RENDER_MAX_HEAP_MB: '256' })).toEqual({
      threads: 2,
      timeoutMs: 45_000,
      maxHeapMb: 256,
    });
    expect(pdfRenderPoolOptionsFromEnv({})).toEqual({});
    expect(() => pdfRenderPoolOptionsFromEnv({ PDF_RENDER_THREADS: '0' })).toThrow(/PDF_RENDER_THREADS/);
    expect(() => pdfRenderPoolOptionsFromEnv({ PDF_RENDER_TIMEOUT: 'soon' })).toThrow(/PDF_RENDER_TIMEOUT/);
  });

  // `npm test` builds dist/ first; production runs the compiled pool, whose thread loads plain .js.
  const compiled = path.join(repoRoot(), 'dist', 'activities', 'contract', 'render-in-thread.js');
  it.skipIf(!existsSync(compiled))('works from the compiled dist/ too, and its idle thread does not keep the process alive', async () => {
    const script = `
      const { renderContractPdfOffThread } = require(${JSON.stringify(compiled)});
      renderContractPdfOffThread(JSON.parse(process.argv[1])).then((pdf) => process.stdout.write(pdf.subarray(0, 5).toString() + ' ' + pdf.length));
    `;
    const started = Date.now();
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', script, JSON.stringify(input())], { timeout: 60_000 });
    expect(stdout).toMatch(/^%PDF- \d{5,}$/);
    expect(Date.now() - started).toBeLessThan(60_000);
  });
});
