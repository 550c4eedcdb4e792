// The worst contract the limits allow, for the PDF benchmark and the tests: every field at its
// maximum length, in wide Cyrillic capitals, written as words without spaces (the shape that once
// took pdfkit 79 s) or as thousands of one-letter lines (the shape that makes the most pages).
// Deterministic: the same shape gives the same text, so renders can be compared byte for byte.
import type { ContractDocumentInput, Deviation } from '../../workflows/contract/rules';
import type { Requisites } from '../../domain/client';
import { CONTRACT_DOCUMENT_LIMITS as L } from './document-limits';

export type WorstCaseShape = 'long-words' | 'many-lines';

// The widest letters of DejaVu Sans (about 1.1 em), so a line holds as few of them as possible.
const WIDE = 'ЩШЖЮМФЫДЦЪщшжюмфыдц';

/** `length` characters of pseudo-random wide Cyrillic letters from `seed`; no spaces. */
export function longWord(length: number, seed: number): string {
  let state = seed >>> 0 || 1;
  let out = '';
  for (let i = 0; i < length; i++) {
    // xorshift32: cheap, deterministic, no repeated chunks a layout cache could reuse.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    out += WIDE[state % WIDE.length];
  }
  return out;
}

/** Exactly `length` characters of `shape`, starting with `prefix` (a marker tests can look for). */
export function worstText(length: number, seed: number, shape: WorstCaseShape = 'long-words', prefix = ''): string {
  if (shape === 'long-words') return (prefix + longWord(length, seed)).slice(0, length);
  // One letter and a line break, over and over: every line is its own paragraph in the form.
  const letters = longWord(length, seed);
  let out = prefix;
  for (let i = 0; out.length < length; i++) out += out.length + 2 <= length ? `${letters[i]}\n` : letters[i];
  return out.slice(0, length);
}

export interface WorstCaseDraft {
  terms: { subject: string; amount: number; currency: string; startDate: string; endDate: string; paymentTermsDays: number };
  deviations: Deviation[];
  additionalAgreement: string;
  specialAppendix: string;
}

/** The draft part (as the API takes it): subject, 30 deviations, agreement and appendix at their limits. */
export function worstCaseDraft(
  shape: WorstCaseShape = 'long-words',
  dates = { startDate: '2026-12-01', endDate: '2027-11-30' },
): WorstCaseDraft {
  const deviations: Deviation[] = [];
  for (let i = 0; i < L.deviations; i++) {
    deviations.push({
      clause: worstText(L.deviationClause, 1000 + i, 'long-words', `${i + 1}.`),
      standard: worstText(L.deviationStandard, 2000 + i, shape, `СТАНДАРТ${i + 1}`),
      proposed: worstText(L.deviationProposed, 3000 + i, shape, `ОТСТУПЛЕНИЕ${i + 1}`),
    });
  }
  return {
    terms: {
      subject: worstText(L.subject, 1, shape, 'ПРЕДМЕТ'),
      amount: 999_999_999_999.99,
      currency: 'RUB',
      ...dates,
      paymentTermsDays: 365,
    },
    deviations,
    additionalAgreement: worstText(L.additionalAgreement, 2, shape, 'СОГЛАШЕНИЕ'),
    specialAppendix: worstText(L.specialAppendix, 3, shape, 'ПРИЛОЖЕНИЕ'),
  };
}

/** The client's requisites with the name and the address at their limits (valid INN, KPP, BIK, accounts). */
export function worstCaseClient(): Requisites & { signatoryName: string } {
  return {
    legalName: `ООО «${longWord(L.clientLegalName - 6, 4)}»`,
    inn: '7707083893',
    kpp: '773601001',
    address: longWord(L.clientAddress, 5),
    bankName: longWord(L.clientBankName, 6),
    bik: '044525593',
    account: '40702810401300012345',
    correspondentAccount: '30101810200000000593',
    signatoryName: longWord(L.signatoryName, 7),
  };
}

/** The whole document input, ready for the renderer. */
export function worstCaseDocumentInput(shape: WorstCaseShape = 'long-words'): ContractDocumentInput {
  const draft = worstCaseDraft(shape);
  return {
    number: 'CT-2026-000000042',
    template: 'ru',
    date: '2026-11-22',
    city: 'Москва',
    company: {
      legalName: 'ООО «Логистик Групп»',
      inn: '7704123450',
      kpp: '770401001',
      address: '119021, г. Москва, ул. Тимура Фрунзе, д. 11, стр. 2',
      bankName: 'ПАО Сбербанк',
      bik: '044525225',
      account: '40702810938000012345',
      correspondentAccount: '30101810400000000225',
      directorName: 'Иванов Иван Иванович',
    },
    client: worstCaseClient(),
    terms: draft.terms,
    approvedDeviations: draft.deviations,
    additionalAgreement: draft.additionalAgreement,
    specialAppendix: draft.specialAppendix,
    signedBy: 'Иванов Иван Иванович',
  };
}
