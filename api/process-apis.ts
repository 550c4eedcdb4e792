// What each process gives the API layer: its stages (for every list's filters), its routes where
// they are made from its own definition, and when one of its open tasks counts as overdue. The
// process list, its filters and the OpenAPI document are made from here; a process is added once.
import type { Client } from '@temporalio/client';
import type { Router } from 'express';
import type { Pool } from 'pg';
import { ACCOUNT_STAGES } from '../workflows/account/rules';
import { CONTRACT_STATUSES } from '../workflows/contract/rules';
import { ONBOARDING_STAGES } from '../workflows/onboarding/rules';
import type { ProcessType } from '../domain/processes';
import { amendmentApi } from './amendment';

export interface ProcessApiDeps {
  db: Pool;
  temporal: Client;
  /** Where new workflows are started. */
  taskQueue: string;
  callTimeoutMs: number;
}

export interface ProcessApi {
  /** Every stage the process can be in. */
  stages: readonly string[];
  /** Where one of it is read, by what it is called in the list of processes. */
  path(id: string): string;
  /** Its routes, made from its definition. */
  router?(deps: ProcessApiDeps): Router;
  /** How long an open task of it may wait before the process counts as overdue; the engine's default otherwise. */
  overdueAfterMs?(): number;
}

export const PROCESS_APIS: Record<ProcessType, ProcessApi> = {
  contract: { stages: CONTRACT_STATUSES, path: (number) => `/api/contracts/${number}` },
  onboarding: { stages: ONBOARDING_STAGES, path: (id) => `/api/onboardings/${id}` },
  // The relationship is read with its client.
  account: { stages: ACCOUNT_STAGES, path: (clientId) => `/api/clients/${clientId}` },
  amendment: amendmentApi,
};

/** Where a listed process is read. */
export const processUrl = (type: string, id: string): string | null =>
  PROCESS_APIS[type as ProcessType]?.path(encodeURIComponent(id)) ?? null;

/** Every stage of every process, once each. */
export const ALL_STAGES: readonly string[] = [...new Set(Object.values(PROCESS_APIS).flatMap((p) => p.stages))];
