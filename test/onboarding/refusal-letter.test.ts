// The polite refusal letter (activities/onboarding/render-refusal-letter.ts): read back as text, in
// both languages; the manager's reason printed as it is, never as markup; long words wrapped;
// the same letter, the same bytes.
import { describe, expect, it } from 'vitest';
import { withoutBreaks } from '../../activities/documents/line-breaks';
import { refusalLetterElements, renderRefusalLetterPdf, type RefusalLetterInput } from '../../activities/onboarding/render-refusal-letter';
import { longWord } from '../../activities/contract/worst-case';
import { pdfItems, pdfText } from '../support/pdf-text';
import { COMPANY_REQUISITES } from '../support/parties';

const input = (overrides: Partial<RefusalLetterInput> = {}): RefusalLetterInput => ({
  language: 'ru',
  date: '2026-03-05',
  city: 'Москва',
  company: COMPANY_REQUISITES,
  client: { legalName: 'АО «Северная Промышленная Компания»', address: '190000, г. Санкт-Петербург, Невский пр., д. 28' },
  reason: 'Перевозка опасных грузов класса 1 с вооружённым сопровождением пока не входит в перечень наших услуг.',
  letterNumber: 'ОТК-2026-CL-00042',
  ...overrides,
});

const squash = (text: string) => withoutBreaks(text).replace(/\s+/g, ' ');
const noSpace = (text: string) => withoutBreaks(text).replace(/\s+/g, '');
const PAGE_WIDTH = 595.28;
const MARGIN = { left: 70, right: 50 };

describe('the refusal letter', () => {
  it('in Russian: letterhead, number and date, the client, the courteous refusal, the reason, the director', async () => {
    const pdf = await renderRefusalLetterPdf(input());
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const text = squash(await pdfText(pdf));
    for (const expected of [
      'ООО «Логистик Групп»',
      'ИНН 7704123450, КПП 770401001',
      'р/с 40702810938000012345 в ПАО Сбербанк, БИК 044525225, к/с 30101810400000000225',
      'Исх. № ОТК-2026-CL-00042',
      'от 5 марта 2026 г.',
      'г. Москва',
      'АО «Северная Промышленная Компания»',
      '190000, г. Санкт-Петербург, Невский пр., д. 28',
      'Уважаемые господа!',
      'Благодарим вас за обращение в ООО «Логистик Групп»',
      'не имеем возможности принять вашу компанию на обслуживание',
      'Перевозка опасных грузов класса 1 с вооружённым сопровождением пока не входит в перечень наших услуг.',
      'Желаем вашей компании успехов и процветания.',
      'С уважением,',
      'Генеральный директор',
      'Иванов Иван Иванович',
    ]) {
      expect(text).toContain(expected);
    }
    expect((await pdfItems(pdf)).every((i) => i.page === 1)).toBe(true);
  });

  it('in English, with the same parts', async () => {
    const text = squash(
      await pdfText(
        await renderRefusalLetterPdf(
          input({ language: 'en', city: 'Moscow', reason: 'Class 1 dangerous goods are outside the services we provide.' }),
        ),
      ),
    );
    for (const expected of [
      'ООО «Логистик Групп»',
      'INN 7704123450, KPP 770401001',
      'Ref. No. ОТК-2026-CL-00042',
      '5 March 2026',
      'Moscow',
      'АО «Северная Промышленная Компания»',
      'Dear Sir or Madam,',
      'Thank you for approaching ООО «Логистик Групп»',
      'we are unable to take on the service of your company',
      'Class 1 dangerous goods are outside the services we provide.',
      'We wish your company every success.',
      'Yours faithfully,',
      'General Director',
      'Иванов Иван Иванович',
    ]) {
      expect(text).toContain(expected);
    }
  });

  it('without a reason (or with a blank one) says no more than the refusal', async () => {
    for (const reason of [undefined, '', '  \n\t ']) {
      const { elements } = refusalLetterElements(input({ reason }));
      const paragraphs = elements.filter((e) => e.kind === 'paragraph').map((e) => ('text' in e ? e.text : ''));
      expect(paragraphs).toHaveLength(4);
      expect(paragraphs.join(' ')).not.toContain('опасных');
    }
    const text = squash(await pdfText(await renderRefusalLetterPdf(input({ reason: undefined }))));
    expect(text).toContain('не имеем возможности');
    expect(text).toContain('Иванов Иван Иванович');
  });

  it('renders the same bytes for the same letter, and other bytes for another', async () => {
    const a = await renderRefusalLetterPdf(input());
    const b = await renderRefusalLetterPdf(input());
    expect(a.equals(b)).toBe(true);
    const en = await renderRefusalLetterPdf(input({ language: 'en' }));
    expect((await renderRefusalLetterPdf(input({ language: 'en' }))).equals(en)).toBe(true);
    expect(a.equals(await renderRefusalLetterPdf(input({ date: '2026-03-06' })))).toBe(false);
    expect(a.equals(await renderRefusalLetterPdf(input({ reason: 'Другая причина.' })))).toBe(false);
  });

  it("prints the reason and the client's name as they are, never as markup", async () => {
    const reason = [
      '{{company.directorName}} {{{client.legalName}}} {{#if reason}}x{{/if}}',
      '@sign Главный|Самозванец',
      '@head ООО «Чужой бланк»',
      '\ue0000\ue001 {n} из {of}',
    ].join('\n\n');
    const legalName = '@to ООО «Ромашка» | @sign А|Б';
    const { elements } = refusalLetterElements(input({ reason, client: { legalName, address: 'ул. Мира, 1\n@centre Подмена' } }));
    // Exactly the elements the template has: one sign, one head, the reason as one paragraph.
    expect(elements.filter((e) => e.kind === 'sign')).toEqual([
      { kind: 'sign', title: 'Генеральный директор', name: 'Иванов Иван Иванович' },
    ]);
    expect(elements.filter((e) => e.kind === 'head')).toEqual([{ kind: 'head', text: 'ООО «Логистик Групп»' }]);
    expect(elements.filter((e) => e.kind === 'to')).toEqual([
      { kind: 'to', text: legalName },
      { kind: 'to', text: 'ул. Мира, 1 @centre Подмена' },
    ]);
    const printed = elements.filter((e) => e.kind === 'paragraph' && e.text.includes('Самозванец'));
    expect(printed).toEqual([{ kind: 'paragraph', text: reason.replace(/\n\n/g, '\n') }]);

    const text = squash(await pdfText(await renderRefusalLetterPdf(input({ reason, client: { legalName, address: 'ул. Мира, 1' } }))));
    expect(text).toContain('{{company.directorName}} {{{client.legalName}}} {{#if reason}}x{{/if}}');
    expect(text).toContain('@sign Главный|Самозванец');
    expect(text).toContain('@head ООО «Чужой бланк»');
    expect(text).toContain('{n} из {of}');
    expect(text).toContain('@to ООО «Ромашка» | @sign А|Б');
  });

  it('wraps a name without spaces inside its column and reads it back whole, without inserted spaces', async () => {
    const legalName = longWord(300, 7);
    const reason = longWord(1500, 11);
    const pdf = await renderRefusalLetterPdf(input({ client: { legalName, address: 'г. Тверь' }, reason }));
    // (The reason runs over to a second page; page 1's footer comes between its parts.)
    const text = noSpace(await pdfText(pdf)).replace(/Исх\.№ОТК-2026-CL-00042—стр\.\dиз\d/g, '');
    expect(text).toContain(legalName);
    expect(text).toContain(reason);
    const items = await pdfItems(pdf);
    // Drawn as many short lines, all inside the margins.
    const pieces = items.filter((i) => i.str.trim().length >= 10 && reason.includes(withoutBreaks(i.str).trim()));
    expect(pieces.length).toBeGreaterThan(10);
    for (const item of pieces) expect(item.str.trim()).not.toMatch(/\s/);
    for (const item of items) {
      expect(item.x + item.width, item.str.slice(0, 40)).toBeLessThanOrEqual(PAGE_WIDTH - MARGIN.right + 0.5);
      expect(item.x).toBeGreaterThanOrEqual(MARGIN.left - 0.5);
    }
  });

  it('a long reason runs over to a second page, numbered, with the signature after it', async () => {
    const sentence = 'Наши склады в этом регионе полностью загружены, а новые мощности появятся не раньше будущего года. ';
    const pdf = await renderRefusalLetterPdf(input({ reason: sentence.repeat(40).trim() }));
    const items = await pdfItems(pdf);
    expect(Math.max(...items.map((i) => i.page))).toBe(2);
    const text = squash(await pdfText(pdf));
    expect(text).toContain('Исх. № ОТК-2026-CL-00042 — стр. 1 из 2');
    expect(text).toContain('Исх. № ОТК-2026-CL-00042 — стр. 2 из 2');
    const director = items.find((i) => i.str.includes('Иванов Иван Иванович'));
    expect(director?.page).toBe(2);
    // A one-page letter has no page numbers.
    expect(squash(await pdfText(await renderRefusalLetterPdf(input())))).not.toContain('стр. 1');
  });

  it('refuses a date that is not a real YYYY-MM-DD day', async () => {
    await expect(renderRefusalLetterPdf(input({ date: '2026-02-30' }))).rejects.toThrow(/YYYY-MM-DD/);
    await expect(renderRefusalLetterPdf(input({ date: '5.03.2026' }))).rejects.toThrow(/YYYY-MM-DD/);
  });
});
