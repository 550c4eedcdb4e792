// Keeps something `npm start` started running: when it exits without being asked to, it is started
// again the same way (same ports, same data files) after a growing pause, a few times; when it cannot
// be brought back, the supervisor gives up and says why.
type Log = (msg: string) => void;

/** How a supervised thing ended; `expected` when its own stop() asked for it. */
export interface Exit {
  expected: boolean;
  code?: number | null;
  signal?: NodeJS.Signals | null;
  error?: unknown;
}

export interface Supervised {
  pid?: number;
  /** Settles when it has ended, whatever the reason. */
  exited: Promise<Exit>;
  stop(): Promise<void>;
}

export interface SupervisorOptions<T extends Supervised> {
  /** For messages: "the Temporal dev server". */
  name: string;
  /** Starts it, the same way every time. */
  start(): Promise<T>;
  log: Log;
  /** Pauses before each attempt to bring it back; their number is the number of attempts. */
  backoffMs?: number[];
  /** After running this long, a new failure starts the attempts afresh. */
  stableAfterMs?: number;
  /** Told every time it is (re)started, with what runs now. */
  onStarted?(current: T): void;
  /** Told when it could not be brought back; nothing runs any more. */
  onGiveUp(reason: string): void;
}

export const DEFAULT_BACKOFF_MS = [500, 1_000, 2_000, 4_000, 8_000];

export function describeExit(exit: Exit): string {
  if (exit.error) return `failed: ${firstLine(exit.error)}`;
  if (exit.signal) return `killed by ${exit.signal}`;
  return `exit code ${exit.code ?? 'unknown'}`;
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n').find((line) => line.trim()) ?? text;
}

export class Supervisor<T extends Supervised> {
  private current: T | undefined;
  private stopping = false;
  private recovering: Promise<void> | undefined;
  private startedAt = 0;
  private failures = 0;
  private readonly stopped = new AbortController();

  private constructor(private readonly opts: SupervisorOptions<T>) {}

  /** Starts it once (a failure here is the caller's to report) and watches it from then on. */
  static async start<T extends Supervised>(opts: SupervisorOptions<T>): Promise<Supervisor<T>> {
    const supervisor = new Supervisor(opts);
    supervisor.adopt(await opts.start());
    return supervisor;
  }

  /** What runs now; undefined while it is being brought back or after giving up. */
  get running(): T | undefined {
    return this.current;
  }

  private adopt(server: T): void {
    this.current = server;
    this.startedAt = Date.now();
    this.opts.onStarted?.(server);
    void server.exited.then((exit) => {
      if (exit.expected || this.stopping || this.current !== server) return;
      this.current = undefined;
      this.recovering = this.recover(exit);
    });
  }

  private async recover(exit: Exit): Promise<void> {
    const { name, log } = this.opts;
    const backoff = this.opts.backoffMs ?? DEFAULT_BACKOFF_MS;
    if (Date.now() - this.startedAt >= (this.opts.stableAfterMs ?? 60_000)) this.failures = 0;
    log(`${name} stopped unexpectedly (${describeExit(exit)}); starting it again…`);
    let last = describeExit(exit);
    while (this.failures < backoff.length) {
      await this.pause(backoff[this.failures++]!);
      if (this.stopping) return;
      try {
        const server = await this.opts.start();
        if (this.stopping) {
          await server.stop();
          return;
        }
        log(`${name} is running again${server.pid ? ` (pid ${server.pid})` : ''}`);
        this.adopt(server);
        return;
      } catch (err) {
        last = firstLine(err);
        log(`${name} did not start again (attempt ${this.failures} of ${backoff.length}): ${last}`);
      }
    }
    if (!this.stopping) this.opts.onGiveUp(`${name} could not be started again after ${backoff.length} attempts (last: ${last})`);
  }

  /** A pause that stop() cuts short. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.stopped.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** From now on an exit is not met with a restart (shutdown has begun); what runs keeps running. */
  freeze(): void {
    this.stopping = true;
    this.stopped.abort();
  }

  /** Stops it, and any attempt to bring it back; never throws. */
  async stop(): Promise<void> {
    this.freeze();
    await this.recovering?.catch(() => undefined);
    const server = this.current;
    this.current = undefined;
    await server?.stop().catch((err: unknown) => this.opts.log(`stopping ${this.opts.name}: ${firstLine(err)}`));
  }
}
