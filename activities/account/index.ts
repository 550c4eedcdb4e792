// The account relationship's activity side: its projection (accounts, complaints, commitments,
// reviews) and what a new run reads back from it.
import { processActivities } from '../engine/definition';
import { listingFrom } from '../engine/projection';
import { projectAccountStep } from './projection';
import { resumeAccountActivity } from './resume';

export const accountActivities = processActivities({
  projection: {
    project: (tx, input, process) => projectAccountStep(tx, input, process.clientId),
    listing: (tx, _input, process) =>
      listingFrom(
        tx,
        `SELECT client_id::text AS id, NULL AS number, manager_id AS "managerId", started_at AS "startedAt", lost_at AS "closedAt"
         FROM accounts WHERE client_id = $1`,
        [process.clientId],
        `the account of ${process.clientId}`,
      ),
  },
  activities: ({ db }) => ({ resumeAccount: resumeAccountActivity(db) }),
});
