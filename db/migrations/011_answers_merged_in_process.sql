-- Answers given after the request are merged inside the onboarding's process: the API stores
-- what a request changes (`changes`: a value sets an answer, null takes one back), and the
-- onboarding's answers step, in the workflow's step lock, merges them over the answers stored
-- at that moment, decides whether the form is complete, and writes the result (`answers`),
-- which the same step then copies onto the onboarding. Sets written before keep their merged
-- `answers` and no `changes`.
ALTER TABLE onboarding_answer_sets ADD COLUMN changes jsonb;
ALTER TABLE onboarding_answer_sets ALTER COLUMN answers DROP NOT NULL;
ALTER TABLE onboarding_answer_sets ADD CONSTRAINT onboarding_answer_sets_changes_or_answers
  CHECK (changes IS NOT NULL OR answers IS NOT NULL);

