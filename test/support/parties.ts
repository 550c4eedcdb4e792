// The two parties most tests print and check: our company (as the worker is configured with it)
// and the client every test registers first.
import type { Requisites } from '../../domain/client';

export const COMPANY: Requisites & { directorName: string; city: string } = {
  legalName: 'ООО «Логистик Групп»',
  inn: '7704123450',
  kpp: '770401001',
  address: '119021, г. Москва, ул. Тимура Фрунзе, д. 11, стр. 2',
  bankName: 'ПАО Сбербанк',
  bik: '044525225',
  account: '40702810938000012345',
  correspondentAccount: '30101810400000000225',
  directorName: 'Иванов Иван Иванович',
  city: 'Москва',
};

/** Our side as a document prints it (no city). */
export const { city: _city, ...COMPANY_REQUISITES } = COMPANY;

export const CLIENT_REQUISITES: Requisites = {
  legalName: 'ООО «Северный ветер»',
  inn: '7707083893',
  kpp: '773601001',
  address: '191186, г. Санкт-Петербург, Невский пр., д. 1',
  bankName: 'АО «Альфа-Банк»',
  bik: '044525593',
  account: '40702810401300012345',
  correspondentAccount: '30101810200000000593',
};
