// The account relationship's activity side: its projection (accounts, complaints, commitments,
// reviews) and what a new run reads back from it.
import { processActivities } from '../engine/definition';
import { projectAccountStep } from './projection';
import { resumeAccountActivity } from './resume';

export const accountActivities = processActivities({
  projection: { project: (tx, input, process) => projectAccountStep(tx, input, process.clientId) },
  activities: ({ db }) => ({ resumeAccount: resumeAccountActivity(db) }),
});
