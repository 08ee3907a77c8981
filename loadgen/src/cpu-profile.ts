import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import path from 'node:path';

/**
 * The parts of a V8 CPU profile (`node --cpu-prof`, the Chrome DevTools `Profiler.Profile`
 * type) that the breakdown reads: a call tree of nodes, and the sampled node ids with the
 * time before each sample, µs.
 */
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** Where a bundled frame came from: its original source path, or null when unknown. */
export type SourceResolver = (url: string, line: number, column: number) => string | null;

/** One row of a {@link profileBreakdown}. */
export interface ProfileShare {
  /** What the time was spent on, e.g. 'garbage collection'. */
  category: string;
  /** Self time of the category's frames, ms. */
  ms: number;
  /** Share of the busy (not idle) time, 0..1. */
  share: number;
}

/** The main thread's time by category (self time: a frame's own samples, not its callees'). */
export interface ProfileBreakdown {
  /** Profile length, ms. */
  wallMs: number;
  /** Time not idle, ms. */
  busyMs: number;
  /** Categories, most time first (idle excluded). */
  rows: ProfileShare[];
}

/** Native functions that are JSON work. */
const JSON_NATIVES = new Set(['parse', 'stringify', 'JSONParse', 'JSONStringify']);
/** Native functions that are socket or file system calls (libuv stream and fs bindings). */
const IO_NATIVES = new Set(['writev', 'writeBuffer', 'writeUtf8String', 'writeLatin1String', 'writeAsciiString', 'read', 'readv', 'open', 'close', 'fsync', 'fdatasync', 'writeString', 'shutdown', 'fstat', 'mkdir', 'rename', 'unlink']);

/** Native functions that load modules (start-up). */
const MODULE_NATIVES = new Set(['readFileUtf8', 'internalModuleReadJSON', 'internalModuleStat', 'dlopen', 'compileFunction', 'compileFunctionForCJSLoader']);

/** Where a file system call's time goes on the event-loop thread. */
export const FILE_SYSTEM_CALLS = 'file system calls (hand-off to the thread pool)';
/** Where a socket call's time goes on the event-loop thread. */
export const SOCKET_CALLS = 'socket writes and reads';

type CallFrame = CpuProfile['nodes'][number]['callFrame'];

/**
 * The category of one profile frame. Bundled frames (the server's `main.js`) go by the source
 * file `resolve` maps them to; package frames by their package; Node's own by `node:` URL.
 * A native I/O call (`writeBuffer` serves both) goes by its caller: Node's `fs` → file system,
 * else socket. On a server pinned to one core, a file system call's self time also holds the
 * moments the thread-pool thread it woke (to do the write and its sync) ran instead of the loop.
 */
export function frameCategory(frame: CallFrame, resolve: SourceResolver, caller?: CallFrame): string {
  const { functionName, url } = frame;
  if (functionName === '(idle)') return 'idle';
  if (functionName === '(garbage collector)') return 'garbage collection';
  if (functionName === '(program)' || functionName === '(root)') return 'V8 and native code outside JavaScript (program)';
  if (url === '') {
    if (JSON_NATIVES.has(functionName)) return 'JSON parse and stringify';
    if (IO_NATIVES.has(functionName)) return caller && /(^|\/)fs(\/|$)|node:fs/.test(caller.url) ? FILE_SYSTEM_CALLS : SOCKET_CALLS;
    if (MODULE_NATIVES.has(functionName)) return 'module loading';
    return 'other built-ins';
  }
  const pkg = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1];
  if (pkg === 'ws') return 'WebSocket framing (ws)';
  if (pkg === 'rxjs') return 'RxJS pipeline (rxjs)';
  if (pkg === 'zod') return 'message validation (zod)';
  if (pkg !== undefined && /libsql|kysely|pg|better-sqlite3/.test(pkg)) return 'database driver';
  if (pkg !== undefined) return 'other packages';
  if (url.startsWith('node:')) return 'Node core (streams, net, fs, timers, events)';
  const source = resolve(url, frame.lineNumber, frame.columnNumber);
  if (source === null) return 'server code (unmapped)';
  if (source.includes('libs/fmp4/')) return 'fMP4 parsing and writing (libs/fmp4)';
  if (source.includes('libs/protocol/')) return 'wire messages (libs/protocol)';
  if (source.includes('backend/src/recording/')) return 'recording writer (backend/src/recording)';
  if (source.includes('backend/src/relay/')) return 'relay and sessions (backend/src/relay)';
  if (source.includes('backend/src/gateways/')) return 'gateways (backend/src/gateways)';
  if (source.includes('backend/src/stats/') || source.includes('backend/src/metrics/')) return 'statistics and metrics';
  return 'server code, other';
}

/** Part of a profile, in the profile's own clock: CLOCK_MONOTONIC µs, as `process.hrtime` (Linux). */
export interface ProfileWindow {
  fromUs: number;
  toUs: number;
}

/** Now on the clock of V8 CPU profiles (`startTime`, `endTime`): CLOCK_MONOTONIC, µs. */
export function monotonicNowUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/**
 * Sums a CPU profile's self time by {@link frameCategory}; with `window`, only the samples
 * taken inside it (each sample counts the time since the one before it).
 * @throws Error when the profile's samples and time deltas do not pair up
 */
export function profileBreakdown(profile: CpuProfile, resolve: SourceResolver, window?: ProfileWindow): ProfileBreakdown {
  if (profile.samples.length !== profile.timeDeltas.length) {
    throw new Error(`CPU profile has ${profile.samples.length} samples but ${profile.timeDeltas.length} time deltas`);
  }
  const callerOf = new Map<number, CallFrame>();
  for (const node of profile.nodes) for (const child of node.children ?? []) callerOf.set(child, node.callFrame);
  const categoryOf = new Map<number, string>();
  for (const node of profile.nodes) categoryOf.set(node.id, frameCategory(node.callFrame, resolve, callerOf.get(node.id)));
  const totals = new Map<string, number>();
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = Math.max(0, profile.timeDeltas[i]!);
    at += delta;
    if (window && (at < window.fromUs || at > window.toUs)) continue;
    const category = categoryOf.get(profile.samples[i]!) ?? 'other built-ins';
    totals.set(category, (totals.get(category) ?? 0) + delta);
  }
  const idleUs = totals.get('idle') ?? 0;
  totals.delete('idle');
  const busyUs = [...totals.values()].reduce((a, b) => a + b, 0);
  const rows = [...totals.entries()]
    .map(([category, us]) => ({ category, ms: us / 1000, share: busyUs > 0 ? us / busyUs : 0 }))
    .sort((a, b) => b.ms - a.ms);
  return { wallMs: (busyUs + idleUs) / 1000, busyMs: busyUs / 1000, rows };
}

/**
 * A {@link SourceResolver} for one bundled script and its source map (`<script>.map`, as esbuild
 * writes it): frames of other URLs resolve to null. Line and column are 0-based, as in V8 profiles.
 * @throws when the map cannot be read or parsed
 */
export function bundleResolver(scriptPath: string): SourceResolver {
  const map = new SourceMap(JSON.parse(readFileSync(`${scriptPath}.map`, 'utf8')));
  const scriptUrl = `file://${path.resolve(scriptPath)}`;
  const cache = new Map<string, string | null>();
  return (url, line, column) => {
    if (url !== scriptUrl && url !== scriptPath) return null;
    const key = `${line}:${column}`;
    let source = cache.get(key);
    if (source === undefined) {
      const entry = map.findEntry(line, column) as { originalSource?: string };
      source = entry.originalSource ?? null;
      cache.set(key, source);
    }
    return source;
  };
}

/** Reads a `.cpuprofile` file. @throws when it is missing or not JSON */
export function readCpuProfile(file: string): CpuProfile {
  return JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
}
