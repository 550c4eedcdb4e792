// Client onboarding's activity side: its projection, the merge of answers in its step lock, the
// choice of a manager, and the refusal letter.
import { processActivities } from '../engine/definition';
import { chooseManagerActivity, mergeAnswersActivity, refusalLetterActivity } from './activities';
import { projectOnboardingStep } from './projection';

export const onboardingActivities = processActivities({
  projection: { project: (tx, input) => projectOnboardingStep(tx, input) },
  activities: ({ db, company, workload }) => ({
    mergeOnboardingAnswers: mergeAnswersActivity(db),
    chooseOnboardingManager: chooseManagerActivity(db, workload),
    renderRefusalLetter: refusalLetterActivity(db, company),
  }),
});
