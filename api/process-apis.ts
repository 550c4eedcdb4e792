// What each process gives the API layer: its stages (for every list's filters), its routes where
// they are made from its own definition, and when one of its open tasks counts as overdue. The
// process list, its filters and the OpenAPI document are made from here; a process is added once.
import { ACCOUNT_STAGES } from '../workflows/account/rules';
import { CONTRACT_STATUSES } from '../workflows/contract/rules';
import { ONBOARDING_STAGES } from '../workflows/onboarding/rules';
import type { ProcessType } from '../domain/processes';
import { amendmentApi } from './amendment';
import type { ProcessApi } from './process-api';

export const PROCESS_APIS: Record<ProcessType, ProcessApi> = {
  contract: { stages: CONTRACT_STATUSES, path: (number) => `/api/contracts/${number}`, tag: 'contracts' },
  onboarding: { stages: ONBOARDING_STAGES, path: (id) => `/api/onboardings/${id}`, tag: 'onboardings' },
  // The relationship is read with its client.
  account: { stages: ACCOUNT_STAGES, path: (clientId) => `/api/clients/${clientId}`, tag: 'accounts' },
  amendment: amendmentApi,
};

/** Where a listed process is read. */
export const processUrl = (type: string, id: string): string | null =>
  PROCESS_APIS[type as ProcessType]?.path(encodeURIComponent(id)) ?? null;

/** Every stage of every process, once each. */
export const ALL_STAGES: readonly string[] = [...new Set(Object.values(PROCESS_APIS).flatMap((p) => p.stages))];
