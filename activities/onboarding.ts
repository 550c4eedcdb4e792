// The onboarding's own activities: choosing the manager with the most room under the workload
// norm (domain/workload.ts), and the polite refusal letter for a declined client.
import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import { z } from 'zod';
import type { Config } from '../config/env';
import { findClient } from '../db/clients';
import { queryOne, queryRows } from '../db/pool';
import { SEGMENTS } from '../domain/onboarding';
import { chooseManager, DEFAULT_WORKLOAD_NORM, type ClientLoad, type ManagerLoadInput, type WorkloadNorm } from '../domain/workload';
import { renderRefusalLetterPdf } from './documents/render-refusal-letter';
import { PermanentError } from './failures';


const chooseManagerInput = z.object({
  workflowId: z.string().min(1),
  clientId: z.uuid(),
  segment: z.enum(SEGMENTS),
  expectedAnnualRevenue: z.number().nonnegative(),
});
export type ChooseManagerInput = z.infer<typeof chooseManagerInput>;

interface HeldClient {
  manager_id: string;
  client_id: string;
  segment: ClientLoad['segment'] | null;
  revenue: string | null;
  contacts: number;
  leaders: number;
}

/** A client's decisions count as centralised when at most one of its contacts is a decision leader. */
const loadOf = (row: Pick<HeldClient, 'client_id' | 'segment' | 'revenue' | 'contacts' | 'leaders'>): ClientLoad => ({
  clientId: row.client_id,
  segment: row.segment ?? 'regular',
  expectedAnnualRevenue: row.revenue === null ? undefined : Number(row.revenue),
  contacts: row.contacts,
  decisionsCentralised: row.leaders <= 1,
});

export function chooseManagerActivity(db: Pool, workload: WorkloadNorm = DEFAULT_WORKLOAD_NORM) {
  return async function chooseOnboardingManager(raw: ChooseManagerInput) {
    const input = chooseManagerInput.parse(raw);
    const managers = await queryRows<{ id: string; name: string }>(
      db,
      `SELECT id, name FROM staff WHERE 'manager' = ANY(roles) AND disabled_at IS NULL ORDER BY id`,
    );
    // The clients each manager holds: those of onboardings they were given that are not over.
    const held = await queryRows<HeldClient>(
      db,
      `SELECT o.manager_id, o.client_id, o.segment, o.expected_annual_revenue::text AS revenue,
         (SELECT count(*)::int FROM client_contacts cc WHERE cc.client_id = o.client_id) AS contacts,
         (SELECT count(*)::int FROM client_contacts cc WHERE cc.client_id = o.client_id AND cc.decision_role = 'leader') AS leaders
       FROM onboardings o
       WHERE o.manager_id IS NOT NULL AND o.stage NOT IN ('declined', 'cancelled') AND o.workflow_id <> $1`,
      [input.workflowId],
    );
    const contacts = await queryOne<{ contacts: number; leaders: number }>(
      db,
      `SELECT count(*)::int AS contacts, count(*) FILTER (WHERE decision_role = 'leader')::int AS leaders FROM client_contacts WHERE client_id = $1`,
      [input.clientId],
    );
    const newClient = loadOf({
      client_id: input.clientId,
      segment: input.segment,
      revenue: String(input.expectedAnnualRevenue),
      contacts: contacts?.contacts ?? 0,
      leaders: contacts?.leaders ?? 0,
    });
    const loads: ManagerLoadInput[] = managers.map((m) => ({
      managerId: m.id,
      name: m.name,
      clients: held.filter((h) => h.manager_id === m.id).map(loadOf),
    }));
    const choice = chooseManager(loads, newClient, workload.norm, workload.weights);
    return { chosen: choice.chosen, chosenName: managers.find((m) => m.id === choice.chosen)?.name, norm: workload.norm, candidates: choice.candidates };
  };
}

const refusalInput = z.object({
  workflowId: z.string().min(1),
  clientId: z.uuid(),
  language: z.enum(['ru', 'en']),
  reason: z.string().max(4000).optional(),
  date: z.iso.date(),
});
export type RefusalLetterInput = z.infer<typeof refusalInput>;

export function refusalLetterActivity(db: Pool, company: Config['company']) {
  return async function renderRefusalLetter(raw: RefusalLetterInput): Promise<{ documentId: string }> {
    const input = refusalInput.parse(raw);
    const key = `${input.workflowId}:refusal-letter`;
    const existing = await queryOne<{ id: string }>(db, 'SELECT id FROM documents WHERE key = $1', [key]);
    if (existing) return { documentId: existing.id };
    const client = await findClient(db, input.clientId);
    if (!client) throw new PermanentError(`client ${input.clientId} does not exist`);
    const { city, ...requisites } = company;
    const letterNumber = `ОТК-${input.date.slice(0, 4)}-${client.code}`;
    const pdf = await renderRefusalLetterPdf({
      language: input.language,
      date: input.date,
      city,
      company: requisites,
      client: { legalName: client.requisites.legalName, address: client.requisites.address },
      reason: input.reason,
      letterNumber,
    });
    const row = await queryOne<{ id: string }>(
      db,
      `INSERT INTO documents (key, workflow_id, process_type, client_id, contract_number, kind, content_type, file_name, sha256, content, created_at)
       VALUES ($1, $2, 'onboarding', $3, NULL, 'refusal_letter', 'application/pdf', $4, $5, $6, now())
       ON CONFLICT (key) DO UPDATE SET key = EXCLUDED.key RETURNING id`,
      [key, input.workflowId, input.clientId, `refusal-${client.code}.pdf`, createHash('sha256').update(pdf).digest('hex'), pdf],
    );
    return { documentId: row!.id };
  };
}
