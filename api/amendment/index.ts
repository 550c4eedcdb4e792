// The amendment's API: its stages, its routes and its clocks' overdue threshold.
import type { ProcessApi } from '../process-api';
import { AMENDMENT_STATUSES } from '../../workflows/amendment/rules';
import { createAmendmentRouter } from './routes';
import { amendmentSlaFrom } from './settings';

export const amendmentApi: ProcessApi = {
  stages: AMENDMENT_STATUSES,
  path: (id) => `/api/amendments/${id}`,
  router: (deps) => createAmendmentRouter({ ...deps, sla: amendmentSlaFrom(process.env) }),
  overdueAfterMs: () => amendmentSlaFrom(process.env).stepReminderAfterMs,
};
