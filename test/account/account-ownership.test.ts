// Who may take each step of a relationship: the client's manager (the one it was handed over to,
// after a handover) or a head; another manager gets 403 on every step about the client and
// nothing is written. A complaint comes in from anyone. Decided by the workflow (where a
// concurrent handover cannot slip between the check and the step), and, for a relationship not
// opened yet, before it is opened, so a refused first step opens nothing.
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { castAndClient, contractBody, newClient as newClientOf, type Cast } from '../support/fixtures';
import { HISTORIES_DIR } from '../support/histories';
import { startHarness, type Harness, type Person } from '../support/harness';

let h: Harness;
let cast: Cast;
let stranger: Person;

beforeAll(async () => {
  h = await startHarness();
  cast = await castAndClient(h);
  stranger = await h.person('Чужой Менеджер', ['manager']);
});
afterAll(() => h?.close());

/** A client managed by cast.manager (its contract says so). */
async function managedClient(name: string): Promise<string> {
  const clientId = await newClientOf(h, cast.ops, name);
  const contract = await h.request('POST', '/api/contracts', { token: cast.manager.token, body: contractBody(clientId, cast.manager.id) });
  expect(contract.status, JSON.stringify(contract.body)).toBe(201);
  return clientId;
}

const post = (person: Person, path: string, body: unknown) => h.request('POST', path, { token: person.token, body });

/** Everything a step of the relationship writes, counted. */
async function written(clientId: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of [
    'timeline_events',
    'complaints',
    'commitments',
    'account_reviews',
    'tasks',
    'notifications',
    'account_health',
    'account_stage_periods',
  ]) {
    counts[table] = (await h.db.query(`SELECT count(*)::int AS n FROM ${table} WHERE client_id = $1`, [clientId])).rows[0].n;
  }
  const account = (await h.db.query(`SELECT stage, manager_id, lost_at FROM accounts WHERE client_id = $1`, [clientId])).rows[0];
  counts[`account ${JSON.stringify(account ?? null)}`] = 1;
  return counts;
}

const promiseBody = (ownerId: string) => ({ what: 'Прислать акт сверки', dueDate: '2199-12-31', ownerId });
const reviewBody = { satisfaction: 9, businessChanges: 'нет', note: 'нет' };
const complaintBody = { summary: 'Опоздание машины', category: 'delivery', severity: 'low', reportedBy: 'Логист клиента' };

/**
 * Keeps the relationship's history for the replay test (RECORD_HISTORIES=1, a name not yet taken).
 * The account workflow uses its id only in its rows' keys, so it replays under any id and is not
 * entered in workflow-ids.map.
 */
async function keepAccountHistory(workflowId: string, name: string): Promise<void> {
  if (process.env.RECORD_HISTORIES !== '1') return;
  const file = path.join(HISTORIES_DIR, `${name}.json`);
  if (existsSync(file)) return;
  writeFileSync(file, historyToJSON(await h.temporal.workflow.getHandle(workflowId).fetchHistory()));
}

describe("another manager's client", () => {
  it("refuses another manager every step about the client (403, nothing written); the client's manager and kam_head take them", async () => {
    const clientId = await managedClient('ООО «Чужой клиент»');
    const c = `/api/clients/${clientId}`;

    // Not opened yet: a step that would open it is refused before it opens anything.
    for (const [path, body] of [
      ['commitments', promiseBody(stranger.id)],
      ['reviews', reviewBody],
      ['escalation', { stage: 'adversarial', evidence: 'Письмо' }],
    ] as const) {
      const res = await post(stranger, `${c}/${path}`, body);
      expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBe(403);
    }
    expect((await h.db.query('SELECT 1 FROM accounts WHERE client_id = $1', [clientId])).rowCount).toBe(0);

    // A complaint comes in from anyone, another manager included; it opens the relationship.
    const complaints: string[] = [];
    for (const person of [cast.ops, stranger, cast.ops]) {
      const res = await post(person, `${c}/complaints`, complaintBody);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      complaints.push(res.body.id);
    }
    expect((await h.request('GET', c, { token: cast.ops.token })).body.account).toMatchObject({
      managerId: cast.manager.id,
      stage: 'dissatisfied',
    });
    const mine = await post(cast.manager, `${c}/commitments`, promiseBody(cast.manager.id));
    expect(mine.status, JSON.stringify(mine.body)).toBe(201);
    const heads = await post(cast.kamHead, `${c}/commitments`, promiseBody(cast.manager.id));
    expect(heads.status, JSON.stringify(heads.body)).toBe(201);

    // Every step about the client, by another manager: 403, and not a row more.
    const before = await written(clientId);
    const attempts: [string, string, unknown][] = [
      ['resolve a complaint', `/api/complaints/${complaints[0]}/resolve`, { resolution: 'Решено', rootCause: 'process' }],
      ['a commitment', `${c}/commitments`, promiseBody(stranger.id)],
      ['fulfil a commitment', `/api/commitments/${mine.body.id}/fulfil`, { note: 'Сделано' }],
      ['a review', `${c}/reviews`, reviewBody],
      ['an escalation', `${c}/escalation`, { stage: 'adversarial', evidence: 'Письмо' }],
      ["the stage's action", `${c}/escalation/actions`, { note: 'Оценка проведена' }],
      ['resolve the escalation', `${c}/escalation/resolve`, { outcome: 'recovered', actions: 'План' }],
      ['hand the client over', `${c}/manager`, { managerId: stranger.id }],
      ['the loss', `${c}/loss`, { reason: 'price', note: 'Ушли' }],
    ];
    for (const [what, path, body] of attempts) {
      const res = await post(stranger, path, body);
      expect(res.status, `${what}: ${JSON.stringify(res.body)}`).toBe(403);
      expect(res.body.error.code, what).toBe('forbidden');
    }
    expect(await written(clientId)).toEqual(before);

    // The client's manager takes the steps that are theirs…
    const ok = async (person: Person, path: string, body: unknown, status = 200) => {
      const res = await post(person, path, body);
      expect(res.status, `${person.name} ${path}: ${JSON.stringify(res.body)}`).toBe(status);
      return res;
    };
    await ok(cast.manager, `/api/complaints/${complaints[0]}/resolve`, { resolution: 'Решено', rootCause: 'process' });
    await ok(cast.manager, `/api/commitments/${mine.body.id}/fulfil`, { note: 'Сделано' });
    await ok(cast.manager, `${c}/reviews`, reviewBody, 201);
    await ok(cast.manager, `${c}/escalation/actions`, { note: 'Оценка сервиса проведена' });
    await ok(cast.manager, `${c}/escalation`, { stage: 'adversarial', evidence: 'Письма сотрудников клиента' });
    // …and kam_head every one.
    await ok(cast.kamHead, `/api/complaints/${complaints[1]}/resolve`, { resolution: 'Решено', rootCause: 'external' });
    await ok(cast.kamHead, `/api/commitments/${heads.body.id}/fulfil`, { note: 'Сделано' });
    await ok(cast.kamHead, `${c}/commitments`, promiseBody(cast.kamHead.id), 201);
    await ok(cast.kamHead, `${c}/reviews`, reviewBody, 201);
    await ok(cast.kamHead, `${c}/escalation/actions`, { note: 'План улучшений' });
    await ok(cast.kamHead, `${c}/escalation`, { stage: 'ultimatum', evidence: 'Письмо руководства' });
    await ok(cast.kamHead, `${c}/escalation/resolve`, { outcome: 'recovered', actions: 'План согласован' });

    // Handed over: the new manager's client now, and the previous one is another manager.
    const successor = await h.person('Новый Менеджер', ['manager']);
    await ok(cast.kamHead, `${c}/manager`, { managerId: successor.id });
    const handedOver = await written(clientId);
    expect((await post(cast.manager, `${c}/reviews`, reviewBody)).status).toBe(403);
    expect(
      (await post(cast.manager, `/api/complaints/${complaints[2]}/resolve`, { resolution: 'Решено', rootCause: 'process' })).status,
    ).toBe(403);
    expect(await written(clientId)).toEqual(handedOver);
    await ok(successor, `${c}/reviews`, reviewBody, 201);
    await ok(successor, `/api/complaints/${complaints[2]}/resolve`, { resolution: 'Решено', rootCause: 'process' });
    await ok(cast.kamHead, `${c}/loss`, { reason: 'price', note: 'Ушли к конкуренту' });
    await keepAccountHistory(`account-${clientId}`, 'account-ownership-handed-over-lost');
  }, 120_000);

  it('lets any manager act for a client nobody manages yet, and the lawyer report an arbitration', async () => {
    const clientId = await newClientOf(h, cast.ops, 'ООО «Ничей клиент»');
    const c = `/api/clients/${clientId}`;
    expect((await post(stranger, `${c}/commitments`, promiseBody(stranger.id))).status).toBe(201);
    expect((await post(cast.lawyer, `${c}/escalation`, { stage: 'arbitration', evidence: 'Иск' })).status).toBe(200);
    // Once the client has a manager, the others are refused.
    expect((await post(cast.kamHead, `${c}/manager`, { managerId: cast.manager.id })).status).toBe(200);
    expect((await post(stranger, `${c}/reviews`, reviewBody)).status).toBe(403);
    expect((await post(cast.manager, `${c}/reviews`, reviewBody)).status).toBe(201);
  }, 60_000);
});
