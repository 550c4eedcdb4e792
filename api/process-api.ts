// What a process gives the API layer (api/process-apis.ts lists each process's).
import type { Client } from '@temporalio/client';
import type { Router } from 'express';
import type { Pool } from 'pg';

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
  /** The tag of its routes: a step route whose path is not under `path` (a complaint's) belongs to it by this. */
  tag: string;
  /** Its routes, made from its definition. */
  router?(deps: ProcessApiDeps): Router;
  /** How long an open task of it may wait before the process counts as overdue; the engine's default otherwise. */
  overdueAfterMs?(): number;
}
