/**
 * Shared helpers of the load-generator benchmarks (`loadgen/bench/*.bench.ts`, run by
 * `npm run bench`): pinning, the frame cache, a spawned Vigil server with an exam, a seat and
 * a logged-in proctor, the bare `ws` peer server, and median (min–max) formatting.
 * They live beside the load generator because they reuse its code (spawn, control API, frames);
 * backend code may not import it (Nx module boundaries: loadgen is `scope:e2e`).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { ApiSession, createExam, createProctor, createSeats, login } from '../src/api';
import { defaultFragmentsName, recordedFragmentsName } from '../src/cli-options';
import { loadFrames } from '../src/frame-source';
import type { FrameSet } from '../src/frame-set';
import type { Seat } from '../src/sentinel';
import { gcOptionsWhenPinned, spawnServer, workspaceRoot, type SpawnedServer } from '../src/spawn-server';

/** Notes for people go to stderr; the markdown section goes to stdout. */
export const note = (line: string): void => void process.stderr.write(`${line}\n`);

/**
 * Pins this process (every thread) to the CPU list `cpus` with `taskset`.
 * @returns whether it worked (false on a machine without taskset or with fewer CPUs)
 */
export function pinSelf(cpus: string): boolean {
  try {
    execFileSync('taskset', ['-a', '-p', '-c', cpus, String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Whether the machine has at least two CPUs (server on core 0, clients on core 1). */
export function canPinApart(): boolean {
  return os.cpus().length >= 2;
}

/**
 * The 1080p frame loop for `fps`: the real Sentinel's frames of the exam desktop
 * (`~/.cache/vigil/bench/fragments/sentinel-desktop-1920x1080-<fps>fps-webcodecs`, recorded by
 * `npm run bench`'s setup step) when there, else the generated one (`testsrc2-…`, made once
 * with ffmpeg), as `npm run loadgen` does. `name` says which.
 */
export async function benchFrames(fps: number): Promise<FrameSet & { name: string }> {
  const cache = path.join(process.env['VIGIL_BENCH_CACHE'] ?? path.join(os.homedir(), '.cache', 'vigil', 'bench'), 'fragments');
  const recorded = recordedFragmentsName(1920, 1080, fps);
  const name = existsSync(path.join(cache, recorded)) ? recorded : defaultFragmentsName(1920, 1080, fps);
  return { ...(await loadFrames({ dir: path.join(cache, name), generateIfMissing: name !== recorded, width: 1920, height: 1080 }, fps, note)).set, name };
}

/** How a benchmark names the frames it replays (for its text), from the cache folder's name. */
export function framesText(name: string): string {
  return name.startsWith('sentinel-desktop-')
    ? `the real Sentinel's WebCodecs frames of the exam desktop, \`${name}\`, recorded by \`npm run bench:fragments\``
    : `the load generator's ffmpeg \`testsrc2\` loop, \`${name}\`, ~5× the bytes of a real exam desktop`;
}

/** Mean bitrate of a frame loop played at `fps`, bits per second (samples only, no box overhead). */
export function frameSetBitrateBps(frames: FrameSet, fps: number): number {
  const bytes = frames.frames.reduce((sum, f) => sum + f.sample.byteLength, 0);
  return (bytes / frames.frames.length) * fps * 8;
}

/** A spawned Vigil server with one admin session and exams to stream into. */
export interface VigilSetup {
  server: SpawnedServer;
  admin: ApiSession;
  /** Seats of the exams made by {@link addSeats}, in order. */
  seats: Seat[];
  examIds: string[];
}

const password = () => `bench-${randomBytes(12).toString('hex')}`;

/**
 * Spawns `dist/backend/main.js` (built when missing) pinned to `cpus`, logs the admin in.
 * @param env extra server environment (caps raised for the benchmark)
 * @param nodeArgs extra Node.js options of the server (e.g. `--cpu-prof`)
 */
export async function spawnVigil(cpus: string | null, env: Record<string, string>, nodeArgs: readonly string[] = []): Promise<VigilSetup> {
  // load shedding off: the benchmarks measure what the server does at the asked frame rates
  const server = await spawnServer({ env: { VIGIL_LOAD_SHEDDING: 'off', ...env }, cpus, main: null, log: note, nodeArgs });
  try {
    const admin = await login(server.baseUrl, server.adminEmail, server.adminOneTimePassword, { newPassword: password(), note });
    return { server, admin, seats: [], examIds: [] };
  } catch (e) {
    await server.stop();
    throw e;
  }
}

/**
 * Makes exams of at most 1000 seats (the server's default cap per exam) at `fps` with `count`
 * seats in all, appended to `setup.seats`.
 * @returns the new seats
 */
export async function addSeats(setup: VigilSetup, count: number, fps: number): Promise<Seat[]> {
  const made: Seat[] = [];
  const run = randomBytes(3).toString('hex');
  for (let k = 0; k * 1000 < count; k++) {
    const exam = await createExam(setup.admin, `bench ${run} ${k + 1}`, fps, Date.now() + 6 * 3600_000);
    setup.examIds.push(exam.id);
    const ids = Array.from({ length: Math.min(1000, count - k * 1000) }, (_, i) => `b${run}-${k * 1000 + i}`);
    const seats = new Map((await createSeats(setup.admin, exam.id, ids)).map((s) => [s.studentId, s]));
    for (const id of ids) made.push(seats.get(id)!);
  }
  setup.seats.push(...made);
  return made;
}

/** A proctor account assigned to every exam of `setup`, logged in. @returns its session cookie (`vigil_session=…`) */
export async function proctorCookie(setup: VigilSetup): Promise<string> {
  const email = `bench-${randomBytes(4).toString('hex')}@bench.example.org`;
  const made = await createProctor(setup.admin, email, setup.examIds);
  return (await login(setup.server.baseUrl, email, made.oneTimePassword, { newPassword: password(), note })).cookie;
}

/** The bare `ws` broadcast server (bare-broadcast.mjs) as a child process. */
export interface BareServer {
  /** `ws://127.0.0.1:port`. */
  wsUrl: string;
  pid: number;
  stop(): Promise<void>;
}

/** Starts `loadgen/bench/bare-broadcast.mjs` pinned to `cpus` (with the Vigil server's V8 collector options for that many CPUs) and waits for its port. */
export async function spawnBare(cpus: string | null): Promise<BareServer> {
  const script = path.join(workspaceRoot(), 'loadgen/bench/bare-broadcast.mjs');
  // the same V8 collector options as the Vigil server on that many CPUs (same conditions)
  const node = [process.execPath, ...gcOptionsWhenPinned(cpus), script, '0'];
  const [cmd, ...args] = cpus ? ['taskset', '-c', cpus, ...node] : node;
  const child: ChildProcess = spawn(cmd!, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d) => {
      out += String(d);
      const m = /listening (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`bare-broadcast.mjs exited with ${code}: ${out}`)));
    child.once('error', reject);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    wsUrl: `ws://127.0.0.1:${port}`,
    pid: child.pid ?? -1,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * CPU time of process `pid` so far, summed over its threads (`/proc/<pid>/task/<tid>/schedstat`,
 * nanosecond resolution where /proc/<pid>/stat counts 10 ms ticks), ns; null when it is gone or
 * not on Linux. Threads that ended before the call are not counted.
 */
export function cpuTimeNs(pid: number): number | null {
  try {
    let total = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        total += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // the thread ended meanwhile
      }
    }
    return total;
  } catch {
    return null;
  }
}

/** CPU time of a process's main thread (the event loop) and of all its threads together, ns. */
export interface ThreadCpu {
  main: number;
  all: number;
}

/** {@link ThreadCpu} of process `pid` so far (/proc schedstat); null when it is gone or not on Linux. */
export function threadCpuNs(pid: number): ThreadCpu | null {
  try {
    const main = Number(readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ')[0]);
    const all = cpuTimeNs(pid);
    return all === null ? null : { main, all };
  } catch {
    return null;
  }
}

/** Median, minimum and maximum of some numbers (median of an even count: the mean of the middle two). */
export interface Spread {
  median: number;
  min: number;
  max: number;
}

/** {@link Spread} of `values`; NaN fields for none. */
export function spread(values: readonly number[]): Spread {
  if (values.length === 0) return { median: NaN, min: NaN, max: NaN };
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return { median: s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2, min: s[0]!, max: s[s.length - 1]! };
}

/** A number with 3 significant digits (thousands separated from 1000 on). */
export function num(x: number): string {
  if (!Number.isFinite(x)) return '–';
  if (Math.abs(x) >= 1000) return Math.round(x).toLocaleString('en-US');
  return String(Number(x.toPrecision(3)));
}

/** `median (min–max)` of `values`, each through `f`. */
export function fmtSpread(values: readonly number[], f: (x: number) => string = num): string {
  const s = spread(values);
  return `${f(s.median)} (${f(s.min)}–${f(s.max)})`;
}

/** Resolves after `ms`. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
