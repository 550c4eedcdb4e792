// Who may take each step of an onboarding, decided by its workflow (validator and again in the
// step lock), as on contracts: once it has a manager, its steps are that manager's (the one it was
// assigned or reassigned to) or a head's; another manager gets 403 and nothing is written. A
// checklist item is done by its role: the manager's items by the onboarding's manager, ops' by ops.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientBody, stepOk, EVERY_REQUIRED_ANSWER, onboardingTeam } from '../support/fixtures';
import { eventually, startHarness, type Harness, type Person } from '../support/harness';
import { keepHistory } from '../support/histories';

let h: Harness;
let ops: Person;
let kamHead: Person;
let lawyer: Person;
let director: Person;
let managers: Map<string, Person>;
let questionnaireId: string;

const today = new Date().toISOString().slice(0, 10);
const nextYear = new Date(Date.now() + 365 * 86_400_000).toISOString().slice(0, 10);
const CONTRACT = {
  template: 'ru',
  terms: { subject: 'Перевозка грузов', amount: 1_000_000, currency: 'RUB', startDate: today, endDate: nextYear, paymentTermsDays: 30 },
  deviations: [],
};
const QUALIFICATION = {
  segment: 'gold',
  supplierPosition: 'partner',
  expectedAnnualRevenue: 5_000_000,
  decision: 'pursue',
  reason: 'подходит',
};

beforeAll(async () => {
  h = await startHarness({ workloadNorm: 1_000_000 });
  ({ ops, kamHead, lawyer, director, managers, questionnaireId } = await onboardingTeam(h));
});
afterAll(() => h?.close());

const get = async (id: string) => (await h.request('GET', `/api/onboardings/${id}`, { token: kamHead.token })).body;
const until = <T>(id: string, probe: (o: any) => T | undefined, what: string) =>
  eventually(async () => probe(await get(id)), 20_000, `${id}: ${what}`);

/** Everything a step of this onboarding could write. */
async function written(id: string, workflowId: string) {
  const { rows } = await h.db.query(
    `SELECT (SELECT count(*) FROM timeline_events WHERE workflow_id = $2 OR starts_with(workflow_id, $2 || ':'))::int AS events,
       (SELECT count(*) FROM tasks WHERE workflow_id = $2 OR starts_with(workflow_id, $2 || ':'))::int AS tasks,
       (SELECT count(*) FROM notifications WHERE workflow_id = $2)::int AS notifications,
       (SELECT count(*) FROM onboarding_answer_sets WHERE onboarding_id = $1)::int AS answer_sets,
       (SELECT count(*) FROM contract_drafts WHERE workflow_id = $2)::int AS drafts,
       (SELECT count(*) FROM contract_registry WHERE starts_with(workflow_id, $2 || ':'))::int AS contracts,
       (SELECT to_jsonb(o) - 'updated_at' FROM onboardings o WHERE id = $1) AS onboarding`,
    [id, workflowId],
  );
  return rows[0];
}

type Attempt = { what: string; person: Person; method: string; path: string; body: unknown; headers?: Record<string, string> };
async function expectRefused(id: string, workflowId: string, attempts: Attempt[]): Promise<void> {
  const before = await written(id, workflowId);
  for (const { what, person, method, path, body, headers } of attempts) {
    const res = await h.request(method, path, { token: person.token, body, headers });
    expect(res.status, `${what}: ${JSON.stringify(res.body)}`).toBe(403);
  }
  expect(await written(id, workflowId)).toEqual(before);
}

describe('an onboarding with a manager', () => {
  it('is stepped on by its manager (after a reassignment, the new one) or a head; another manager is refused everywhere, a checklist item by its role', async () => {
    const client = clientBody();
    client.requisites.legalName = 'ООО «Чужой клиент»';
    const created = await h.request('POST', '/api/onboardings', {
      token: ops.token,
      body: { client, lineOfBusiness: 'freight-logistics', questionnaireId, answers: EVERY_REQUIRED_ANSWER },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const { id, workflowId } = created.body;
    await until(id, (o) => (o.stage === 'qualification' ? true : undefined), 'qualification');
    await stepOk(h, kamHead, 'POST', `/api/onboardings/${id}/qualification`, QUALIFICATION);
    const chosen = await until(id, (o) => (o.stage === 'contracting' ? (o.managerId as string) : undefined), 'contracting');
    // kam_head reassigns it to the other manager: the one chosen first is now "another manager".
    const other = managers.get(chosen)!;
    const owner = [...managers.values()].find((m) => m.id !== chosen)!;
    await stepOk(h, kamHead, 'POST', `/api/onboardings/${id}/assignment`, { managerId: owner.id });
    expect((await get(id)).managerId).toBe(owner.id);

    const base = `/api/onboardings/${id}`;
    await expectRefused(id, workflowId, [
      { what: 'answers', person: other, method: 'PUT', path: `${base}/answers`, body: { answers: { insurance: true } } },
      { what: 'qualification', person: other, method: 'POST', path: `${base}/qualification`, body: QUALIFICATION },
      { what: 'assignment', person: other, method: 'POST', path: `${base}/assignment`, body: { managerId: other.id } },
      { what: 'contract', person: other, method: 'POST', path: `${base}/contract`, body: CONTRACT },
      {
        what: 'contract with a key',
        person: other,
        method: 'POST',
        path: `${base}/contract`,
        body: CONTRACT,
        headers: { 'Idempotency-Key': 'not-mine-1' },
      },
      {
        what: 'answers with a key',
        person: other,
        method: 'PUT',
        path: `${base}/answers`,
        body: { answers: { insurance: true } },
        headers: { 'Idempotency-Key': 'not-mine-2' },
      },
      { what: 'checklist', person: other, method: 'POST', path: `${base}/checklist/service_variant`, body: { note: 'x' } },
      { what: 'cancel', person: other, method: 'POST', path: `${base}/cancel`, body: { reason: 'x' } },
    ]);

    // Its own manager makes the contract; the contract is theirs too (another manager 403 there, as always).
    await stepOk(h, owner, 'POST', `${base}/contract`, CONTRACT);
    const number = await until(id, (o) => o.contractNumber ?? undefined, 'the contract number');
    await stepOk(h, director, 'POST', `/api/contracts/${number}/signature`);
    expect(
      (await h.request('POST', `/api/contracts/${number}/dispatch`, { token: other.token, body: { channel: 'courier' } })).status,
    ).toBe(403);
    await stepOk(h, owner, 'POST', `/api/contracts/${number}/dispatch`, { channel: 'courier' });
    await stepOk(h, owner, 'POST', `/api/contracts/${number}/original`);
    await stepOk(h, lawyer, 'POST', `/api/contracts/${number}/client-record`);
    await until(id, (o) => (o.stage === 'implementation' ? true : undefined), 'implementation');

    await expectRefused(id, workflowId, [
      ...['service_variant', 'contacts', 'training', 'support_contacts'].map((item) => ({
        what: `another manager: ${item}`,
        person: other,
        method: 'POST',
        path: `${base}/checklist/${item}`,
        body: { note: 'сделано' },
      })),
      // A checklist item is done by its role.
      {
        what: "ops: the manager's service_variant",
        person: ops,
        method: 'POST',
        path: `${base}/checklist/service_variant`,
        body: { note: 'сделано' },
      },
      { what: "ops: the manager's contacts", person: ops, method: 'POST', path: `${base}/checklist/contacts`, body: { note: 'сделано' } },
      { what: "the manager: ops' training", person: owner, method: 'POST', path: `${base}/checklist/training`, body: { note: 'сделано' } },
    ]);

    await stepOk(h, owner, 'POST', `${base}/checklist/service_variant`, { note: 'сделано' });
    // A head may do any item.
    await stepOk(h, kamHead, 'POST', `${base}/checklist/contacts`, { note: 'сделано руководителем' });
    await stepOk(h, ops, 'POST', `${base}/checklist/training`, { note: 'сделано' });
    await stepOk(h, ops, 'POST', `${base}/checklist/support_contacts`, { note: 'сделано' });
    await until(id, (o) => (o.stage === 'completed' ? true : undefined), 'completed');
    const done = (await get(id)).checklist as Record<string, { by: string }>;
    expect(Object.fromEntries(Object.entries(done).map(([item, d]) => [item, d.by]))).toEqual({
      service_variant: owner.name,
      contacts: kamHead.name,
      training: ops.name,
      support_contacts: ops.name,
    });
    await keepHistory(h.temporal, workflowId, 'v5-onboarding-owners-reassigned-completed');
  });

  it('before a manager is assigned, any manager may answer and qualify', async () => {
    const [first] = [...managers.values()] as [Person];
    const created = await h.request('POST', '/api/onboardings', {
      token: first.token,
      body: { client: clientBody(), lineOfBusiness: 'freight-logistics', questionnaireId, answers: { cargo: 'Бытовая химия' } },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const [, second] = [...managers.values()] as [Person, Person];
    const { cargo: _given, ...rest } = EVERY_REQUIRED_ANSWER;
    await stepOk(h, second, 'PUT', `/api/onboardings/${created.body.id}/answers`, { answers: rest });
    expect((await get(created.body.id)).stage).toBe('qualification');
    await stepOk(h, second, 'POST', `/api/onboardings/${created.body.id}/qualification`, QUALIFICATION);
  });
});
