/**
 * `--spawn` (I/O): the built server (`dist/backend/main.js`, built with `node backend/build.mjs`
 * when missing) as a child process on a free port with a temporary data folder and embedded
 * SQLite, optionally pinned with `taskset -c`, its first admin bootstrapped from
 * `VIGIL_ADMIN_EMAIL` (one-time password read from its log, then replaced). Also samples its
 * CPU time and memory from /proc (Linux). After e2e/support/server.ts.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';

/** A running spawned server. */
export interface SpawnedServer {
  baseUrl: string;
  dataDir: string;
  pid: number;
  adminEmail: string;
  /** The admin's one-time password (log in with a new password to replace it). */
  adminOneTimePassword: string;
  /** The server's output so far. */
  logs: string[];
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** SIGTERM, wait for the exit (SIGKILL after 10 s), remove the data folder. */
  stop(): Promise<void>;
}

/** CPU time and memory of a process, from /proc. */
export interface ProcessSample {
  /** User + system CPU time since it started, ms. */
  cpuMs: number;
  /** Resident memory, bytes. */
  rssBytes: number;
}

/** The workspace root: the nearest folder above `from` holding nx.json. @throws Error when there is none */
export function workspaceRoot(from = __dirname): string {
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'nx.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no nx.json above ${from}: run the load generator inside the Vigil workspace`);
  }
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/**
 * Builds the server bundle when `main` is missing (`node backend/build.mjs`).
 * @returns whether it built
 */
export function ensureServerBuilt(root: string, main: string, log: (line: string) => void): boolean {
  if (existsSync(main)) {
    const newer = newerSource(root, statSync(main).mtimeMs);
    if (newer) log(`note: ${newer} is newer than ${path.relative(root, main)}: this run measures the older build (rebuild: node backend/build.mjs)`);
    return false;
  }
  log(`building the server (${path.relative(root, main)} is missing): node backend/build.mjs …`);
  execFileSync(process.execPath, [path.join(root, 'backend/build.mjs')], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  return true;
}

/** The first TypeScript source of the server (backend/src, libs/<name>/src) changed after `mtimeMs`, relative to `root`; null when none is. */
export function newerSource(root: string, mtimeMs: number): string | null {
  const walk = (dir: string): string | null => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return null;
    }
    for (const e of entries) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) {
        const found = walk(full);
        if (found) return found;
      } else if (e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts') && statSync(full).mtimeMs > mtimeMs) {
        return path.relative(root, full);
      }
    }
    return null;
  };
  const libs = readdirSync(path.join(root, 'libs'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => path.join(root, 'libs', e.name, 'src'));
  for (const dir of [path.join(root, 'backend/src'), ...libs]) {
    const found = walk(dir);
    if (found) return found;
  }
  return null;
}

/** Highest CPU number a CPU list may name (Linux's own limit, CONFIG_NR_CPUS, is at most 8192). */
export const MAX_CPU_NUMBER = 8191;

/**
 * CPUs in a `taskset -c` list (`0`, `0,2`, `0-3`, `0-3,6`), each counted once.
 * @throws RangeError for anything else (an empty item, a range running backwards, a CPU
 *   number above {@link MAX_CPU_NUMBER})
 */
export function cpuListSize(list: string): number {
  const cpus = new Set<number>();
  for (const item of list.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(item.trim());
    if (!m) throw new RangeError(`not a CPU list: "${list}"`);
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (to > MAX_CPU_NUMBER) throw new RangeError(`not a CPU list: "${list}" (CPU numbers go up to ${MAX_CPU_NUMBER})`);
    if (to < from) throw new RangeError(`not a CPU list: "${list}" (${item} runs backwards)`);
    for (let cpu = from; cpu <= to; cpu++) cpus.add(cpu);
  }
  return cpus.size;
}

/**
 * The V8 collector options `npm start` gives the server on a machine of `cpus` CPUs (the rule
 * and its measurements: backend/src/gc-threads.ts): `--single-threaded-gc` on one CPU, so a
 * server pinned to one core is measured as a school's one-CPU server runs.
 */
export function serverGcOptions(cpus: number): string[] {
  return cpus <= 1 ? ['--single-threaded-gc'] : [];
}

/**
 * {@link serverGcOptions} for a process started under `taskset -c cpus` (null: not pinned, this
 * machine's CPUs).
 * @throws RangeError when `cpus` is not a CPU list
 */
export function gcOptionsWhenPinned(cpus: string | null): string[] {
  return serverGcOptions(cpus === null ? availableParallelism() : cpuListSize(cpus));
}

/**
 * Starts the server and waits until `/api/health` answers and its admin's one-time password is logged.
 * @param o.env extra server environment (wins over the defaults here)
 * @param o.cpus `taskset -c` list, or null
 * @param o.main entry point, or null for dist/backend/main.js (built when missing)
 * @param o.nodeArgs extra Node.js options before the entry point (e.g. `--cpu-prof`), default none
 * @throws Error with the server's output when it does not come up within 30 s
 */
export async function spawnServer(o: {
  env: Record<string, string>;
  cpus: string | null;
  main: string | null;
  log: (line: string) => void;
  nodeArgs?: readonly string[];
}): Promise<SpawnedServer> {
  const root = workspaceRoot();
  const main = o.main ? path.resolve(o.main) : path.join(root, 'dist/backend/main.js');
  if (!o.main) ensureServerBuilt(root, main, o.log);
  const port = await freePort();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'vigil-loadgen-'));
  const adminEmail = 'loadgen-admin@loadgen.example.org';
  // a fresh server: nothing of the caller's VIGIL_* or DATABASE_URL leaks in
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VIGIL_') && k !== 'DATABASE_URL'));
  const env = {
    ...inherited,
    VIGIL_PORT: String(port),
    VIGIL_HOST: '127.0.0.1',
    VIGIL_DATA_DIR: dataDir,
    VIGIL_WEB_DIR: path.join(root, 'dist'),
    VIGIL_ADMIN_EMAIL: adminEmail,
    // one login per synthetic proctor, all from this address
    VIGIL_LOGIN_RATE_LIMIT: '10000',
    ...o.env,
  };
  // as npm start (tools/start.mjs) would on a machine of that many CPUs; o.nodeArgs come later and win
  const node = [process.execPath, '--enable-source-maps', ...gcOptionsWhenPinned(o.cpus), ...(o.nodeArgs ?? []), main];
  const [cmd, ...args] = o.cpus ? ['taskset', '-c', o.cpus, ...node] : node;
  const started = startProcess(cmd!, args, { cwd: root, env }, dataDir);
  const { child, logs, exited, stop } = started;
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await untilReady(started, cmd!, 'server', 100, async () => {
      try {
        return (await fetch(`${baseUrl}/api/health`)).ok;
      } catch {
        return false; // not up yet
      }
    });
    const adminOneTimePassword = await oneTimePassword(logs, adminEmail, 10_000);
    return { baseUrl, dataDir, pid: child.pid ?? -1, adminEmail, adminOneTimePassword, logs, exited, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** A child process whose output is kept, and how to stop it. */
interface StartedProcess {
  child: ChildProcess;
  /** Its stdout and stderr so far. */
  logs: string[];
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** Resolves when the process could not be started at all. */
  spawnError: Promise<Error>;
  /** SIGTERM, wait for the exit (SIGKILL after 10 s), remove `dataDir`. */
  stop(): Promise<void>;
}

/** Starts `cmd` with its output kept; {@link StartedProcess.stop} also removes `dataDir`. */
function startProcess(cmd: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }, dataDir: string): StartedProcess {
  const logs: string[] = [];
  const child: ChildProcess = spawn(cmd, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (d) => logs.push(String(d)));
  child.stderr?.on('data', (d) => logs.push(String(d)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    }
    await rm(dataDir, { recursive: true, force: true });
  };
  return { child, logs, exited, spawnError, stop };
}

/**
 * Starts the floor peer of ingest, `loadgen/bench/bare-ingest.mjs` (a bare `ws` server that
 * answers `hello` with `welcome`, appends each media message to a file with a synchronized
 * write and acks it; nothing else), as {@link spawnServer} starts Vigil: pinned with `taskset -c
 * cpus`, with the V8 collector options of a server on that many CPUs, in a fresh data folder.
 * It has no control API, no proctor side and no `/metrics`: `adminEmail` and
 * `adminOneTimePassword` are empty.
 * @param o.fps the frame rate its `welcome` asks for, frames per second
 * @throws Error with its output when it does not listen within 30 s
 */
export async function spawnBareIngest(o: { cpus: string | null; fps: number }): Promise<SpawnedServer> {
  const root = workspaceRoot();
  const script = path.join(root, 'loadgen/bench/bare-ingest.mjs');
  const dataDir = await mkdtemp(path.join(tmpdir(), 'vigil-loadgen-bare-'));
  const node = [process.execPath, ...gcOptionsWhenPinned(o.cpus), script, dataDir, String(o.fps)];
  const [cmd, ...args] = o.cpus ? ['taskset', '-c', o.cpus, ...node] : node;
  const started = startProcess(cmd!, args, { cwd: root, env: process.env }, dataDir);
  const { child, logs, exited, stop } = started;
  try {
    let port: string | undefined;
    await untilReady(started, cmd!, 'bare-ingest.mjs', 50, () => (port = /listening (\d+)/.exec(logs.join(''))?.[1]) !== undefined);
    return { baseUrl: `http://127.0.0.1:${port}`, dataDir, pid: child.pid ?? -1, adminEmail: '', adminOneTimePassword: '', logs, exited, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/**
 * Polls `ready` every `pollMs` until it answers true.
 * @throws Error with the process's output when it could not start, exited, or was not ready within 30 s
 */
async function untilReady(p: StartedProcess, cmd: string, name: string, pollMs: number, ready: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 30_000;
  let failure: Error | null = null;
  void p.spawnError.then((e) => (failure = e));
  for (;;) {
    if (failure) throw new Error(`could not start ${cmd}: ${(failure as Error).message}`);
    if (p.child.exitCode !== null) throw new Error(`${name} exited with ${p.child.exitCode}:\n${p.logs.join('')}`);
    if (await ready()) return;
    if (Date.now() > deadline) throw new Error(`${name} did not start within 30 s:\n${p.logs.join('')}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** The one-time password the server printed for `email`. @throws Error when it does not appear within `timeoutMs` */
async function oneTimePassword(logs: string[], email: string, timeoutMs: number): Promise<string> {
  const pattern = new RegExp(`one-time password for ${email.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: ([A-Za-z0-9]{20})`); // 20 characters (auth/secrets.ts); colour codes may follow
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = pattern.exec(logs.join(''));
    if (match) return match[1]!;
    if (Date.now() > deadline) throw new Error(`no one-time password for ${email} in the server log:\n${logs.join('')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Clock ticks per second of /proc/<pid>/stat times (`getconf CLK_TCK`, usually 100). */
let clockTicks: number | null = null;

/** CPU time and resident memory of process `pid` (Linux /proc); null elsewhere or when it is gone. */
export function sampleProcess(pid: number): ProcessSample | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // fields after the command name (which may hold spaces) start at ")"
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return { cpuMs: ((utime + stime) * 1000) / clockTicks, rssBytes: rssKb * 1024 };
  } catch {
    return null;
  }
}
