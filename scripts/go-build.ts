// Building Temporal's Go binaries (the CLI with its dev server; the real server and its SQL tool)
// from the Go module proxy, once, into a versioned cache outside the clone, so fresh clones and CI
// reuse them. One build at a time per cache folder, with progress while it runs (minutes, once).
import { execFile, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export type Log = (msg: string) => void;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `~/.cache/contract-engine/<name>`: versioned by its caller, so a version bump builds afresh. */
export function cacheDir(name: string): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'contract-engine', name);
}

/** Go's official tarball installs to /usr/local/go without touching PATH of non-login shells. */
export async function findGo(): Promise<string | undefined> {
  const candidates = [process.env.GO, 'go', '/usr/local/go/bin/go'].filter((c): c is string => !!c);
  for (const go of candidates) {
    if (
      await run(go, ['version'], { timeout: 20_000 }).then(
        () => true,
        () => false,
      )
    )
      return go;
  }
  return undefined;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One build at a time per cache folder: a second caller (another test run, `npm start`) waits for
 * the first instead of spending minutes on the same build. A lock left by a dead process is taken over.
 */
export async function withBuildLock<T>(dir: string, what: string, log: Log, fn: () => Promise<T>): Promise<T> {
  mkdirSync(dir, { recursive: true });
  const lock = path.join(dir, 'build.lock');
  const deadline = Date.now() + 45 * 60_000;
  let told = false;
  for (;;) {
    try {
      const fd = openSync(lock, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(readFileSync(lock, 'utf8').trim() || 'NaN');
      if (Number.isInteger(holder) && !pidAlive(holder)) {
        rmSync(lock, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`gave up waiting for the ${what} build holding ${lock}`, { cause: err });
      if (!told) log(`another process (pid ${holder}) is building ${what}; waiting for it…`);
      told = true;
      await sleep(2_000);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { force: true });
  }
}

export interface GoInstall {
  /** What is built, for messages: "the Temporal CLI v1.5.1". */
  what: string;
  /** `module/path/cmd@version` each. */
  packages: string[];
  /** Binary name as `go install` writes it → the name it gets in `dir`. */
  binaries: Record<string, string>;
  dir: string;
  log: Log;
}

const PROGRESS_EVERY_MS = 20_000;

/**
 * `go install` into a private folder, then each binary renamed into place, so no caller ever runs
 * half a binary. Says every 20 s how far it is: a first build downloads hundreds of modules.
 */
export async function goInstall(opts: GoInstall): Promise<void> {
  const go = await findGo();
  if (!go) {
    throw new Error(
      `${opts.what} is missing and Go is not installed to build it. Install Go ≥ 1.25 ` +
        '(https://go.dev/dl/, or `apt-get install golang-go` where it is new enough) and run again.',
    );
  }
  const staging = path.join(opts.dir, `build-${process.pid}-${Date.now()}`);
  mkdirSync(staging, { recursive: true });
  opts.log(`building ${opts.what} with ${go} (a few minutes, once; cached in ${opts.dir})…`);
  const started = Date.now();
  let downloaded = 0;
  let tail = '';
  const child = spawn(go, ['install', ...opts.packages], { env: { ...process.env, GOBIN: staging }, stdio: ['ignore', 'pipe', 'pipe'] });
  const keep = (chunk: Buffer) => {
    const text = chunk.toString();
    downloaded += text.match(/go: downloading /g)?.length ?? 0;
    tail = (tail + text).slice(-8000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const progress = setInterval(() => {
    const seconds = Math.round((Date.now() - started) / 1000);
    opts.log(`  still building ${opts.what}: ${seconds} s, ${downloaded} modules fetched${downloaded ? '' : ' (or cached)'}, compiling…`);
  }, PROGRESS_EVERY_MS);
  const killer = setTimeout(() => child.kill('SIGKILL'), 40 * 60_000);
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (exitCode) => resolve(exitCode));
    });
    // `go: downloading …` lines bury the cause; the end of the output holds it.
    if (code !== 0) throw new Error(`building ${opts.what} failed (exit ${code}): ${tail.slice(-4000)}`);
    for (const [built, name] of Object.entries(opts.binaries)) renameSync(path.join(staging, built), path.join(opts.dir, name));
  } finally {
    clearInterval(progress);
    clearTimeout(killer);
    rmSync(staging, { recursive: true, force: true });
  }
  opts.log(`built ${opts.what} in ${Math.round((Date.now() - started) / 1000)} s`);
}

/** Whether `binary args…` runs and exits 0 within 20 s. */
export async function runs(binary: string, args: string[]): Promise<boolean> {
  if (!existsSync(binary) && binary.includes('/')) return false;
  try {
    await run(binary, args, { timeout: 20_000 });
    return true;
  } catch {
    return false;
  }
}
