// The additional agreement's PDF (activities/amendment/render-amendment-pdf.ts): read back as text,
// in both languages; a clause for each changed term and agreed deviation and for nothing else; the
// parties' requisites and signatures; values printed as they are, never as markup; long words
// wrapped; the same agreement, the same bytes.
import { describe, expect, it } from 'vitest';
import { withoutBreaks } from '../../activities/documents/line-breaks';
import { longWord } from '../../activities/contract/worst-case';
import { amendmentElements, renderAmendmentPdf, type AmendmentDocumentInput } from '../../activities/amendment/render-amendment-pdf';
import { pdfItems, pdfText } from '../support/pdf-text';
import { CLIENT_REQUISITES, COMPANY_REQUISITES } from '../support/parties';

const input = (overrides: Partial<AmendmentDocumentInput> = {}): AmendmentDocumentInput => ({
  language: 'ru',
  number: 'CT-2026-00017/ДС-1',
  contractNumber: 'CT-2026-00017',
  contractDate: '2026-02-10',
  date: '2026-09-15',
  city: 'Москва',
  company: COMPANY_REQUISITES,
  client: { ...CLIENT_REQUISITES, signatoryName: 'Петрова Анна Сергеевна' },
  before: { subject: 'перевозка грузов', amount: 1_250_000, currency: 'RUB', endDate: '2027-02-09', paymentTermsDays: 30 },
  changes: { amount: 1_500_000, endDate: '2027-12-31', paymentTermsDays: 45 },
  deviations: [
    {
      clause: '4.2',
      standard: 'Споры разрешаются в Арбитражном суде по месту нахождения Исполнителя.',
      proposed: 'Споры разрешаются в Арбитражном суде г. Санкт-Петербурга и Ленинградской области.',
    },
  ],
  reason: 'Заказчик увеличил объём перевозок по маршруту Москва — Санкт-Петербург',
  signedBy: 'Иванов Иван Иванович',
  ...overrides,
});

const squash = (text: string) => withoutBreaks(text).replace(/\s+/g, ' ');
const noSpace = (text: string) => withoutBreaks(text).replace(/\s+/g, '');
const PAGE_WIDTH = 595.28;
const MARGIN = { left: 70, right: 50 };

type Element = ReturnType<typeof amendmentElements>['elements'][number];
const clauses = (elements: Element[]) => elements.flatMap((e) => (e.kind === 'clause' ? [e] : []));
const kinds = (elements: Element[]) => elements.map((e) => e.kind).join(' ');

describe('the additional agreement', () => {
  it('in Russian: title, contract, parties, reason, a clause per change and deviation, closing clauses, requisites and signatures', async () => {
    const pdf = await renderAmendmentPdf(input());
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const text = squash(await pdfText(pdf));
    for (const expected of [
      'ДОПОЛНИТЕЛЬНОЕ СОГЛАШЕНИЕ № CT-2026-00017/ДС-1',
      'к Договору № CT-2026-00017 от 10 февраля 2026 г.',
      'г. Москва',
      '15 сентября 2026 г.',
      'ООО «Логистик Групп», именуемое в дальнейшем «Исполнитель», в лице Генерального директора Иванов Иван Иванович',
      'ООО «Северный ветер», именуемое в дальнейшем «Заказчик», в лице Петрова Анна Сергеевна, с другой стороны',
      'Соглашение заключено в связи со следующим: Заказчик увеличил объём перевозок по маршруту Москва — Санкт-Петербург.',
      '1. Пункт 2.1 Договора изложить в следующей редакции: «2.1. Стоимость услуг по Договору составляет 1 500 000,00 RUB.»',
      '2. Пункт 2.2 Договора изложить в следующей редакции: «2.2. Заказчик оплачивает услуги в течение 45 календарных дней',
      '3. Срок действия Договора, установленный пунктом 3.1 Договора, изменить: Договор действует по 31 декабря 2027 г. включительно.',
      '4. Стороны согласовали следующую редакцию пункта 4.2 Договора: «Споры разрешаются в Арбитражном суде г. Санкт-Петербурга и Ленинградской области.» (вместо стандартной редакции: «Споры разрешаются в Арбитражном суде по месту нахождения Исполнителя.»).',
      '5. Настоящее Соглашение является неотъемлемой частью Договора.',
      '6. Настоящее Соглашение вступает в силу с момента его подписания обеими Сторонами.',
      '7. Все остальные условия Договора, не затронутые настоящим Соглашением, остаются неизменными',
      '8. Настоящее Соглашение составлено в двух экземплярах, имеющих равную юридическую силу',
      'Адреса, реквизиты и подписи Сторон',
      'ИСПОЛНИТЕЛЬ',
      'ЗАКАЗЧИК',
      'ИНН 7704123450, КПП 770401001',
      'ИНН 7707083893, КПП 773601001',
      'Банк: ПАО Сбербанк',
      'Банк: АО «Альфа-Банк»',
      'БИК 044525225',
      'БИК 044525593',
      'р/с 40702810938000012345',
      'р/с 40702810401300012345',
      'к/с 30101810400000000225',
      'к/с 30101810200000000593',
      'Генеральный директор',
      '/ Иванов Иван Иванович /',
      'М.П.',
      'Уполномоченное лицо',
      '/ Петрова Анна Сергеевна /',
      'Дополнительное соглашение — стр. 1 из 1',
    ]) {
      expect(text).toContain(expected);
    }
    expect(noSpace(text)).toContain(noSpace('Адрес: 119021, г. Москва, ул. Тимура Фрунзе, д. 11, стр. 2'));
    expect(noSpace(text)).toContain(noSpace('Адрес: 191186, г. Санкт-Петербург, Невский пр., д. 1'));
    // The subject did not change: no clause about it, and no old value anywhere.
    expect(text).not.toContain('Пункт 1.1');
    expect(text).not.toContain('перевозка грузов');
    expect(text).not.toContain('1 250 000');
    expect(text).not.toContain('30 календарных');
    expect(text).not.toContain('9 февраля 2027');
    expect(clauses(amendmentElements(input()).elements)).toHaveLength(8);
  });

  it('in English, with the same parts', async () => {
    const text = squash(
      await pdfText(
        await renderAmendmentPdf(input({ language: 'en', city: 'Moscow', reason: 'the Customer has increased its volume of carriage' })),
      ),
    );
    for (const expected of [
      'ADDITIONAL AGREEMENT No. CT-2026-00017/ДС-1',
      'to Contract No. CT-2026-00017 of 10 February 2026',
      'Moscow',
      '15 September 2026',
      'ООО «Логистик Групп», hereinafter the "Contractor", represented by its General Director Иванов Иван Иванович',
      'ООО «Северный ветер», hereinafter the "Customer", represented by Петрова Анна Сергеевна, on the other hand',
      'Whereas: the Customer has increased its volume of carriage.',
      '1. Clause 2.1 of the Contract shall read as follows: "2.1. The price of the services under the Contract is 1,500,000.00 RUB."',
      '2. Clause 2.2 of the Contract shall read as follows: "2.2. The Customer pays within 45 calendar days',
      '3. The term of the Contract set by clause 3.1 of the Contract is amended: the Contract remains in force through 31 December 2027.',
      '4. The Parties have agreed the following wording of clause 4.2 of the Contract: "Споры разрешаются в Арбитражном суде г. Санкт-Петербурга и Ленинградской области." (instead of the standard wording: "Споры разрешаются в Арбитражном суде по месту нахождения Исполнителя.").',
      '5. This Agreement forms an integral part of the Contract.',
      '6. This Agreement takes effect upon its signing by both Parties.',
      '7. All other terms of the Contract not affected by this Agreement remain unchanged',
      '8. This Agreement is made in two counterparts of equal legal force',
      'CONTRACTOR',
      'CUSTOMER',
      'INN 7704123450, KPP 770401001',
      'INN 7707083893, KPP 773601001',
      'Account 40702810938000012345',
      'Corr. account 30101810200000000593',
      'General Director',
      '/ Иванов Иван Иванович /',
      'L.S.',
      'Authorised signatory',
      '/ Петрова Анна Сергеевна /',
      'Additional agreement — page 1 of 1',
    ]) {
      expect(text).toContain(expected);
    }
    expect(text).not.toContain('Clause 1.1');
    expect(text).not.toContain('1,250,000');
  });

  it('has a clause for each changed term and each deviation, numbered in order, and for nothing else', async () => {
    // Only the subject changes; a term given with its old value is no change.
    const onlySubject = amendmentElements(
      input({ changes: { subject: 'перевозка и хранение грузов', amount: 1_250_000, paymentTermsDays: 30 }, deviations: [] }),
    );
    const texts = clauses(onlySubject.elements).map((c) => `${c.n}. ${c.text}`);
    expect(texts).toHaveLength(5);
    expect(texts[0]).toBe(
      '1. Пункт 1.1 Договора изложить в следующей редакции: «1.1. Исполнитель обязуется по заданию Заказчика оказать услуги: перевозка и хранение грузов, а Заказчик обязуется принять и оплатить эти услуги.»',
    );
    expect(texts[1]).toBe('2. Настоящее Соглашение является неотъемлемой частью Договора.');
    expect(texts.join(' ')).not.toMatch(/2\.1\.|2\.2\.|3\.1/);

    // Only deviations, each its own clause.
    const deviations = [
      { clause: '2.2', standard: 'Оплата в течение 30 дней', proposed: 'Оплата в течение 60 дней' },
      { clause: '4.3', standard: 'В двух экземплярах', proposed: 'В трёх экземплярах' },
    ];
    const onlyDeviations = clauses(amendmentElements(input({ changes: {}, deviations })).elements);
    expect(onlyDeviations.map((c) => c.n)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(onlyDeviations[0]!.text).toBe(
      'Стороны согласовали следующую редакцию пункта 2.2 Договора: «Оплата в течение 60 дней» (вместо стандартной редакции: «Оплата в течение 30 дней»).',
    );
    expect(onlyDeviations[1]!.text).toContain('пункта 4.3 Договора: «В трёх экземплярах»');

    // "в течение 21 календарного дня", "within 1 calendar day".
    const days = (language: 'ru' | 'en', paymentTermsDays: number) =>
      clauses(amendmentElements(input({ language, changes: { paymentTermsDays }, deviations: [] })).elements)[0]!.text;
    expect(days('ru', 21)).toContain('в течение 21 календарного дня');
    expect(days('ru', 11)).toContain('в течение 11 календарных дней');
    expect(days('en', 1)).toContain('within 1 calendar day of');

    // An agreement that changes nothing has nothing to say.
    expect(() => amendmentElements(input({ changes: { amount: 1_250_000 }, deviations: [] }))).toThrow(RangeError);
  });

  it('without a signatory leaves the client\'s "in the person of" out and a blank to write the name in', async () => {
    const client = { ...input().client, signatoryName: undefined };
    const text = squash(await pdfText(await renderAmendmentPdf(input({ client }))));
    expect(text).toContain('именуемое в дальнейшем «Заказчик», с другой стороны');
    expect(text).toContain('Уполномоченное лицо');
    expect(text).toMatch(/\/ _{10,} \//);
  });

  it('prints the reason, names and deviations as they are, never as markup', async () => {
    const reason = [
      '{{x}} {{company.directorName}} {{{client.legalName}}} {{#if reason}}y{{/if}}',
      '# title',
      '@sign Главный|Самозванец',
      '@clause Подложный пункт',
      '@party ПОДЛОГ|ООО «Чужое»',
      '\ue0000\ue001 {n} из {of}',
    ].join('\n');
    const legalName = 'ООО «Ромашка» | @party X|Y';
    const proposed = 'Первая строка\n@clause Вторая строка\n@heading Третья';
    const baseline = amendmentElements(input());
    const { elements } = amendmentElements(
      input({ reason, client: { ...input().client, legalName }, deviations: [{ clause: '4.2', standard: '@title Т', proposed }] }),
    );
    // Exactly the elements the template has.
    expect(kinds(elements)).toBe(kinds(baseline.elements));
    expect(elements.filter((e) => e.kind === 'party').map((e) => ('name' in e ? e.name : ''))).toEqual(['ООО «Логистик Групп»', legalName]);
    const printed = elements.find((e) => e.kind === 'paragraph' && e.text.includes('Самозванец'));
    // (The token-like characters stay as they are: values are never looked at again once put back.)
    expect(printed).toEqual({ kind: 'paragraph', text: `Соглашение заключено в связи со следующим: ${reason.replace(/\n/g, ' ')}.` });
    // A deviation keeps its own line breaks, inside its clause.
    expect(clauses(elements)[3]!.text).toBe(
      `Стороны согласовали следующую редакцию пункта 4.2 Договора: «${proposed}» (вместо стандартной редакции: «@title Т»).`,
    );

    const text = squash(
      await pdfText(
        await renderAmendmentPdf(
          input({ reason, client: { ...input().client, legalName }, deviations: [{ clause: '4.2', standard: 'Т', proposed }] }),
        ),
      ),
    );
    expect(text).toContain(
      'Соглашение заключено в связи со следующим: {{x}} {{company.directorName}} {{{client.legalName}}} {{#if reason}}y{{/if}} # title @sign Главный|Самозванец @clause Подложный пункт @party ПОДЛОГ|ООО «Чужое»',
    );
    expect(text).toContain('{n} из {of}');
    expect(text).toContain('ООО «Ромашка» | @party X|Y');
    expect(text).toContain('«Первая строка @clause Вторая строка @heading Третья»');
  });

  it('wraps a word of 300 characters inside the page and reads it back whole, without inserted spaces', async () => {
    const legalName = `ООО «${longWord(300, 7)}»`;
    const reason = longWord(300, 11);
    const subject = longWord(300, 13);
    const pdf = await renderAmendmentPdf(input({ client: { ...input().client, legalName }, reason, changes: { subject } }));
    const text = noSpace(await pdfText(pdf));
    expect(text).toContain(noSpace(legalName));
    expect(text).toContain(reason);
    expect(text).toContain(subject);
    const items = await pdfItems(pdf);
    // Drawn as many short lines, all inside the margins.
    const pieces = items.filter((i) => i.str.trim().length >= 10 && reason.includes(withoutBreaks(i.str).trim()));
    expect(pieces.length).toBeGreaterThan(3);
    for (const item of pieces) expect(item.str.trim()).not.toMatch(/\s/);
    for (const item of items) {
      expect(item.x + item.width, item.str.slice(0, 40)).toBeLessThanOrEqual(PAGE_WIDTH - MARGIN.right + 0.5);
      expect(item.x).toBeGreaterThanOrEqual(MARGIN.left - 0.5);
    }
  });

  it('renders the same bytes for the same agreement, and other bytes for another', async () => {
    const a = await renderAmendmentPdf(input());
    expect((await renderAmendmentPdf(input())).equals(a)).toBe(true);
    const en = await renderAmendmentPdf(input({ language: 'en' }));
    expect((await renderAmendmentPdf(input({ language: 'en' }))).equals(en)).toBe(true);
    expect(a.equals(await renderAmendmentPdf(input({ date: '2026-09-16' })))).toBe(false);
    expect(a.equals(await renderAmendmentPdf(input({ reason: 'Другая причина' })))).toBe(false);
  });

  it('runs over pages numbered "стр. n из m", keeping the requisites and signatures together', async () => {
    const deviations = Array.from({ length: 12 }, (_, i) => ({
      clause: `4.${i + 1}`,
      standard: 'Исполнитель отвечает за сохранность груза с момента его принятия до момента выдачи. '.repeat(4),
      proposed: 'Исполнитель отвечает за сохранность груза и возмещает его полную стоимость при утрате. '.repeat(4),
    }));
    const pdf = await renderAmendmentPdf(input({ deviations }));
    const items = await pdfItems(pdf);
    const pages = Math.max(...items.map((i) => i.page));
    expect(pages).toBeGreaterThan(1);
    const text = squash(await pdfText(pdf));
    for (let n = 1; n <= pages; n++) expect(text).toContain(`Дополнительное соглашение — стр. ${n} из ${pages}`);
    const on = (s: string) => items.find((i) => i.str.includes(s))?.page;
    expect(on('ИСПОЛНИТЕЛЬ')).toBe(on('Уполномоченное лицо'));
    expect(on('Адреса, реквизиты')).toBe(on('М.П.'));
    // The page with the signatures also holds the agreement's last clause.
    expect(on('экземплярах')).toBe(on('М.П.'));
  });

  it('refuses a date that is not a real YYYY-MM-DD day', async () => {
    await expect(renderAmendmentPdf(input({ date: '2026-02-30' }))).rejects.toThrow(/YYYY-MM-DD/);
    await expect(renderAmendmentPdf(input({ contractDate: '10.02.2026' }))).rejects.toThrow(/YYYY-MM-DD/);
    await expect(renderAmendmentPdf(input({ changes: { endDate: '2027-13-01' } }))).rejects.toThrow(/YYYY-MM-DD/);
  });
});
