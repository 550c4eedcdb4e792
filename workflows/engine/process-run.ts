// One run of any process's workflow: its state, its step lock and clock, and what every step
// shares: recording it (the recorder writes its projection, timeline event, tasks and
// notifications in one transaction, keyed by the workflow id and the step's position), addressing
// tasks, undo of a step that fails for good, search attributes, and telling the parent.
import { proxyActivities, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { createActivities } from '../../activities';
import type { NotificationSpec, ProcessRef, Recipient, RecordStepInput, TaskSpec } from '../../activities/types';
import type { ProcessClock } from './deadlines';
import { tellParent, type ChildProgress } from './parent-child';
import { processSearchAttributes } from './search-attributes';
import { StepLock } from './step-lock';
import { advance, type StepPosition } from './step-position';
import { takenBy } from './taken-by';

export type Activities = ReturnType<typeof createActivities>;

// Short timeouts: these are single transactions, and a crashed worker's attempt is retried only
// after one. Errors a retry cannot fix come back non-retryable (activities/failures.ts).
export const transactions = proxyActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});
/** Documents take longer (a PDF is rendered). */
export const rendering = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/** What every process's state carries besides its own facts. */
export interface RunState extends StepPosition {
  /** 1 for the first run, +1 at every continue-as-new. */
  run: number;
  /** The process that started this one, told of every stage this one reaches. */
  parentWorkflowId?: string;
}

/** A step's input: the engine's fields, and what the process adds for its projection (`X`). */
export type StepInput<X extends object = object> = Partial<RecordStepInput> & X;

/** How the engine reads a process's state: the process's own words for its stage, owner and subject. */
export interface RunShape<S extends RunState, X extends object = object> {
  ref(state: S): ProcessRef;
  stage(state: S): string;
  setStage(state: S, stage: string): void;
  /** The person whose steps these are (a manager), for tasks and notices addressed to them. */
  owner(state: S): string | undefined;
  clientCode?(state: S): string | undefined;
  isFinal(stage: string): boolean;
  /** What the child tells its parent beyond its stage (its number). */
  progress?(state: S): Omit<ChildProgress, 'workflowId' | 'status'>;
  historyLimit?: number;
  /**
   * What the process adds to each step once its stage and position have moved (the relationship's
   * health, an escalation closed with the wait), and its own indexing, done before the step is
   * written, in the order its recorded histories have it. Without it, the run indexes after a step
   * that changes the stage.
   */
  beforeRecord?(state: S, from: string, to: string, extra: StepInput<X>): StepInput<X>;
}

/** A state kept by the process itself (a workflow written as one closure), read and replaced through these. */
export interface StateAccess<S> {
  get(): S;
  set(state: S): void;
}

export const isoDate = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
export const nowIso = (): string => new Date(Date.now()).toISOString();

export class ProcessRun<S extends RunState, X extends object = object> implements ProcessClock {
  readonly workflowId = workflowInfo().workflowId;
  readonly lock = new StepLock();
  private changeCount = 0;
  /** The parent did not hear the last thing it was told: it has ended. */
  parentGone = false;
  private readonly access: StateAccess<S>;

  constructor(
    /** The state, or access to the one the process keeps itself. */
    state: S | StateAccess<S>,
    readonly shape: RunShape<S, X>,
  ) {
    if (isAccess(state)) {
      this.access = state;
    } else {
      let own = state;
      this.access = { get: () => own, set: (next) => void (own = next) };
    }
  }

  /** Replaced whole when a failed step is undone; always read through `run.state`. */
  get state(): S {
    return this.access.get();
  }

  set state(next: S) {
    this.access.set(next);
  }

  get stage(): string {
    return this.shape.stage(this.state);
  }

  changes(): number {
    return this.changeCount;
  }

  changed(): void {
    this.changeCount++;
  }

  mustContinueAsNew(): boolean {
    const info = workflowInfo();
    return info.continueAsNewSuggested || (this.shape.historyLimit !== undefined && info.historyLength >= this.shape.historyLimit);
  }

  /** A deep copy of the state, taken before a step; the state is plain JSON by construction. */
  save(): S {
    return JSON.parse(JSON.stringify(this.state)) as S;
  }

  /** Puts a saved state back (a step failed for good) and lets waiting clocks re-plan. */
  restore(saved: S): void {
    this.state = saved;
    this.changed();
  }

  owner(): Recipient {
    return { role: 'manager', staffId: this.shape.owner(this.state) };
  }

  toOwner(message: string, kind: NotificationSpec['kind'] = 'status'): NotificationSpec {
    return { kind, message, recipient: this.owner() };
  }

  task(kind: TaskSpec['kind'], title: string, assignee: Recipient): TaskSpec {
    return { kind, title, assignee };
  }

  /** Moves the process and writes the step in one activity; the parent hears of a new stage. */
  async record(step: string, to: string, extra: StepInput<X> = {} as StepInput<X>): Promise<void> {
    const from = this.stage;
    this.shape.setStage(this.state, to);
    this.changed();
    const { at, waitedMs } = advance(this.state, from, to);
    const ownRecord = this.shape.beforeRecord;
    const added = ownRecord ? { ...extra, ...ownRecord(this.state, from, to, extra) } : extra;
    await transactions.recordStep({
      workflowId: this.workflowId,
      process: { ...this.shape.ref(this.state), ...(this.state.parentWorkflowId ? { parentWorkflowId: this.state.parentWorkflowId } : {}) },
      seq: this.state.seq,
      step,
      // The first step starts the process: it came from nowhere.
      from: this.state.seq === 1 ? null : from,
      to,
      at: new Date(at).toISOString(),
      waitedMs,
      ...takenBy(),
      ...added,
    });
    if (to !== from) {
      if (!ownRecord) this.index();
      await this.tellParent();
    }
  }

  /** Ends the process: every open task is closed and the owner is told why. */
  closeAs(step: string, to: string, actor: RecordStepInput['actor'], reason: string, message: string): Promise<void> {
    return this.record(step, to, { actor, details: { reason }, closeTasks: 'all', notifications: [this.toOwner(message)] } as StepInput<X>);
  }

  /** The process's search attributes as it stands, so the Temporal UI filters like GET /api/processes. */
  index(): void {
    const { type } = this.shape.ref(this.state);
    upsertSearchAttributes(
      processSearchAttributes({
        type,
        stage: this.stage,
        managerId: this.shape.owner(this.state),
        clientCode: this.shape.clientCode?.(this.state),
      }),
    );
  }

  /** Tells the parent where this process stands; false when no parent listens any more. */
  async tellParent(extra: Partial<ChildProgress> = {}): Promise<boolean> {
    const parent = this.state.parentWorkflowId;
    if (parent === undefined) return false;
    const heard = await tellParent(parent, {
      workflowId: this.workflowId,
      status: this.stage,
      ...(this.shape.isFinal(this.stage) ? { final: true } : {}),
      ...this.shape.progress?.(this.state),
      ...extra,
    });
    this.parentGone = !heard;
    return heard;
  }
}

const isAccess = <S>(state: S | StateAccess<S>): state is StateAccess<S> =>
  typeof (state as StateAccess<S>).get === 'function' && typeof (state as StateAccess<S>).set === 'function';
