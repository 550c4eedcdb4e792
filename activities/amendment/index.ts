// The contract amendment's activity side: its number and row, its signed PDF, and its projection.
import { processActivities } from '../engine/definition';
import { renderAmendmentDocumentActivity } from './document';
import { amendmentProjection } from './projection';
import { registerAmendmentActivity } from './register';

export const amendmentActivities = processActivities({
  projection: amendmentProjection,
  activities: ({ db, company }) => ({
    registerAmendment: registerAmendmentActivity(db),
    renderAmendmentDocument: renderAmendmentDocumentActivity(db, company),
  }),
});
