// The onboarding's own activities: merging answers given later over the stored ones, choosing the
// manager with the most room under the workload norm (domain/workload.ts), and the polite refusal
// letter for a declined client.
import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import { z } from 'zod';
import type { Config } from '../../config/env';
import { findClient } from '../../db/clients';
import { queryOne, queryRows, withTransaction } from '../../db/pool';
import { validateAnswers } from '../../db/onboarding/questionnaires';
import { mergeAnswers, type AnswerChanges, type Answers } from '../../domain/questionnaires';
import { SEGMENTS } from '../../domain/client';
import { chooseManager, DEFAULT_WORKLOAD_NORM, type ClientLoad, type ManagerLoadInput, type WorkloadNorm } from '../../domain/workload';
import { renderRefusalLetterPdf } from './render-refusal-letter';
import { PermanentError } from '../failures';

const mergeAnswersInput = z.object({ workflowId: z.string().min(1), answerSetId: z.string().min(1) });
export type MergeAnswersInput = z.infer<typeof mergeAnswersInput>;
export interface MergeAnswersResult {
  /** Every required question is answered once the set is merged. */
  complete: boolean;
  /** The required questions left unanswered, in the questionnaire's order. */
  missing: string[];
  /** The questions this set answers and takes back. */
  answered: string[];
  takenBack: string[];
}

/**
 * Merges an answer set's changes over the answers stored on the onboarding now, checks the result
 * against the questionnaire and writes it onto the set, which the answers step then copies onto the
 * onboarding. Run inside the onboarding's step lock, so no other step moves the answers between this
 * merge and that copy; a retry finds the same stored answers and merges the same way.
 */
export function mergeAnswersActivity(db: Pool) {
  return async function mergeOnboardingAnswers(raw: MergeAnswersInput): Promise<MergeAnswersResult> {
    const input = mergeAnswersInput.parse(raw);
    return withTransaction(db, async (tx) => {
      const row = await queryOne<{ stored: Answers; questionnaire_id: string; changes: AnswerChanges | null; merged: Answers | null }>(
        tx,
        `SELECT o.answers AS stored, o.questionnaire_id, s.changes, s.answers AS merged
         FROM onboarding_answer_sets s JOIN onboardings o ON o.id = s.onboarding_id
         WHERE s.id = $1 AND o.workflow_id = $2 FOR UPDATE OF s`,
        [input.answerSetId, input.workflowId],
      );
      if (!row) throw new PermanentError(`answer set ${input.answerSetId} of ${input.workflowId} does not exist`);
      // Sets written before answers were merged here carry the merged answers themselves.
      const merged = row.changes === null ? row.merged! : mergeAnswers(row.stored, row.changes);
      const check = await validateAnswers(tx, row.questionnaire_id, merged, { complete: false });
      await tx.query('UPDATE onboarding_answer_sets SET answers = $2::jsonb WHERE id = $1', [
        input.answerSetId,
        JSON.stringify(check.answers),
      ]);
      const changes = row.changes ?? {};
      return {
        complete: check.missing.length === 0,
        missing: check.missing,
        answered: Object.keys(changes).filter((k) => changes[k] !== null),
        takenBack: Object.keys(changes).filter((k) => changes[k] === null),
      };
    });
  };
}

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
    return {
      chosen: choice.chosen,
      chosenName: managers.find((m) => m.id === choice.chosen)?.name,
      norm: workload.norm,
      candidates: choice.candidates,
    };
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
