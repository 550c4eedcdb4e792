// Migration 013 lists the processes that ran before the list existed: every contract, onboarding
// and relationship already in Postgres gets its line in `processes` (an onboarding's contract with
// its parent), so GET /api/processes shows them as it showed them before.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from 'pg';
import { loadMigrations, migrate } from '../../db/migrate';
import { testDatabase } from '../support/env';

let db: Client;
let url: string;

beforeAll(async () => {
  url = await testDatabase();
  await migrate(
    url,
    loadMigrations().filter((m) => m.version < '013'),
  );
  db = new Client({ connectionString: url });
  await db.connect();
});
afterAll(() => db?.end());

describe('migration 013', () => {
  it('lists every contract, onboarding and relationship already there, with their stage, manager and dates', async () => {
    const staff = (
      await db.query(
        `INSERT INTO staff (name, email, roles, created_by) VALUES ('Мария', 'm@example.test', '{manager}', 'seed') RETURNING id`,
      )
    ).rows[0].id as string;
    const client = (
      await db.query(
        `INSERT INTO clients (code, legal_name, inn, address, bank_name, bik, account, correspondent_account, created_by)
         VALUES ('CL-00001', 'ООО «Ветер»', '7707083893', 'Москва', 'Банк', '044525593', '40702810401300012345', '30101810200000000593', 'seed')
         RETURNING id`,
      )
    ).rows[0].id as string;
    await db.query(
      `INSERT INTO contract_registry (number, workflow_id, client_id, manager_id, created_by, template, subject, amount, currency,
         start_date, end_date, payment_terms_days, status, registered_at, closed_at)
       VALUES ('CT-2026-00001', 'contract-1', $1, $2, 'seed', 'ru', 'Перевозка', 1000, 'RUB', '2026-03-01', '2027-03-01', 30,
         'cancelled', '2026-03-01T10:00:00Z', '2026-03-05T10:00:00Z')`,
      [client, staff],
    );
    const questionnaire = (await db.query(`SELECT id FROM questionnaires LIMIT 1`)).rows[0].id as string;
    await db.query(
      `INSERT INTO onboardings (id, workflow_id, client_id, line_of_business, questionnaire_id, stage, manager_id, created_by, created_at,
         contract_workflow_id)
       VALUES ('00000000-0000-4000-8000-000000000001', 'onboarding-1', $1, 'Грузоперевозки', $2, 'contracting', $3, 'seed',
         '2026-02-01T09:00:00Z', 'contract-1')`,
      [client, questionnaire, staff],
    );
    await db.query(
      `INSERT INTO accounts (client_id, workflow_id, stage, stage_since, manager_id, health, health_reasons, opened_by, started_at, updated_at)
       VALUES ($1, 'account-1', 'dissatisfied', '2026-04-01T00:00:00Z', $2, 60, '[]', 'seed', '2026-03-10T00:00:00Z', now())`,
      [client, staff],
    );

    expect(await migrate(url)).toContain('013');
    const rows = (
      await db.query(
        `SELECT type, id, number, stage, manager_id, started_at, closed_at, parent_workflow_id FROM processes ORDER BY started_at`,
      )
    ).rows;
    expect(rows).toEqual([
      {
        type: 'onboarding',
        id: '00000000-0000-4000-8000-000000000001',
        number: null,
        stage: 'contracting',
        manager_id: staff,
        started_at: new Date('2026-02-01T09:00:00Z'),
        closed_at: null,
        parent_workflow_id: null,
      },
      {
        type: 'contract',
        id: 'CT-2026-00001',
        number: 'CT-2026-00001',
        stage: 'cancelled',
        manager_id: staff,
        started_at: new Date('2026-03-01T10:00:00Z'),
        closed_at: new Date('2026-03-05T10:00:00Z'),
        parent_workflow_id: 'onboarding-1',
      },
      {
        type: 'account',
        id: client,
        number: null,
        stage: 'dissatisfied',
        manager_id: staff,
        started_at: new Date('2026-03-10T00:00:00Z'),
        closed_at: null,
        parent_workflow_id: null,
      },
    ]);
  });
});
