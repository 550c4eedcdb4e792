// What a contract does with the processes it is the parent of (its amendments): it counts those
// still open, so that ending it ends them (engine/parent-child.ts), and when one comes into force
// with changes it takes the new terms — amount, end date, payment terms, subject — in its own step
// lock, while it is in force itself. The expiry watch re-plans from the new end date.
import { ActivityFailure, isCancellation, log, setHandler } from '@temporalio/workflow';
import { isFinal } from './rules';
import { childProgressSignal, endChildren, openChildren, type ChildProgress } from '../engine/parent-child';
import type { RegistryPatch } from '../../activities/contract/types';
import type { ContractRun } from './run';
import { copyState } from './state';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The terms a child may change, as the registry takes them; anything else it sends is ignored. */
export function termsChanged(changes: Record<string, unknown>): Pick<RegistryPatch, 'amount' | 'endDate' | 'paymentTermsDays' | 'subject'> {
  const { amount, endDate, paymentTermsDays, subject } = changes;
  return {
    ...(typeof amount === 'number' && Number.isFinite(amount) && amount > 0 ? { amount } : {}),
    ...(typeof endDate === 'string' && ISO_DATE.test(endDate) ? { endDate } : {}),
    ...(typeof paymentTermsDays === 'number' && Number.isInteger(paymentTermsDays) && paymentTermsDays >= 0 ? { paymentTermsDays } : {}),
    ...(typeof subject === 'string' && subject.length > 0 ? { subject } : {}),
  };
}

export function hearChildren(run: ContractRun): void {
  setHandler(childProgressSignal, async (progress: ChildProgress) => {
    run.state.children = openChildren(run.state.children, progress);
    if (isFinal(run.state.status) && !progress.final) {
      // It opened after this contract ended: it goes at once.
      await endChildren(run.workflowId, [progress.workflowId], `contract ${run.state.number} is ${run.state.status}`);
      return;
    }
    if (progress.changes && progress.status === 'in_force') await run.lock.run(() => takeTerms(run, progress));
  });
}

async function takeTerms(run: ContractRun, { changes, number, workflowId }: ChildProgress): Promise<void> {
  const n = run.state.number;
  if (run.state.status !== 'active') {
    log.warn('an agreement came into force while the contract was not in force; its terms were not taken', {
      workflowId,
      status: run.state.status,
    });
    return;
  }
  const terms = termsChanged(changes ?? {});
  if (Object.keys(terms).length === 0) return;
  const before = copyState(run.state);
  const newEndDate = terms.endDate !== undefined && terms.endDate !== run.state.endDate;
  if (newEndDate) {
    run.state.endDate = terms.endDate!;
    // The renewal notice was for the old end date; the new one gets its own.
    run.state.renewalNoticeOpen = false;
  }
  try {
    await run.record('terms_amended', 'active', {
      details: { amendment: number, workflowId, previousEndDate: newEndDate ? before.endDate : undefined, ...terms },
      registry: terms,
      ...(newEndDate ? { closeTasks: ['renewal'] } : {}),
      notifications: [run.toManager(`Contract ${n}: the terms of amendment ${number ?? workflowId} are in force`)],
    });
  } catch (err) {
    if (!(err instanceof ActivityFailure) || isCancellation(err)) throw err;
    run.state = before;
    run.changed();
    log.error('the amended terms could not be recorded', { workflowId, error: String(err.cause?.message ?? err.message) });
  }
}
