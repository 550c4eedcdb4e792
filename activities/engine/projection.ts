// What the step recorder asks of each process: its projection, the only code that writes the
// process's own tables, run inside the step's transaction after the step's event is written.
import type { PoolClient } from 'pg';
import type { ProcessType } from '../../domain/processes';
import type { ProcessRef, RecordStepInput } from '../types';

export interface Projection {
  /**
   * Moves the process's own record for this step. `input.projection` is the process's own patch:
   * the projection checks it with its own schema (a workflow bug fails the step, never a bad row).
   */
  project(tx: PoolClient, input: RecordStepInput, process: ProcessRef): Promise<void>;
}

/** Every process's projection, by type: the compiler asks for one when a type is added. */
export type Projections = Record<ProcessType, Projection>;
