// The amendment's API: its stages, its routes and its clocks' overdue threshold.
import type { ProcessApi } from '../process-api';
import { AMENDMENT_STATUSES, type AmendmentSla } from '../../workflows/amendment/rules';
import { createAmendmentRouter } from './routes';
import { amendmentSlaFrom } from './settings';

/** Read once, when the API first needs them (a bad setting stops it there). */
let sla: AmendmentSla | undefined;
const settings = (): AmendmentSla => (sla ??= amendmentSlaFrom(process.env));

export const amendmentApi: ProcessApi = {
  stages: AMENDMENT_STATUSES,
  path: (id) => `/api/amendments/${id}`,
  tag: 'amendments',
  router: (deps) => createAmendmentRouter({ ...deps, sla: settings() }),
  overdueAfterMs: () => settings().stepReminderAfterMs,
};
