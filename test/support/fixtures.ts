// The people and the client most tests need, and a contract body to vary.
import { expect } from 'vitest';
import type { Harness, Person } from './harness';
import { CLIENT_REQUISITES } from './parties';

export const CLIENT_NAME = CLIENT_REQUISITES.legalName;

export const clientBody = () => ({
  location: 'Санкт-Петербург',
  signatoryName: 'Петрова Анна Сергеевна',
  firstContactDate: '2026-10-01',
  requisites: { ...CLIENT_REQUISITES },
  contacts: [
    { name: 'Петрова Анна Сергеевна', jobTitle: 'Генеральный директор', phone: '+7 812 555-01-01', decisionRole: 'leader' },
    { name: 'Смирнов Олег', jobTitle: 'Начальник склада', email: 'smirnov@veter.example', decisionRole: 'specifier' },
  ],
});

/** The date `offsetDays` from today, YYYY-MM-DD. */
export const isoDay = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

export const contractBody = (clientId: string, managerId: string, overrides: Record<string, unknown> = {}) => ({
  clientId,
  managerId,
  template: 'ru',
  terms: {
    subject: 'Транспортно-экспедиционное обслуживание: перевозка грузов автомобильным транспортом',
    amount: 1_250_000,
    currency: 'RUB',
    startDate: isoDay(0),
    endDate: isoDay(365),
    paymentTermsDays: 30,
  },
  deviations: [],
  ...overrides,
});

export const DEVIATION = {
  clause: '4.2',
  standard: 'Оплата в течение 30 дней',
  proposed: 'Оплата в течение 60 дней после получения счёта',
};

export interface Cast {
  manager: Person;
  ops: Person;
  lawyer: Person;
  director: Person;
  kamHead: Person;
  clientId: string;
}

export async function castAndClient(h: Harness): Promise<Cast> {
  const [manager, ops, lawyer, director, kamHead] = await Promise.all([
    h.person('Мария Менеджерова', ['manager']),
    h.person('Олег Операционный', ['ops']),
    h.person('Юлия Юристова', ['lawyer']),
    h.person('Иванов Иван Иванович', ['director']),
    h.person('Ким Руководитель', ['kam_head']),
  ]);
  const client = await h.request('POST', '/api/clients', { token: ops.token, body: clientBody() });
  expect(client.status, JSON.stringify(client.body)).toBe(201);
  return { manager, ops, lawyer, director, kamHead, clientId: client.body.id };
}

/** A new client named `legalName`, created by `person`; answers its id. */
export async function newClient(h: Harness, person: Person, legalName: string): Promise<string> {
  const body = clientBody();
  body.requisites.legalName = legalName;
  const res = await h.request('POST', '/api/clients', { token: person.token, body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

/** Takes a step and expects it to succeed, returning the contract's new status. */
export async function stepOk(h: Harness, person: Person, method: string, path: string, body: unknown = {}): Promise<string> {
  const res = await h.request(method, path, { token: person.token, body });
  expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBe(200);
  return res.body.status;
}

/**
 * Takes a step that may outlast the API's deadline (a worker being restarted), as a careful client
 * would: a 503 (Temporal did not answer) is retried with the same Idempotency-Key, so the step is
 * taken once; a 202 (accepted, still being recorded) is followed until the contract reaches `expected`.
 */
export async function stepReaches(
  h: Harness,
  person: Person,
  method: string,
  path: string,
  body: unknown,
  expected: string,
): Promise<string> {
  const headers = { 'Idempotency-Key': `step-${Math.random().toString(36).slice(2)}` };
  const number = path.split('/')[3]!;
  const deadline = Date.now() + 90_000;
  let res = await h.request(method, path, { token: person.token, body, headers });
  while (res.status === 503 && Date.now() < deadline) {
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    await new Promise((r) => setTimeout(r, 500));
    res = await h.request(method, path, { token: person.token, body, headers });
  }
  expect([200, 202], `${method} ${path}: ${JSON.stringify(res.body)}`).toContain(res.status);
  if (res.status === 200) return res.body.status;
  expect(res.headers.get('location')).toBe(`/api/contracts/${number}`);
  for (; Date.now() < deadline; await new Promise((r) => setTimeout(r, 250))) {
    const now = await h.request('GET', `/api/contracts/${number}`, { token: person.token });
    if (now.body.status === expected) return expected;
  }
  throw new Error(`${number} did not reach ${expected} after a 202`);
}

/** Every required answer of the seeded freight-logistics questionnaire (version 1). */
export const EVERY_REQUIRED_ANSWER: Record<string, string | number> = {
  loadingWarehouses: 'Склад в Подольске',
  cargo: 'Бытовая химия на паллетах',
  cargoValuePerTruck: 2_500_000,
  vehicleTypes: 'Еврофура 20 т',
  temperatureRegime: 'none',
  packing: 'pallets',
  paymentTermsDays: 30,
  orderLeadTimeHours: 24,
};

/** The id of the seeded freight-logistics questionnaire, as `person` lists it. */
export async function freightQuestionnaireId(h: Harness, person: Person): Promise<string> {
  const list = await h.request('GET', '/api/questionnaires', { token: person.token });
  expect(list.status, JSON.stringify(list.body)).toBe(200);
  return list.body.items.find((q: { key: string }) => q.key === 'freight-logistics').id;
}

/** The people of an onboarding that goes all the way: ops, kam_head, lawyer, director and two managers. */
export interface OnboardingTeam {
  ops: Person;
  kamHead: Person;
  lawyer: Person;
  director: Person;
  /** By id: the onboarding's automatic assignment picks one of them. */
  managers: Map<string, Person>;
  questionnaireId: string;
}

export async function onboardingTeam(h: Harness): Promise<OnboardingTeam> {
  const [ops, kamHead, lawyer, director] = await Promise.all([
    h.person('Олег Операционный', ['ops']),
    h.person('Ким Руководитель', ['kam_head']),
    h.person('Юлия Юристова', ['lawyer']),
    h.person('Иванов Иван Иванович', ['director']),
  ]);
  const managers = new Map<string, Person>();
  for (const name of ['Мария Менеджерова', 'Пётр Менеджеров']) {
    const m = await h.person(name, ['manager']);
    managers.set(m.id, m);
  }
  return { ops, kamHead, lawyer, director, managers, questionnaireId: await freightQuestionnaireId(h, ops) };
}
