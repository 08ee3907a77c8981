/**
 * What a run prints (pure): the progress line once a second and the summary at the end
 * (text for people; the same object is written as JSON with `--json`).
 * Units: times in ms unless the name says `S`, sizes in bytes, rates per second.
 */
import type { CodeCounts } from './metrics';
import type { LatencySummary } from './stats';
import { generatorBusyNote, type StopReason } from './stop-conditions';

/** One progress line's figures (rates and latencies over the last second). */
export interface ProgressSnapshot {
  elapsedS: number;
  sentinelsTarget: number;
  sentinelsRunning: number;
  sentinelsConnected: number;
  /** Fragments sent for the first time in the last second. */
  fragmentsPerS: number;
  /** Media upload in the last second, Mbit/s (headers included, resends too). */
  uploadMbitPerS: number;
  /** Messages sent or made and not acknowledged yet. */
  acksPending: number;
  ack: { p50: number | null; p99: number | null };
  relay: { p50: number | null; p99: number | null };
  /** Live fragments the proctors received in the last second. */
  relayPerS: number;
  proctors: number;
  proctorsConnected: number;
  skippedSequences: number;
  errors: number;
  /** Event-loop delay p99 of the load generator in the last second, ms (high: it is the bottleneck). */
  loopDelayP99Ms: number;
  /** Server CPU in the last second, percent of one core (spawned servers only). */
  serverCpuPercent: number | null;
  serverRssBytes: number | null;
}

/** The end-of-run report (`--json` writes it as is). */
export interface LoadgenSummary {
  /** Format version of this object. */
  version: 1;
  startedAt: string;
  /** Seconds Sentinels captured (until the duration, a stop condition or Ctrl+C). */
  captureS: number;
  /** pass: no stop condition, every message acknowledged, no errors. */
  result: 'pass' | 'fail';
  /** Why it is a fail, one line each. */
  problems: string[];
  /**
   * The stop, with the highest per-second p99 of the load generator's own event-loop delay
   * over the window it was judged on (`generatorLoopP99Ms`, ms; null when not measured; the
   * text report says what it means from `GENERATOR_BUSY_LOOP_MS` in stop-conditions.ts on).
   */
  stop: (StopReason & { atS: number; sentinels: number; generatorLoopP99Ms?: number | null }) | null;
  config: {
    server: 'spawn' | 'bare' | 'url';
    url: string;
    serverCpus: string | null;
    sentinels: number;
    fps: number;
    proctors: number;
    watch: string;
    view: string;
    durationS: number;
    ramp: { start: number; step: number; everyS: number; max: number } | null;
    maxUnackedAgeMs: number | null;
    maxAckP99Ms: number | null;
    maxRelayP99Ms: number | null;
    windowS: number;
    warmupS: number;
    /** With a ramp: each level judged from this many seconds after its last join; null: one sliding window. */
    settleS: number | null;
  };
  frames: {
    dir: string;
    generated: boolean;
    width: number;
    height: number;
    codec: string;
    frames: number;
    syncFrames: number;
    meanFrameBytes: number;
    meanSyncFrameBytes: number;
    meanOtherFrameBytes: number;
  };
  sentinels: {
    started: number;
    peakConnected: number;
    connectedAtEnd: number;
    welcomes: number;
    reconnects: number;
    framesProduced: number;
    framesMissed: number;
    messagesSent: number;
    bytesSent: number;
    resends: number;
    acked: number;
    /** Made or sent and never acknowledged (after the drain): lost. */
    unackedAtEnd: number;
    keyframeRequests: number;
    setFps: number;
    droppedOnReset: number;
    errors: CodeCounts;
  };
  /** Send → ack, ms: the whole run. */
  ackLatencyMs: LatencySummary;
  /** The same after the warm-up. */
  ackLatencySteadyMs: LatencySummary;
  /** Send → ack of the messages that open a stream (init segment and first fragment), ms: the whole run. */
  ackLatencyJoinMs: LatencySummary;
  /** Send → ack of every other message, ms: the whole run. */
  ackLatencyAfterJoinMs: LatencySummary;
  /** Send → ack after the warm-up of the fragments that carry an IDR (a new segment file on the server), ms. */
  ackLatencySteadyKeyframeMs: LatencySummary;
  /** Send → ack after the warm-up of every other message (appends), ms. */
  ackLatencySteadyOtherMs: LatencySummary;
  /**
   * The same acks as the server saw them after the warm-up: receive → ack sent, from its
   * `vigil_fragment_ack_seconds` histogram (quantiles interpolated within its buckets, ms;
   * `within50Ms` the share at or below 50 ms). Null when its /metrics could not be read.
   */
  serverAckSteadyMs: { count: number; p50: number | null; p99: number | null; within50Ms: number | null } | null;
  proctors: {
    count: number;
    connectedAtEnd: number;
    streamsWatched: number;
    connects: number;
    reconnects: number;
    subscriptions: number;
    fragments: number;
    liveFragments: number;
    initSegments: number;
    bytes: number;
    skippedSequences: number;
    outOfOrder: number;
    tooSlow: number;
    errors: CodeCounts;
  };
  /** Capture (prft) → proctor receive, live fragments, ms: the whole run. */
  relayLatencyMs: LatencySummary;
  /** The same after the warm-up. */
  relayLatencySteadyMs: LatencySummary;
  rates: {
    /** Fragments sent per second of capture. */
    fragmentsPerS: number;
    uploadMbitPerS: number;
    /** Live fragments received by proctors per second of capture. */
    deliveredPerS: number;
    downloadMbitPerS: number;
  };
  server: { pid: number; cpuPercent: number | null; peakCpuPercent: number | null; peakRssBytes: number | null } | null;
  loadgen: { cpuPercent: number; eventLoopDelayMs: { p50: number; p99: number; max: number } };
  ramp: { reachedSentinels: number; lastStableSentinels: number } | null;
}

/** One line, e.g. `[ 12s] sentinels 200/200 up 200 | frag/s 200 …`. */
export function formatProgress(s: ProgressSnapshot): string {
  const parts = [
    `[${String(Math.round(s.elapsedS)).padStart(4)}s] sentinels ${s.sentinelsConnected}/${s.sentinelsRunning}${s.sentinelsTarget !== s.sentinelsRunning ? `→${s.sentinelsTarget}` : ''} up`,
    `frag/s ${s.fragmentsPerS} (${s.uploadMbitPerS.toFixed(1)} Mbit/s)`,
    `acks pending ${s.acksPending}`,
    `ack p50/p99 ${ms(s.ack.p50)}/${ms(s.ack.p99)} ms`,
    `relay ${s.relayPerS}/s p50/p99 ${ms(s.relay.p50)}/${ms(s.relay.p99)} ms`,
    `proctors ${s.proctorsConnected}/${s.proctors} skipped ${s.skippedSequences}`,
    `errors ${s.errors}`,
    `loop p99 ${Math.round(s.loopDelayP99Ms)} ms`,
  ];
  if (s.serverCpuPercent !== null) parts.push(`server ${Math.round(s.serverCpuPercent)}% cpu ${mb(s.serverRssBytes)}`);
  return parts.join(' | ');
}

/** The summary as text for a terminal. */
export function formatSummary(r: LoadgenSummary): string {
  const c = r.config;
  const lines = [
    '',
    `Vigil load generator: ${r.result.toUpperCase()}${r.problems.length ? ` (${r.problems.join('; ')})` : ''}`,
    `  server        ${c.server === 'url' ? c.url : `${c.server === 'bare' ? 'the bare ingest peer (no Vigil), ' : ''}spawned ${c.url}${c.serverCpus !== null ? `, taskset -c ${c.serverCpus}` : ''}`}`,
    `  load          ${c.ramp ? `ramp ${c.ramp.start}+${c.ramp.step} every ${c.ramp.everyS} s to ${c.ramp.max}` : `${c.sentinels}`} Sentinels at ${c.fps} fps, ${c.proctors} proctors (${c.watch}, ${c.view}), ${r.captureS.toFixed(1)} s of capture (warm-up ${c.warmupS} s${c.settleS === null ? '' : `; each ramp level judged from ${c.settleS} s after its last Sentinel joined`})`,
    `  frames        ${r.frames.width}x${r.frames.height} ${r.frames.codec}, ${r.frames.frames} frames (${r.frames.syncFrames} IDR), mean ${kb(r.frames.meanFrameBytes)} (IDR ${kb(r.frames.meanSyncFrameBytes)}, other ${kb(r.frames.meanOtherFrameBytes)}) from ${r.frames.dir}${r.frames.generated ? ' (generated now)' : ''}`,
  ];
  if (r.stop) {
    const busy = generatorBusyNote(r.stop, r.stop.generatorLoopP99Ms ?? null);
    lines.push(`  stopped       at ${r.stop.atS.toFixed(0)} s with ${r.stop.sentinels} Sentinels: ${r.stop.message}${busy ? `; ${busy}` : ''}`);
  }
  if (r.ramp) lines.push(`  ramp          reached ${r.ramp.reachedSentinels} Sentinels; last level that held a whole step: ${r.ramp.lastStableSentinels}`);
  const s = r.sentinels;
  lines.push(
    `  sentinels     ${s.started} started, ${s.peakConnected} connected at peak, ${s.connectedAtEnd} at the end; ${s.welcomes} welcomes, ${s.reconnects} reconnects`,
    `  uploaded      ${s.messagesSent} messages (${s.framesProduced} frames made, ${s.framesMissed} dropped by a late load generator), ${mb(s.bytesSent)}, ${s.resends} resent; ${r.rates.fragmentsPerS.toFixed(1)} fragments/s, ${r.rates.uploadMbitPerS.toFixed(1)} Mbit/s`,
    `  acked         ${s.acked} messages; ${s.unackedAtEnd} never acknowledged; ${s.keyframeRequests} keyframe requests, ${s.setFps} set-fps`,
    `  ack latency   ${latency(r.ackLatencyMs)}`,
    `   after warm-up ${latency(r.ackLatencySteadyMs)}`,
    `     of IDR fragments (each opens a segment file) ${latency(r.ackLatencySteadyKeyframeMs)}`,
    `     of the others (appends) ${latency(r.ackLatencySteadyOtherMs)}`,
    `     at the server (receive → ack sent, its /metrics buckets) ${serverAcks(r.serverAckSteadyMs, r.config.server)}`,
    `   of a stream's first two messages (init, first fragment) ${latency(r.ackLatencyJoinMs)}`,
    `   of the others ${latency(r.ackLatencyAfterJoinMs)}`,
  );
  const p = r.proctors;
  lines.push(
    `  proctors      ${p.count} (${p.connectedAtEnd} connected at the end), ${p.streamsWatched} streams watched, ${p.subscriptions} subscriptions, ${p.reconnects} reconnects`,
    `  delivered     ${p.fragments} fragments (${p.liveFragments} live, ${p.fragments - p.liveFragments} replayed), ${p.initSegments} init segments, ${mb(p.bytes)}; ${r.rates.deliveredPerS.toFixed(1)} live fragments/s, ${r.rates.downloadMbitPerS.toFixed(1)} Mbit/s`,
    `  skipped       ${p.skippedSequences} sequence numbers, ${p.outOfOrder} out of order, ${p.tooSlow} too-slow`,
    `  relay latency ${latency(r.relayLatencyMs)}`,
    `   after warm-up ${latency(r.relayLatencySteadyMs)}`,
    `  errors        sentinels ${codes(s.errors)}; proctors ${codes(p.errors)}`,
  );
  if (r.server) {
    lines.push(`  server load   CPU ${pct(r.server.cpuPercent)} of one core on average (peak second ${pct(r.server.peakCpuPercent)}), peak RSS ${mb(r.server.peakRssBytes)}`);
  }
  const l = r.loadgen;
  lines.push(
    `  load gen      CPU ${l.cpuPercent.toFixed(0)}% of one core; event-loop delay p50/p99/max ${l.eventLoopDelayMs.p50.toFixed(1)}/${l.eventLoopDelayMs.p99.toFixed(1)}/${l.eventLoopDelayMs.max.toFixed(1)} ms`,
  );
  return lines.join('\n');
}

/** `count n: median (p50) …, p95 …, p99 …, max … ms (min …, mean …)`. */
export function latency(l: LatencySummary): string {
  if (l.count === 0) return 'no samples';
  return `n ${l.count}: median (p50) ${ms(l.p50)}, p95 ${ms(l.p95)}, p99 ${ms(l.p99)}, max ${ms(l.max)} ms (min ${ms(l.min)}, mean ${ms(l.mean)})`;
}

/** The server's own ack figures, or why there are none. */
function serverAcks(a: LoadgenSummary['serverAckSteadyMs'], server: LoadgenSummary['config']['server']): string {
  if (a === null) return server === 'bare' ? 'none (the bare peer has no /metrics)' : 'not readable (its /metrics is off)';
  if (a.count === 0) return 'no samples';
  const within = a.within50Ms === null ? '' : `; ${(a.within50Ms * 100).toFixed(2)} % within 50 ms`;
  return `n ${a.count}: median (p50) ${ms(a.p50)}, p99 ${ms(a.p99)} ms${within}`;
}

/** ms with one decimal below 10 ms, whole above; `-` for null. */
function ms(v: number | null): string {
  if (v === null) return '-';
  return v < 10 ? v.toFixed(1) : Math.round(v).toString();
}

function kb(bytes: number): string {
  return `${(bytes / 1000).toFixed(1)} kB`;
}

function mb(bytes: number | null): string {
  if (bytes === null) return '-';
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

function pct(v: number | null): string {
  return v === null ? '-' : `${v.toFixed(0)}%`;
}

function codes(c: CodeCounts): string {
  const entries = Object.entries(c).sort((a, b) => b[1] - a[1]);
  return entries.length === 0 ? 'none' : entries.map(([k, v]) => `${k} ${v}`).join(', ');
}
