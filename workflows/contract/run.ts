// One run of a contract's workflow: the engine's process run (state, step lock, clock, recording a
// step, telling the parent) with the contract's own words: its status, its manager, its number on
// every step, its registry's close fields, its children ended with it, and search attributes only
// for contracts started after they existed.
import type { Actor } from '../../domain/people';
import type { ContractStep } from '../../activities/contract/types';
import { endChildren, type ParentCancelOutcome } from '../engine/parent-child';
import { isoDate, nowIso, ProcessRun, rendering, transactions, type StepInput } from '../engine/process-run';
import type { StepResult } from './messages';
import { isFinal, type ContractSla, type ContractStatus } from './rules';
import type { ContractState } from './state';

export { isoDate, nowIso };

export const activities = {
  registerContract: transactions.registerContract,
  recordStep: transactions.recordStep,
  enterClientsBase: transactions.enterClientsBase,
  renderContractDocument: rendering.renderContractDocument,
};

/** A contract's step: the engine's fields, and the registry's fields it sets. */
export type ContractStepInput = StepInput<ContractStep>;

export class ContractRun extends ProcessRun<ContractState, ContractStep> {
  /** Whether this run keeps its search attributes current (runs started before they existed do not). */
  indexed = false;

  constructor(
    state: ContractState,
    readonly sla: ContractSla,
  ) {
    super(state, {
      ref: (s) => ({ type: 'contract', clientId: s.clientId, contractNumber: s.number }),
      stage: (s) => s.status,
      setStage: (s, stage) => void (s.status = stage as ContractStatus),
      owner: (s) => s.managerId,
      clientCode: (s) => s.clientCode,
      isFinal: (stage) => isFinal(stage as ContractStatus),
      progress: (s) => ({ number: s.number }),
      historyLimit: sla.historyLimit,
    });
  }

  result(): StepResult {
    return { workflowId: this.workflowId, number: this.state.number, status: this.state.status };
  }

  /** The contract's manager, whose steps and notices these are. */
  manager() {
    return this.owner();
  }

  toManager(message: string) {
    return this.toOwner(message);
  }

  /** Moves the contract and writes the step; its open children end when it does. */
  override async record(step: string, to: ContractStatus, extra: ContractStepInput = {}): Promise<void> {
    const from = this.state.status;
    await super.record(step, to, { number: this.state.number!, ...extra });
    // An open agreement about a contract that has ended has nothing left to change.
    if (to !== from && isFinal(to) && this.state.children?.length) {
      await endChildren(this.workflowId, this.state.children, `contract ${this.state.number} is ${to}`, extra.actor);
    }
  }

  override index(): void {
    if (this.indexed) super.index();
  }

  /** The onboarding that started this contract hears what it did about the onboarding's cancellation. */
  answerParent(outcome: ParentCancelOutcome): Promise<boolean> {
    return this.tellParent({ parentCancel: outcome });
  }

  /** Ends the contract: every open task is closed, the registry says when and why, and the manager is told. */
  override closeAs(step: string, to: ContractStatus, actor: Actor | undefined, reason: string, message: string): Promise<void> {
    return this.record(step, to, {
      actor,
      details: { reason },
      registry: { closedAt: nowIso(), closeReason: reason },
      closeTasks: 'all',
      notifications: [this.toManager(message)],
    });
  }
}
