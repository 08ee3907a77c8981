/**
 * Counters and latency histograms of a run (pure: Sentinels and proctors call these; the
 * runner reads them once a second). Latencies in ms, sizes in bytes.
 */
import { LatencyHistogram, WindowedHistogram } from './stats';

/** Counts per error code (or other short label). */
export type CodeCounts = Record<string, number>;

/** Everything the synthetic Sentinels count. */
export class SentinelCounters {
  /** Successful `welcome`s (first connections and reconnects). */
  welcomes = 0;
  /** Connections after the first of a Sentinel (resumes). */
  reconnects = 0;
  /** Fragments made from frames (one per frame). */
  framesProduced = 0;
  /** Frames the load generator dropped because it woke up late (it is overloaded). */
  framesMissed = 0;
  /** Init segments and fragments sent for the first time. */
  messagesSent = 0;
  /** Bytes of those, media headers included. */
  bytesSent = 0;
  /** Messages sent again after a reconnect. */
  resends = 0;
  /** Messages acknowledged (by `ack`, or by `welcome.lastAckedSequence` after a reconnect). */
  acked = 0;
  /** `keyframe` requests from the server. */
  keyframeRequests = 0;
  /** `set-fps` from the server. */
  setFps = 0;
  /** Unacknowledged messages given up: the server started a new stream instead of resuming. */
  droppedOnReset = 0;
  /** `error` messages and other faults, by code. */
  errors: CodeCounts = {};
}

/** Everything the synthetic proctors count. */
export class ProctorCounters {
  /** Open WebSockets that got their first `streams` list. */
  connects = 0;
  reconnects = 0;
  /** `subscribed` answers. */
  subscriptions = 0;
  /** Fragments received (live and replayed). */
  fragments = 0;
  /** Of those, live (no REPLAY flag): the ones whose latency is measured. */
  liveFragments = 0;
  /** Init segments received. */
  initSegments = 0;
  /** Media bytes received, headers included. */
  bytes = 0;
  /** Sequence numbers missing on a channel (the server skipped a slow viewer to the next join fragment). */
  skippedSequences = 0;
  /** Messages older than the previous one on their channel (should be 0). */
  outOfOrder = 0;
  /** `unsubscribed {reason: too-slow}`. */
  tooSlow = 0;
  /** `error` messages and other faults, by code. */
  errors: CodeCounts = {};
}

/** The counters and histograms of one run. */
export class RunMetrics {
  readonly sentinel = new SentinelCounters();
  readonly proctor = new ProctorCounters();
  /** Ack latency, send → ack, ms: whole run. */
  readonly ackTotal = new LatencyHistogram();
  /** Relay latency, capture (prft) → proctor receive, ms: whole run. */
  readonly relayTotal = new LatencyHistogram();
  /** The same after the warm-up (steady state). */
  readonly ackSteady = new LatencyHistogram();
  /**
   * Ack latency of the messages that open a stream (its init segment and first fragment,
   * sequences 1 and 2: what waits for the new recording's files and folder entries), ms:
   * whole run. They are in {@link ackTotal} too.
   */
  readonly ackJoin = new LatencyHistogram();
  /** Ack latency of every other message (the stream's steady uploads), ms: whole run. */
  readonly ackAfterJoin = new LatencyHistogram();
  /**
   * Steady-state ack latency of the fragments that carry an IDR (each starts a new segment
   * file on the server: create, index line, folder sync), ms. They are in {@link ackSteady} too.
   */
  readonly ackSteadyKeyframe = new LatencyHistogram();
  /** Steady-state ack latency of every other message (appends to the open segment), ms. */
  readonly ackSteadyOther = new LatencyHistogram();
  readonly relaySteady = new LatencyHistogram();
  /** Set once the warm-up is over: samples from then on also go into the steady histograms. */
  steady = false;
  /** The same over the last seconds (progress line and stop conditions). */
  readonly ackWindow: WindowedHistogram;
  readonly relayWindow: WindowedHistogram;

  /** @param windowS seconds the sliding windows keep */
  constructor(windowS: number) {
    this.ackWindow = new WindowedHistogram(windowS);
    this.relayWindow = new WindowedHistogram(windowS);
  }

  /**
   * One message acknowledged `ms` after it was (last) sent.
   * @param join it opened its stream (sequence 1 or 2), see {@link ackJoin}
   * @param keyframe it carried an IDR, see {@link ackSteadyKeyframe}
   */
  ackLatency(ms: number, join = false, keyframe = false): void {
    this.ackTotal.record(ms);
    (join ? this.ackJoin : this.ackAfterJoin).record(ms);
    this.ackWindow.record(ms);
    if (this.steady) {
      this.ackSteady.record(ms);
      (keyframe ? this.ackSteadyKeyframe : this.ackSteadyOther).record(ms);
    }
  }

  /** One live fragment received `ms` after its capture time. */
  relayLatency(ms: number): void {
    this.relayTotal.record(ms);
    this.relayWindow.record(ms);
    if (this.steady) this.relaySteady.record(ms);
  }

  /** Counts one error of a Sentinel or proctor by code. */
  error(side: 'sentinel' | 'proctor', code: string): void {
    const counts = side === 'sentinel' ? this.sentinel.errors : this.proctor.errors;
    counts[code] = (counts[code] ?? 0) + 1;
  }

  /** Total errors counted on both sides. */
  get errorCount(): number {
    return sum(this.sentinel.errors) + sum(this.proctor.errors);
  }
}

/** Sum of the counts. */
export function sum(counts: CodeCounts): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}
