// One run of a contract's workflow: its state, its step lock and the means every step and deadline
// shares (recording a step, closing the contract, addressing the manager).
import { proxyActivities, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { processSearchAttributes } from '../engine/search-attributes';
import { endChildren, tellParent, type ParentCancelOutcome } from '../engine/parent-child';
import { isFinal } from './rules';
import type { createActivities } from '../../activities';
import type { NotificationSpec, Recipient, RecordStepInput, TaskSpec } from '../../activities/types';
import type { ContractSla, ContractStatus } from './rules';
import type { Actor } from '../../domain/people';
import type { TaskKind } from '../../domain/steps';
import type { ProcessClock } from '../engine/deadlines';
import { advance } from '../engine/step-position';
import { StepLock } from '../engine/step-lock';
import { takenBy } from '../engine/taken-by';
import type { ContractState } from './state';
import type { StepResult } from '../messages';

type Activities = ReturnType<typeof createActivities>;

// Short timeouts: these are single transactions, and a crashed worker's attempt is retried only
// after one. Errors that a retry cannot fix come back non-retryable (activities/failures.ts).
const transactions = proxyActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});
const rendering = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});
export const activities = {
  registerContract: transactions.registerContract,
  recordStep: transactions.recordStep,
  enterClientsBase: transactions.enterClientsBase,
  renderContractDocument: rendering.renderContractDocument,
};

export const isoDate = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
export const nowIso = (): string => new Date(Date.now()).toISOString();

export class ContractRun implements ProcessClock {
  readonly workflowId = workflowInfo().workflowId;
  readonly lock = new StepLock();
  private changeCount = 0;
  /** Whether this run keeps its search attributes current (runs started before they existed do not). */
  indexed = false;

  constructor(
    /** Replaced whole when a failed step is undone; always read through `run.state`. */
    public state: ContractState,
    readonly sla: ContractSla,
  ) {}

  changes(): number {
    return this.changeCount;
  }

  changed(): void {
    this.changeCount++;
  }

  /** Past the configured size (or when the server suggests it), the contract continues as new. */
  mustContinueAsNew(): boolean {
    const info = workflowInfo();
    return info.continueAsNewSuggested || (this.sla.historyLimit !== undefined && info.historyLength >= this.sla.historyLimit);
  }

  result(): StepResult {
    return { workflowId: this.workflowId, number: this.state.number, status: this.state.status };
  }

  manager(): Recipient {
    return { role: 'manager', staffId: this.state.managerId };
  }

  toManager(message: string): NotificationSpec {
    return { kind: 'status', message, recipient: this.manager() };
  }

  task(kind: TaskKind, title: string, assignee: Recipient): TaskSpec {
    return { kind, title, assignee };
  }

  /** Moves the contract and writes the step (registry, timeline, tasks, notifications) in one activity. */
  async record(step: string, to: ContractStatus, extra: Partial<RecordStepInput> = {}): Promise<void> {
    const state = this.state;
    const from = state.status;
    state.status = to;
    this.changed();
    const { at: now, waitedMs } = advance(state, from, to);
    await activities.recordStep({
      workflowId: this.workflowId,
      process: {
        type: 'contract',
        clientId: state.clientId,
        contractNumber: state.number,
        ...(state.parentWorkflowId ? { parentWorkflowId: state.parentWorkflowId } : {}),
      },
      number: state.number!,
      seq: state.seq,
      step,
      from: from === 'registering' ? null : from,
      to,
      at: new Date(now).toISOString(),
      waitedMs,
      ...takenBy(),
      ...extra,
    });
    if (to !== from) this.index();
    if (state.parentWorkflowId && to !== from) await this.tellParent(state.parentWorkflowId);
    // An open agreement about a contract that has ended has nothing left to change.
    if (to !== from && isFinal(to) && state.children?.length) {
      await endChildren(this.workflowId, state.children, `contract ${state.number} is ${to}`, extra.actor);
    }
  }

  /** The contract's search attributes as they are now, so the Temporal UI filters like GET /api/processes. */
  index(): void {
    if (!this.indexed) return;
    const { status, managerId, clientCode } = this.state;
    upsertSearchAttributes(processSearchAttributes({ type: 'contract', stage: status, managerId, clientCode }));
  }

  /** The process that started this contract hears of each new status, and of what it did about its parent's cancellation. */
  async tellParent(parentWorkflowId: string, parentCancel?: ParentCancelOutcome): Promise<void> {
    await tellParent(parentWorkflowId, {
      workflowId: this.workflowId,
      number: this.state.number,
      status: this.state.status,
      ...(parentCancel ? { parentCancel } : {}),
    });
  }

  /** Ends the contract: every open task is closed and the manager is told why. */
  closeAs(step: string, to: ContractStatus, actor: Actor | undefined, reason: string, message: string): Promise<void> {
    return this.record(step, to, {
      actor,
      details: { reason },
      registry: { closedAt: nowIso(), closeReason: reason },
      closeTasks: 'all',
      notifications: [this.toManager(message)],
    });
  }
}
