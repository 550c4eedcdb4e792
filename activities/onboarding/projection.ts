// The onboarding's projection: its row in `onboardings` (and the client's loyalty stage), moved by
// each of its steps in the step's own transaction (activities/record-step.ts).
import type { PoolClient } from 'pg';
import { ONBOARDING_STAGES } from '../../workflows/onboarding/rules';
import { PermanentError } from '../failures';
import type { RecordStepInput } from '../types';
import { onboardingPatch } from './schemas';
import type { OnboardingPatch, OnboardingStep } from './types';

const COLUMNS: Record<Exclude<keyof OnboardingPatch, 'answerSetId' | 'checklistDone' | 'loyaltyStage'>, string> = {
  segment: 'segment',
  supplierPosition: 'supplier_position',
  expectedAnnualRevenue: 'expected_annual_revenue',
  decision: 'decision',
  decisionReason: 'decision_reason',
  managerId: 'manager_id',
  assignment: 'assignment',
  contractWorkflowId: 'contract_workflow_id',
  contractNumber: 'contract_number',
  closedAt: 'closed_at',
  closeReason: 'close_reason',
};

export async function projectOnboardingStep(tx: PoolClient, input: RecordStepInput): Promise<void> {
  if (!(ONBOARDING_STAGES as readonly string[]).includes(input.to)) throw new PermanentError(`${input.to} is not an onboarding stage`);
  // Its own record of the step, checked by its own schema.
  const patch = (onboardingPatch.parse((input as RecordStepInput & OnboardingStep).onboarding) ?? {}) as OnboardingPatch;
  const values: unknown[] = [input.workflowId, input.to];
  const sets = ['stage = $2', 'updated_at = now()'];
  const set = (sql: string, value: unknown) => {
    values.push(value);
    sets.push(sql.replace('?', `$${values.length}`));
  };
  for (const [name, column] of Object.entries(COLUMNS)) {
    const value = patch[name as keyof typeof COLUMNS];
    if (value !== undefined) set(`${column} = ?`, name === 'assignment' ? JSON.stringify(value) : value);
  }
  if (patch.answerSetId) {
    // The answers as the step merged them (mergeOnboardingAnswers, in the same step lock).
    set('answers = COALESCE((SELECT answers FROM onboarding_answer_sets WHERE id = ?), answers)', patch.answerSetId);
  }
  if (patch.checklistDone) {
    set(`checklist = checklist || ?::jsonb`, JSON.stringify({ [patch.checklistDone.item]: patch.checklistDone }));
  }
  const updated = await tx.query<{ client_id: string }>(
    `UPDATE onboardings SET ${sets.join(', ')} WHERE workflow_id = $1 RETURNING client_id`,
    values,
  );
  if (updated.rowCount === 0) throw new PermanentError(`onboarding ${input.workflowId} does not exist`);
  if (patch.loyaltyStage) {
    await tx.query('UPDATE clients SET loyalty_stage = $2 WHERE id = $1', [updated.rows[0]!.client_id, patch.loyaltyStage]);
  }
}
