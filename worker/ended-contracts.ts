// A sweep that finds contract workflows Temporal ended without the workflow's say (terminated,
// timed out, failed) and closes them in the registry, so it never shows `active` for a process that no
// longer runs. Cancellation needs no sweep: the workflow records it itself.
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { closeEndedContract, openContractsOf } from '../db/contract/registry-closure';
import type { NewsPlanning, PlannedNews } from '../db/delivery/plan';

/** What the sweep tells beyond the app of a contract it closes (its manager's mail, contract.cancelled). */
export interface ClosureNews {
  planning: NewsPlanning;
  dispatch(stepKey: string, planned: PlannedNews): Promise<void>;
}

const QUERY = `WorkflowType = 'contractWorkflow' AND ExecutionStatus IN ('Terminated', 'TimedOut', 'Failed')`;
const HOW: Record<string, string> = { TERMINATED: 'terminated', TIMED_OUT: 'timed out', FAILED: 'failed' };

/** One sweep; returns the contract numbers it closed. Safe to run anywhere, any number of times. */
export async function closeEndedContracts(temporal: Client, db: Pool, news?: ClosureNews): Promise<string[]> {
  const ended = new Map<string, { runId: string; how: string; at: Date }>();
  for await (const execution of temporal.workflow.list({ query: QUERY })) {
    ended.set(execution.workflowId, {
      runId: execution.runId,
      how: HOW[execution.status.name] ?? execution.status.name.toLowerCase(),
      at: execution.closeTime ?? new Date(),
    });
  }
  const closed: string[] = [];
  for (const contract of await openContractsOf(db, [...ended.keys()])) {
    const written = await closeEndedContract(db, { ...contract, ...ended.get(contract.workflowId)! }, news?.planning);
    closed.push(contract.number);
    // Not started now, it is by the delivery round.
    if (written && news) await news.dispatch(written.stepKey, written.planned).catch(() => undefined);
  }
  return closed;
}

/** Sweeps every `everyMs` until stopped; a failed sweep (Temporal or Postgres away) waits for the next. */
export function sweepEndedContracts(
  temporal: Client,
  db: Pool,
  everyMs: number,
  log: (msg: string) => void,
  news?: ClosureNews,
): { stop(): Promise<void> } {
  let running: Promise<void> = Promise.resolve();
  const sweep = () => {
    running = closeEndedContracts(temporal, db, news).then(
      (closed) => {
        if (closed.length) log(`closed in the registry, ended in Temporal: ${closed.join(', ')}`);
      },
      (err) => log(`the sweep of ended contracts failed, will try again: ${(err as Error).message}`),
    );
  };
  sweep();
  const timer = setInterval(sweep, everyMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
