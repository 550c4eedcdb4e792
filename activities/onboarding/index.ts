// Client onboarding's activity side: its projection, the merge of answers in its step lock, the
// choice of a manager, and the refusal letter.
import { processActivities } from '../engine/definition';
import { listingFrom } from '../engine/projection';
import { chooseManagerActivity, mergeAnswersActivity, refusalLetterActivity } from './activities';
import { projectOnboardingStep } from './projection';

export const onboardingActivities = processActivities({
  projection: {
    project: (tx, input) => projectOnboardingStep(tx, input),
    listing: (tx, input) =>
      listingFrom(
        tx,
        `SELECT id::text AS id, NULL AS number, manager_id AS "managerId", created_at AS "startedAt", closed_at AS "closedAt"
         FROM onboardings WHERE workflow_id = $1`,
        [input.workflowId],
        `onboarding ${input.workflowId}`,
      ),
  },
  activities: ({ db, company, workload }) => ({
    mergeOnboardingAnswers: mergeAnswersActivity(db),
    chooseOnboardingManager: chooseManagerActivity(db, workload),
    renderRefusalLetter: refusalLetterActivity(db, company),
  }),
});
