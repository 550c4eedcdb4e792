// What the step recorder asks of each process: its projection, the only code that writes the
// process's own tables, run inside the step's transaction after the step's event is written.
import type { PoolClient } from 'pg';
import type { ProcessType } from '../../domain/processes';
import type { ProcessRef, RecordStepInput } from '../types';
import { PermanentError } from '../failures';

export interface Projection {
  /**
   * Moves the process's own record for this step. `input.projection` is the process's own patch:
   * the projection checks it with its own schema (a workflow bug fails the step, never a bad row).
   * It may answer the listing as it stands after the move (read in the same statement), which
   * spares the recorder asking `listing` for it.
   */
  project(tx: PoolClient, input: RecordStepInput, process: ProcessRef): Promise<ProcessListing | void>;
  /** What the process says of itself in the list of every process, read after `project` moved it. */
  listing(tx: PoolClient, input: RecordStepInput, process: ProcessRef): Promise<ProcessListing>;
}

/** A process as the list of every process shows it (the `processes` table, written by the recorder). */
export interface ProcessListing {
  /** What it is called in its URLs: a contract's number, an onboarding's or an amendment's id, an account's client. */
  id: string;
  number: string | null;
  managerId: string | null;
  startedAt: Date;
  /** When it ended (closed, in force, lost), or null while it runs. */
  closedAt: Date | null;
}

/** The listing from one row of the process's own table, by a query that names its columns as ProcessListing's. */
export async function listingFrom(tx: PoolClient, sql: string, params: unknown[], what: string): Promise<ProcessListing> {
  const { rows } = await tx.query<ProcessListing>(sql, params);
  if (!rows[0]) throw new PermanentError(`${what} has no row to list`);
  return rows[0];
}

/** Every process's projection, by type: the compiler asks for one when a type is added. */
export type Projections = Record<ProcessType, Projection>;
