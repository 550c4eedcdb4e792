// The Temporal CLI (with its dev server): found, or built once from the Go module proxy into a
// cache outside the clone, so fresh clones (CI) reuse it. The SDK's own download needs internet.
import { execFile, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const CLI_VERSION = 'v1.5.1';
type Log = (msg: string) => void;

export function temporalCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'contract-engine', `temporal-cli-${CLI_VERSION}`);
}

async function works(binary: string): Promise<boolean> {
  try {
    await run(binary, ['--version'], { timeout: 20_000 });
    return true;
  } catch {
    return false;
  }
}

/** Builds into a private folder, then renames into place, so a concurrent caller never sees half a binary. */
async function build(target: string, log: Log): Promise<void> {
  const go = process.env.GO ?? 'go';
  const hasGo = await run(go, ['version']).then(() => true, () => false);
  if (!hasGo) {
    throw new Error(
      'The Temporal CLI is missing and Go is not installed to build it. Install Go ≥ 1.25 (https://go.dev/dl/), ' +
        'put a `temporal` binary on PATH, or set TEMPORAL_CLI to its path.',
    );
  }
  const staging = `${path.dirname(target)}/build-${process.pid}-${Date.now()}`;
  mkdirSync(staging, { recursive: true });
  log(`building the Temporal CLI ${CLI_VERSION} with Go (a few minutes, once)…`);
  try {
    await run(go, ['install', `github.com/temporalio/cli/cmd/temporal@${CLI_VERSION}`], {
      env: { ...process.env, GOBIN: staging, GOFLAGS: '-mod=mod' },
      timeout: 30 * 60_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    renameSync(path.join(staging, 'temporal'), target);
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`building the Temporal CLI failed: ${e.stderr || e.message}`);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** A path to a working `temporal` binary: TEMPORAL_CLI, the cached build, PATH, or a fresh build. */
export async function ensureTemporalCli(log: Log = () => undefined): Promise<string> {
  if (process.env.TEMPORAL_CLI) {
    if (await works(process.env.TEMPORAL_CLI)) return process.env.TEMPORAL_CLI;
    throw new Error(`TEMPORAL_CLI=${process.env.TEMPORAL_CLI} does not run`);
  }
  const cached = path.join(temporalCacheDir(), 'temporal');
  if (existsSync(cached) && (await works(cached))) return cached;
  if (await works('temporal')) return 'temporal';
  mkdirSync(temporalCacheDir(), { recursive: true });
  await build(cached, log);
  return cached;
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

export interface DevServer {
  address: string;
  uiUrl?: string;
  stop(): Promise<void>;
}

export interface DevServerOptions {
  cli: string;
  port?: number;
  uiPort?: number;
  /** SQLite file to keep state across restarts; in memory without it. */
  dbFile?: string;
  headless?: boolean;
  namespace?: string;
  /** Where the server's own output goes; a file next to dbFile, or discarded. */
  logFile?: string;
  log?: Log;
}

async function healthy(cli: string, address: string): Promise<boolean> {
  try {
    const { stdout } = await run(cli, ['operator', 'cluster', 'health', '--address', address], { timeout: 5_000 });
    return stdout.includes('SERVING');
  } catch {
    return false;
  }
}

export async function startTemporalDevServer(opts: DevServerOptions): Promise<DevServer> {
  const port = opts.port ?? (await freePort());
  const uiPort = opts.headless ? undefined : (opts.uiPort ?? (await freePort()));
  const address = `127.0.0.1:${port}`;
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--log-level', 'warn'];
  args.push('--namespace', opts.namespace ?? 'default');
  if (opts.dbFile) args.push('--db-filename', opts.dbFile, '--sqlite-pragma', 'journal_mode=WAL');
  if (uiPort) args.push('--ui-port', String(uiPort));
  else args.push('--headless');

  const logFile = opts.logFile ?? (opts.dbFile ? `${opts.dbFile}.log` : undefined);
  const child = spawn(opts.cli, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  const sink = logFile ? createWriteStream(logFile, { flags: 'a' }) : undefined;
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-4000);
    sink?.write(chunk);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let exited = false;
  child.once('exit', () => (exited = true));
  // Whatever ends this process (another library's exit hook may call process.exit), the server goes with it.
  const killOnExit = () => child.kill('SIGTERM');
  process.once('exit', killOnExit);

  const stop = async () => {
    process.off('exit', killOnExit);
    if (exited) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await gone;
    clearTimeout(timer);
    sink?.end();
  };

  opts.log?.(`starting the Temporal dev server on ${address}${opts.dbFile ? ` (state in ${opts.dbFile})` : ''}…`);
  const deadline = Date.now() + 60_000;
  while (!(await healthy(opts.cli, address))) {
    if (exited) throw new Error(`the Temporal dev server exited during start-up:\n${tail}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the Temporal dev server did not become healthy within 60 s:\n${tail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  return { address, uiUrl: uiPort ? `http://127.0.0.1:${uiPort}` : undefined, stop };
}
