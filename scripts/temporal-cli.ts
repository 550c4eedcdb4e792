// The Temporal CLI (with its dev server): found, or built once from the Go module proxy into a
// cache outside the clone, so fresh clones (CI) reuse it. The SDK's own download needs internet.
import { execFile, spawn } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { cacheDir, goInstall, runs, withBuildLock, type Log } from './go-build';

const run = promisify(execFile);
const CLI_VERSION = 'v1.5.1';
const CLI_PACKAGE = 'github.com/temporalio/cli/cmd/temporal';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `~/.cache/contract-engine/temporal-cli-v1.5.1`: versioned, so a version bump builds afresh. */
export function temporalCacheDir(): string {
  return cacheDir(`temporal-cli-${CLI_VERSION}`);
}

const works = (binary: string) => runs(binary, ['--version']);

/** An absolute path, so callers and error messages do not depend on PATH staying the same. */
async function onPath(name: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, name);
    if (existsSync(candidate) && (await works(candidate))) return candidate;
  }
  return undefined;
}

/** A path to a working `temporal` binary: TEMPORAL_CLI, the cached build, PATH, or a fresh build. */
export async function ensureTemporalCli(log: Log = () => undefined): Promise<string> {
  const fromEnv = process.env.TEMPORAL_CLI;
  if (fromEnv) {
    if (await works(fromEnv)) return fromEnv;
    throw new Error(`TEMPORAL_CLI=${fromEnv} does not run (\`${fromEnv} --version\` failed)`);
  }
  const dir = temporalCacheDir();
  const cached = path.join(dir, 'temporal');
  if (existsSync(cached) && (await works(cached))) return cached;
  const found = await onPath('temporal');
  if (found) return found;
  const what = `the Temporal CLI ${CLI_VERSION}`;
  return withBuildLock(dir, what, log, async () => {
    // Whoever held the lock before us may have built it already.
    if (!(existsSync(cached) && (await works(cached)))) {
      await goInstall({ what, packages: [`${CLI_PACKAGE}@${CLI_VERSION}`], binaries: { temporal: 'temporal' }, dir, log }).catch(
        (err: Error) => {
          throw new Error(`${err.message}\nOr put a \`temporal\` binary on PATH, or set TEMPORAL_CLI to the path of one.`, { cause: err });
        },
      );
    }
    return cached;
  });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** How a server process ended; `expected` when stop() asked for it. */
export interface ServerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  expected: boolean;
}

export interface DevServer {
  /** host:port of the frontend, for `Connection.connect({ address })`. */
  address: string;
  uiUrl?: string;
  /** The server process's id. */
  pid: number;
  /** Settles when the server process has exited, whatever the reason (stop() included). */
  exited: Promise<ServerExit>;
  /** Stops the server (SIGTERM, SIGKILL after a grace period); resolves at once when it already exited. */
  stop(): Promise<void>;
}

export interface DevServerOptions {
  cli: string;
  port?: number;
  uiPort?: number;
  /** SQLite file to keep state across restarts; in memory without it. */
  dbFile?: string;
  headless?: boolean;
  /** Created besides `default`, which the dev server always has. */
  namespace?: string;
  /** Where the server's own output goes; defaults to `${dbFile}.log`, else to `log`. */
  logFile?: string;
  log?: Log;
}

/**
 * Every human step reaches a contract as a workflow update. Server 1.29 enables these by default;
 * saying so keeps an older `temporal` found on PATH from failing in confusing ways.
 */
const DYNAMIC_CONFIG: Record<string, unknown> = {
  'frontend.enableUpdateWorkflowExecution': true,
  'frontend.enableUpdateWorkflowExecutionAsyncAccepted': true,
  'frontend.enableExecuteMultiOperation': true,
};

const START_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 10_000;

/** Whether the frontend at `address` says SERVING (`temporal operator cluster health`). */
export async function healthy(cli: string, address: string): Promise<boolean> {
  try {
    const { stdout } = await run(cli, ['operator', 'cluster', 'health', '--address', address], { timeout: 5_000 });
    return stdout.includes('SERVING');
  } catch {
    return false;
  }
}

function devServerArgs(opts: DevServerOptions, port: number, uiPort: number | undefined): string[] {
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--log-level', 'warn'];
  if (opts.namespace && opts.namespace !== 'default') args.push('--namespace', opts.namespace);
  if (opts.dbFile) args.push('--db-filename', opts.dbFile, '--sqlite-pragma', 'journal_mode=WAL');
  if (uiPort) args.push('--ui-port', String(uiPort));
  else args.push('--headless');
  for (const [key, value] of Object.entries(DYNAMIC_CONFIG)) args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);
  return args;
}

class StartFailure extends Error {
  constructor(
    message: string,
    readonly portTaken: boolean,
  ) {
    super(message);
  }
}

async function startOnce(opts: DevServerOptions, port: number, uiPort: number | undefined): Promise<DevServer> {
  const address = `127.0.0.1:${port}`;
  const logFile = opts.logFile ?? (opts.dbFile ? `${opts.dbFile}.log` : undefined);
  const sink = logFile ? createWriteStream(logFile, { flags: 'a' }) : undefined;
  // Its own process group: a Ctrl+C in the terminal reaches only the parent, which stops things in
  // order (API, worker, then the servers) instead of the server dying under a running worker.
  const child = spawn(opts.cli, devServerArgs(opts, port, uiPort), { stdio: ['ignore', 'pipe', 'pipe'], detached: true });

  // The last few KB are kept for error messages whatever else happens to the output.
  let tail = '';
  let stopping = false;
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-4000);
    if (sink) sink.write(chunk);
    // Shutdown chatter (pollers losing their connection) is expected and not worth showing.
    else if (opts.log && !stopping) for (const line of chunk.toString().split('\n')) if (line.trim()) opts.log(`temporal: ${line}`);
  };
  // The CLI prints its banner only once its own server is up. Health alone could be answered by
  // another server already holding the port, while this one is failing to bind.
  let bannerSeen = false;
  let stdout = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    if (!bannerSeen) bannerSeen = new RegExp(`Server:\\s+\\S+:${port}\\b`).test((stdout += chunk.toString()));
    keep(chunk);
  });
  child.stderr!.on('data', keep);
  // Whatever ends this process (another library's exit hook may call process.exit), the server goes with it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  let exited = false;
  const gone = new Promise<ServerExit>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = true;
      process.off('exit', killOnExit);
      sink?.end();
      resolve({ code, signal, expected: stopping });
    }),
  );
  let spawnError: Error | undefined;
  child.once('error', (err) => (spawnError = err));

  const stop = async () => {
    process.off('exit', killOnExit);
    stopping = true;
    if (exited || spawnError) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await gone;
    clearTimeout(timer);
  };

  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(bannerSeen && !exited && (await healthy(opts.cli, address)))) {
    if (spawnError) {
      // Never started, so there is no exit to wait for.
      process.off('exit', killOnExit);
      sink?.end();
      throw new Error(`could not run ${opts.cli}: ${spawnError.message}`);
    }
    if (exited) {
      process.off('exit', killOnExit);
      const cause = tail
        .split('\n')
        .reverse()
        .find((line) => /error|fatal|fail|in use/i.test(line))
        ?.trim();
      throw new StartFailure(
        `the Temporal dev server exited during start-up${cause ? `: ${cause.slice(0, 300)}` : ''}\n${tail}`,
        /address already in use|port .* (not free|in use)/i.test(tail),
      );
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the Temporal dev server did not become healthy within ${START_TIMEOUT_MS / 1000} s:\n${tail}`);
    }
    await sleep(300);
  }
  return { address, uiUrl: uiPort ? `http://127.0.0.1:${uiPort}` : undefined, pid: child.pid!, exited: gone, stop };
}

/**
 * `temporal server start-dev` on 127.0.0.1, resolved once the frontend reports SERVING. Ports not
 * given are picked free; if another process grabs one between picking and binding, it tries again.
 */
export async function startTemporalDevServer(opts: DevServerOptions): Promise<DevServer> {
  const attempts = opts.port === undefined || (!opts.headless && opts.uiPort === undefined) ? 3 : 1;
  for (let attempt = 1; ; attempt++) {
    const port = opts.port ?? (await freePort());
    const uiPort = opts.headless ? undefined : (opts.uiPort ?? (await freePort()));
    opts.log?.(`starting the Temporal dev server on 127.0.0.1:${port}${opts.dbFile ? ` (state in ${opts.dbFile})` : ' (in memory)'}…`);
    try {
      return await startOnce(opts, port, uiPort);
    } catch (err) {
      if (!(err instanceof StartFailure && err.portTaken && attempt < attempts)) throw err;
    }
  }
}
