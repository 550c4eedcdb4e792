import { describe, expect, it } from 'vitest';
import { contractMarkup, renderContractPdf } from '../../activities/documents/render-contract-pdf';
import type { ContractDocumentInput } from '../../domain/contract';
import { pdfText } from '../support/pdf-text';

const input = (overrides: Partial<ContractDocumentInput> = {}): ContractDocumentInput => ({
  number: 'CT-2026-00042',
  template: 'ru',
  date: '2026-11-22',
  city: 'Москва',
  company: {
    legalName: 'ООО «Логистик Групп»', inn: '7704123450', kpp: '770401001', address: '119021, г. Москва, ул. Тимура Фрунзе, д. 11',
    bankName: 'ПАО Сбербанк', bik: '044525225', account: '40702810938000012345', correspondentAccount: '30101810400000000225',
    directorName: 'Иванов Иван Иванович',
  },
  client: {
    legalName: 'ООО «Северный ветер»', inn: '7707083893', kpp: '773601001', address: '191186, г. Санкт-Петербург, Невский пр., д. 1',
    bankName: 'АО «Альфа-Банк»', bik: '044525593', account: '40702810401300012345', correspondentAccount: '30101810200000000593',
    signatoryName: 'Петрова Анна Сергеевна',
  },
  terms: { subject: 'перевозка грузов', amount: 1250000, currency: 'RUB', startDate: '2026-12-01', endDate: '2027-11-30', paymentTermsDays: 30 },
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
