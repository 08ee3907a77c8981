/**
 * Command line of `npm run loadgen` (pure: argv and environment in, options out).
 * Parsing by `node:util` parseArgs (no dependency).
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { FPS_MAX, FPS_MIN } from '@vigil/protocol';
import { frameIntervalMs } from './pacing';
import { checkSettle, parseRamp, rampDefaultDurationMs, type RampPlan } from './ramp';
import type { StopThresholds } from './stop-conditions';
import type { ViewMode, WatchMode } from './watch-plan';

/** Against which server. */
export type ServerTarget =
  | {
      kind: 'url';
      /** `http://host:port` (no trailing slash). */
      url: string;
      adminEmail: string;
      adminPassword: string;
    }
  | {
      kind: 'spawn';
      /** `taskset -c` list for the server process, e.g. `0`; null = not pinned. */
      serverCpus: string | null;
      /** Extra server environment (`--server-env KEY=VALUE`). */
      serverEnv: Record<string, string>;
      /** Server entry point; null = `dist/backend/main.js` of this workspace (built when missing). */
      serverMain: string | null;
      /** Extra Node.js options of the server process (`--server-node-arg`, e.g. `--cpu-prof`). */
      serverNodeArgs: string[];
    }
  | {
      /**
       * The floor peer instead of Vigil (`--spawn-bare`): loadgen/bench/bare-ingest.mjs, a bare
       * `ws` server that acks each media message after a synchronized write and does nothing else
       * (no proctors, no control API).
       */
      kind: 'bare';
      /** `taskset -c` list for its process; null = not pinned. */
      serverCpus: string | null;
    };

/** Where the replayed frames come from. */
export interface FragmentSourceOptions {
  /** The folder to read (`--fragments-dir`, or `<cacheDir>/fragments/<name>`). */
  dir: string;
  /** Generate the folder with ffmpeg when it is missing (only for the default generated name). */
  generateIfMissing: boolean;
  /** Size of generated frames, pixels. */
  width: number;
  height: number;
}

/** Everything a run needs. */
export interface LoadgenOptions {
  target: ServerTarget;
  /** Most Sentinels (the ramp's max with `--ramp`). */
  sentinels: number;
  ramp: RampPlan | null;
  /** Sentinels joining per second when the run or a ramp step adds them; null: all within one frame interval. */
  joinRate: number | null;
  /** Frame rate, frames per second (0.2..5). */
  fps: number;
  proctors: number;
  watch: WatchMode;
  /** How proctors subscribe: `tile` (a wall: the exam's rate) or `focus` (raises the stream to the server's focus rate). */
  view: ViewMode;
  /** How long Sentinels capture, ms (then the backlog drains). */
  durationMs: number;
  /** Longest wait for the last acks after capture stopped, ms. */
  drainTimeoutMs: number;
  thresholds: StopThresholds;
  /** Sliding window of the p99 stop conditions, seconds. */
  windowS: number;
  /** Seconds from the start in which the p99 stop conditions do not apply and latencies do not count as steady state. */
  warmupS: number;
  /**
   * With a ramp: seconds after a step's last Sentinel joined before the p99 stop conditions judge
   * that level (its windows restart empty then); null: one sliding window across the steps.
   */
  settleS: number | null;
  fragments: FragmentSourceOptions;
  /** Write the summary as JSON here; null = do not. */
  jsonPath: string | null;
  /** Keep the exams, seats and proctor accounts made on a `--url` server (default: deleted at the end). */
  keep: boolean;
  /** No progress lines (summary only). */
  quiet: boolean;
  /** `taskset -c` list for the load generator itself; null = not pinned. */
  loadgenCpus: string | null;
  /** Seats per exam (a server caps streams and connections per exam; default 1000, its default cap). */
  seatsPerExam: number;
}

/** A command line that cannot run: the message says what to change. */
export class UsageError extends Error {}

/** `--help`. */
export const USAGE = `npm run loadgen -- [options]

Synthetic Sentinels and proctors against a Vigil server: real WebSockets, the real protocol,
real H.264. Prints a progress line every second and a summary at the end.

Server (one of):
  --spawn                      start a fresh server (dist/backend/main.js, built if missing) in a temp data dir
    --server-cpus LIST         pin it with taskset -c LIST (e.g. 0)
    --server-env KEY=VALUE     extra server environment (repeatable), e.g. VIGIL_FSYNC=false
    --server-main PATH         another server build
    --server-node-arg=ARG      extra Node.js option of the server (repeatable; write it with =),
                               e.g. --server-node-arg=--cpu-prof --server-node-arg=--cpu-prof-dir=DIR
                               (the profile is written when the server exits at the end of the run)
  --spawn-bare                 instead of Vigil, the floor of ingest: a bare ws server that acks each media
                               message after a synchronized write (O_DSYNC) and does nothing else
                               (loadgen/bench/bare-ingest.mjs; with --proctors 0; --server-cpus pins it)
  --url http://host:port       an existing server; creates an exam, seats and proctor accounts
    --admin-email EMAIL        an admin account (required with --url)
    --admin-password PW        its password (or env VIGIL_LOADGEN_ADMIN_PASSWORD)
    --keep                     keep the exam(s), seats and proctor accounts afterwards

Load:
  --sentinels N                Sentinels (default 10)
  --fps F                      frames per second, ${FPS_MIN}..${FPS_MAX} (default 1)
  --proctors M                 proctors (default 2)
  --watch spread|one           spread streams over the proctors, or all watch one stream (default spread)
  --view tile|focus            subscribe as wall tiles (the exam's rate) or focused views (the server raises
                               the stream to VIGIL_FOCUS_FPS, 5 by default) (default tile)
  --duration S                 seconds of capture (default 60; with --ramp: until full + one step)
  --ramp START,STEP,EVERY,MAX  start with START Sentinels, add STEP every EVERY s up to MAX
  --join-rate R                Sentinels that join per second when the run or a ramp step adds them
                               (default: all within one frame interval)
  --seats-per-exam K           seats per exam (default 1000)

Stop conditions (0 disables one):
  --max-unacked-age S          a message unacknowledged this long counts as lost: stop (default 10)
  --max-ack-p99 MS             ack latency p99 over the window above this: stop (default 2000)
  --max-relay-p99 MS           relay latency p99 over the window above this: stop (default 2000)
  --window S                   the p99 window, seconds (default 10)
  --warmup S                   no p99 stops in the first S seconds; steady-state figures start after (default: --window)
  --settle S                   with --ramp: judge each level only from S s after its last Sentinel joined (the p99
                               windows restart empty then), so a level is judged on its steady state, not on its
                               joins (default: off, one sliding window across the steps)
  --drain-timeout S            wait this long for the last acks after capture stops (default 15)

Frames:
  --fragments NAME             ~/.cache/vigil/bench/fragments/NAME (default: sentinel-desktop-WxH-Ffps-webcodecs, recorded
                               from the real Sentinel by npm run bench:fragments, when there; else testsrc2-WxH-Ffps,
                               made with ffmpeg if missing)
  --fragments-dir DIR          read this folder instead (init.mp4 or *-init.mp4, then *.m4s in name order)
  --cache-dir DIR              instead of ~/.cache/vigil/bench
  --width W --height H         size of generated frames (default 1920x1080)

Output:
  --json FILE                  write the summary as JSON
  --quiet                      no progress lines
  --loadgen-cpus LIST          pin the load generator with taskset -c LIST
  --help`;

/**
 * Parses the command line (`process.argv.slice(2)`).
 * @param env environment (for VIGIL_LOADGEN_ADMIN_PASSWORD)
 * @param homeDir the user's home folder (for the default cache)
 * @param exists whether a folder exists (the default frames are the real Sentinel recording,
 *   {@link recordedFragmentsName}, when `npm run bench:fragments` made it; else the generated ones)
 * @returns the options, or 'help' for `--help`
 * @throws UsageError naming the option that is wrong
 */
export function parseCli(argv: string[], env: Record<string, string | undefined>, homeDir: string, exists: (dir: string) => boolean = () => false): LoadgenOptions | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        help: { type: 'boolean', short: 'h' },
        spawn: { type: 'boolean' },
        'spawn-bare': { type: 'boolean' },
        'server-cpus': { type: 'string' },
        'server-env': { type: 'string', multiple: true },
        'server-node-arg': { type: 'string', multiple: true },
        'server-main': { type: 'string' },
        url: { type: 'string' },
        'admin-email': { type: 'string' },
        'admin-password': { type: 'string' },
        keep: { type: 'boolean' },
        sentinels: { type: 'string' },
        fps: { type: 'string' },
        proctors: { type: 'string' },
        watch: { type: 'string' },
        view: { type: 'string' },
        warmup: { type: 'string' },
        settle: { type: 'string' },
        duration: { type: 'string' },
        ramp: { type: 'string' },
        'join-rate': { type: 'string' },
        'seats-per-exam': { type: 'string' },
        'max-unacked-age': { type: 'string' },
        'max-ack-p99': { type: 'string' },
        'max-relay-p99': { type: 'string' },
        window: { type: 'string' },
        'drain-timeout': { type: 'string' },
        fragments: { type: 'string' },
        'fragments-dir': { type: 'string' },
        'cache-dir': { type: 'string' },
        width: { type: 'string' },
        height: { type: 'string' },
        json: { type: 'string' },
        quiet: { type: 'boolean' },
        'loadgen-cpus': { type: 'string' },
      },
    }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (values.help) return 'help';

  const num = (name: string, text: string | undefined, fallback: number, check: (v: number) => boolean, rule: string): number => {
    if (text === undefined) return fallback;
    const v = Number(text);
    if (text.trim() === '' || !Number.isFinite(v) || !check(v)) throw new UsageError(`--${name} must be ${rule}, got "${text}"`);
    return v;
  };
  const whole = (v: number) => Number.isInteger(v);

  // server
  let target: ServerTarget;
  if ([values.spawn, values['spawn-bare'], values.url].filter(Boolean).length > 1) throw new UsageError('give one of --spawn, --spawn-bare and --url');
  if (values['spawn-bare']) {
    for (const name of ['server-env', 'server-main', 'server-node-arg'] as const) {
      if (values[name] !== undefined) throw new UsageError(`--${name} is for --spawn (the bare peer takes only --server-cpus)`);
    }
    target = { kind: 'bare', serverCpus: serverCpusOrUsage(values['server-cpus']) };
  } else if (values.spawn) {
    const serverEnv: Record<string, string> = {};
    for (const kv of values['server-env'] ?? []) {
      const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/s.exec(kv);
      if (!m) throw new UsageError(`--server-env must be KEY=VALUE, got "${kv}"`);
      serverEnv[m[1]!] = m[2]!;
    }
    const cpus = serverCpusOrUsage(values['server-cpus']);
    const serverNodeArgs = values['server-node-arg'] ?? [];
    for (const a of serverNodeArgs) if (!a.startsWith('--')) throw new UsageError(`--server-node-arg must be a Node.js option such as --cpu-prof, got "${a}"`);
    target = { kind: 'spawn', serverCpus: cpus, serverEnv, serverMain: values['server-main'] ?? null, serverNodeArgs };
  } else if (values.url) {
    let url: URL;
    try {
      url = new URL(values.url);
    } catch {
      throw new UsageError(`--url must be a URL like http://host:port, got "${values.url}"`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--url must be http:// or https://, got "${values.url}"`);
    const adminEmail = values['admin-email'];
    const adminPassword = values['admin-password'] ?? env['VIGIL_LOADGEN_ADMIN_PASSWORD'];
    if (!adminEmail) throw new UsageError('--url needs --admin-email (an admin makes the exam, seats and proctor accounts)');
    if (!adminPassword) throw new UsageError('--url needs --admin-password or the environment variable VIGIL_LOADGEN_ADMIN_PASSWORD');
    target = { kind: 'url', url: url.origin, adminEmail, adminPassword };
  } else {
    throw new UsageError('give --spawn (start a fresh server) or --url http://host:port (an existing one)');
  }

  // load
  const ramp = values.ramp === undefined ? null : parseRampOrUsage(values.ramp);
  if (ramp && values.sentinels !== undefined) throw new UsageError('--ramp sets the number of Sentinels: leave out --sentinels');
  const sentinels = ramp ? ramp.max : num('sentinels', values.sentinels, 10, (v) => whole(v) && v >= 1, 'a whole number >= 1');
  const fps = num('fps', values.fps, 1, (v) => v >= FPS_MIN && v <= FPS_MAX, `a number of frames per second in ${FPS_MIN}..${FPS_MAX}`);
  const proctors = num('proctors', values.proctors, 2, (v) => whole(v) && v >= 0, 'a whole number >= 0');
  if (target.kind === 'bare' && proctors > 0) throw new UsageError('--spawn-bare has no proctor side: give --proctors 0');
  const watch = values.watch ?? 'spread';
  if (watch !== 'spread' && watch !== 'one') throw new UsageError(`--watch must be spread or one, got "${watch}"`);
  const view = values.view ?? 'tile';
  if (view !== 'tile' && view !== 'focus') throw new UsageError(`--view must be tile or focus, got "${view}"`);
  const durationMs =
    values.duration !== undefined || !ramp ? num('duration', values.duration, 60, (v) => v > 0, 'a number of seconds > 0') * 1000 : rampDefaultDurationMs(ramp);
  const joinRate = values['join-rate'] === undefined ? null : num('join-rate', values['join-rate'], 0, (v) => v > 0, 'a number of Sentinels per second > 0');
  const seatsPerExam = num('seats-per-exam', values['seats-per-exam'], 1000, (v) => whole(v) && v >= 1, 'a whole number >= 1');

  // stop conditions
  const limit = (name: string, text: string | undefined, fallback: number, scale: number): number | null => {
    const v = num(name, text, fallback, (x) => x >= 0, 'a number >= 0 (0 disables it)');
    return v === 0 ? null : v * scale;
  };
  const thresholds: StopThresholds = {
    maxUnackedAgeMs: limit('max-unacked-age', values['max-unacked-age'], 10, 1000),
    maxAckP99Ms: limit('max-ack-p99', values['max-ack-p99'], 2000, 1),
    maxRelayP99Ms: limit('max-relay-p99', values['max-relay-p99'], 2000, 1),
    minSamples: 20,
  };
  const windowS = num('window', values.window, 10, (v) => whole(v) && v >= 1 && v <= 600, 'a whole number of seconds in 1..600');
  const warmupS = num('warmup', values.warmup, windowS, (v) => v >= 0, 'a number of seconds >= 0');
  const settleS = values.settle === undefined ? null : num('settle', values.settle, 0, (v) => v >= 0, 'a number of seconds >= 0');
  if (settleS !== null) {
    if (!ramp) throw new UsageError('--settle is for --ramp (it judges each ramp level once its Sentinels joined)');
    try {
      checkSettle(ramp, joinRate, frameIntervalMs(fps), settleS);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  const drainTimeoutMs = num('drain-timeout', values['drain-timeout'], 15, (v) => v >= 0, 'a number of seconds >= 0') * 1000;

  // frames
  const width = num('width', values.width, 1920, (v) => whole(v) && v >= 16 && v <= 4096 && v % 2 === 0, 'an even whole number of pixels in 16..4096');
  const height = num('height', values.height, 1080, (v) => whole(v) && v >= 16 && v <= 4096 && v % 2 === 0, 'an even whole number of pixels in 16..4096');
  if (values.fragments !== undefined && values['fragments-dir'] !== undefined) throw new UsageError('give --fragments NAME or --fragments-dir DIR, not both');
  if (values.fragments !== undefined && !/^[A-Za-z0-9._-]+$/.test(values.fragments)) throw new UsageError(`--fragments must be a folder name (A-Z a-z 0-9 . _ -), got "${values.fragments}"`);
  const cacheDir = values['cache-dir'] ?? path.join(homeDir, '.cache', 'vigil', 'bench');
  const generatedName = defaultFragmentsName(width, height, fps);
  const recorded = recordedFragmentsName(width, height, fps);
  const defaultName = exists(path.join(cacheDir, 'fragments', recorded)) ? recorded : generatedName;
  const fragments: FragmentSourceOptions = values['fragments-dir']
    ? { dir: path.resolve(values['fragments-dir']), generateIfMissing: false, width, height }
    : {
        dir: path.join(cacheDir, 'fragments', values.fragments ?? defaultName),
        generateIfMissing: (values.fragments ?? generatedName) === generatedName,
        width,
        height,
      };

  const loadgenCpus = values['loadgen-cpus'] ?? null;
  if (loadgenCpus !== null && !/^[0-9,-]+$/.test(loadgenCpus)) throw new UsageError(`--loadgen-cpus must be a CPU list like 1, got "${loadgenCpus}"`);
  if (values.keep && target.kind !== 'url') throw new UsageError('--keep is for --url (a spawned server is removed with its data folder)');

  return {
    target,
    sentinels,
    ramp,
    joinRate,
    fps,
    proctors,
    watch,
    view,
    durationMs,
    drainTimeoutMs,
    thresholds,
    windowS,
    warmupS,
    settleS,
    fragments,
    jsonPath: values.json ?? null,
    keep: values.keep ?? false,
    quiet: values.quiet ?? false,
    loadgenCpus,
    seatsPerExam,
  };
}

/** The `--server-cpus` list, or null when not given. @throws UsageError when it is not a CPU list */
function serverCpusOrUsage(cpus: string | undefined): string | null {
  if (cpus !== undefined && !/^[0-9,-]+$/.test(cpus)) throw new UsageError(`--server-cpus must be a CPU list like 0 or 0-1, got "${cpus}"`);
  return cpus ?? null;
}

/** Name of the generated frame folder for a size and frame rate, e.g. `testsrc2-1920x1080-1fps`. */
/**
 * Name of the real frames recorded from the Sentinel's WebCodecs encoder on the exam desktop by
 * `npm run bench:fragments` (e2e/bench/setup/record-fragments.ts), at 1 and 5 fps, 1920x1080.
 */
export function recordedFragmentsName(width: number, height: number, fps: number): string {
  return `sentinel-desktop-${width}x${height}-${String(fps).replace('.', 'p')}fps-webcodecs`;
}

/** Name of the frames made with ffmpeg's testsrc2 when nothing recorded is there. */
export function defaultFragmentsName(width: number, height: number, fps: number): string {
  return `testsrc2-${width}x${height}-${String(fps).replace('.', 'p')}fps`;
}

function parseRampOrUsage(text: string): RampPlan {
  try {
    return parseRamp(text);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}
