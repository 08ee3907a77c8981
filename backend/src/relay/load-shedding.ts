/**
 * Load shedding (pure; issue 11 part 2): when the server is overloaded it lowers the frame
 * rate of the streams that matter least first, and restores it once the load has stayed low.
 *
 * Signals, read once a second ({@link LoadSignals}): event-loop delay (everything is late:
 * acks, relay, HTTP), bytes queued to viewers (egress cannot keep up) and the slowest ack
 * (receive → written and fdatasync'ed: the disk cannot keep up). A signal over its threshold
 * is "overloaded" for that second.
 *
 * Levels:
 * - 0: normal.
 * - 1: streams nobody watches capture at {@link LoadShedderOptions.shedFps} (the recording
 *   stays whole, only sparser; nobody is looking at them now).
 * - 2: also streams watched only as wall tiles.
 * - 3: also focused streams, down to their base rate (a focused view no longer raises them).
 *
 * The level rises by one after `raiseAfterTicks` overloaded seconds in a row (and again after
 * as many more), and falls by one after `lowerAfterTicks` seconds in a row without overload:
 * quick to shed, slow to restore, so the rate does not flap. An admin's rate always wins
 * (applied in `demandedRate`, fps-demand.ts).
 */
export interface LoadSignals {
  /** Event-loop delay over the last second, ms (p99 of `perf_hooks.monitorEventLoopDelay`). */
  eventLoopDelayMs: number;
  /** Bytes queued in viewers' sockets, summed over viewers (an upper bound: viewers on one socket count it each), bytes. */
  egressQueuedBytes: number;
  /** Slowest receive → ack over the last second (write + fdatasync), ms; 0 without acks. */
  slowestAckMs: number;
}

/** Thresholds and timing of {@link LoadShedder}. */
export interface LoadShedderOptions {
  /** Event-loop delay that counts as overload, ms. Default 200 (`VIGIL_SHED_LOOP_DELAY_MS`). */
  maxEventLoopDelayMs: number;
  /** Viewer socket queues that count as overload, bytes. Default 256 MiB (`VIGIL_SHED_EGRESS_BYTES`). */
  maxEgressQueuedBytes: number;
  /** Ack latency that counts as overload, ms. Default 2000 (`VIGIL_SHED_ACK_MS`). */
  maxAckMs: number;
  /** Overloaded seconds in a row before the level rises by one. Default 3. */
  raiseAfterTicks: number;
  /** Calm seconds in a row before the level falls by one. Default 30. */
  lowerAfterTicks: number;
  /** The rate shed streams capture at, fps. Default 0.2 (the protocol's minimum). */
  shedFps: number;
}

/** Defaults of {@link LoadShedderOptions}. */
export const DEFAULT_LOAD_SHEDDING: LoadShedderOptions = {
  maxEventLoopDelayMs: 200,
  maxEgressQueuedBytes: 256 * 2 ** 20,
  maxAckMs: 2000,
  raiseAfterTicks: 3,
  lowerAfterTicks: 30,
  shedFps: 0.2,
};

/** Highest shedding level. */
export const MAX_SHED_LEVEL = 3;

/** 0 normal … 3 every stream shed; see the module comment. */
export type ShedLevel = 0 | 1 | 2 | 3;

/** Which signals are over their thresholds. */
export type OverloadReason = 'event-loop' | 'egress' | 'disk';

/** How a stream is watched now, for {@link loadCapFps}. */
export type WatchedAs = 'unwatched' | 'tile' | 'focus';

/** The state after a tick (for statistics and logs). */
export interface ShedState {
  level: ShedLevel;
  /** Signals over their thresholds in the last tick. */
  reasons: OverloadReason[];
  /** When the level last changed, ms since the Unix epoch, or null if never. */
  changedAtMs: number | null;
}

/** Counts overloaded and calm seconds and moves the shedding level. */
export class LoadShedder {
  private levelValue: ShedLevel = 0;
  private hot = 0;
  private calm = 0;
  private reasonsValue: OverloadReason[] = [];
  private changedAt: number | null = null;

  /** @throws RangeError on a threshold or count that is not positive */
  constructor(readonly options: LoadShedderOptions = DEFAULT_LOAD_SHEDDING) {
    for (const [k, v] of Object.entries(options)) {
      if (!(typeof v === 'number' && v > 0)) throw new RangeError(`load shedding option ${k} must be a positive number, got ${String(v)}`);
    }
  }

  get level(): ShedLevel {
    return this.levelValue;
  }

  get state(): ShedState {
    return { level: this.levelValue, reasons: [...this.reasonsValue], changedAtMs: this.changedAt };
  }

  /**
   * One second's signals.
   * @returns whether the level changed
   */
  tick(signals: LoadSignals, nowMs: number): boolean {
    const o = this.options;
    const reasons: OverloadReason[] = [];
    if (signals.eventLoopDelayMs > o.maxEventLoopDelayMs) reasons.push('event-loop');
    if (signals.egressQueuedBytes > o.maxEgressQueuedBytes) reasons.push('egress');
    if (signals.slowestAckMs > o.maxAckMs) reasons.push('disk');
    this.reasonsValue = reasons;
    const before = this.levelValue;
    if (reasons.length > 0) {
      this.calm = 0;
      if (++this.hot >= o.raiseAfterTicks && this.levelValue < MAX_SHED_LEVEL) {
        this.levelValue = (this.levelValue + 1) as ShedLevel;
        this.hot = 0;
      }
    } else {
      this.hot = 0;
      if (++this.calm >= o.lowerAfterTicks && this.levelValue > 0) {
        this.levelValue = (this.levelValue - 1) as ShedLevel;
        this.calm = 0;
      }
    }
    if (this.levelValue === before) return false;
    this.changedAt = nowMs;
    return true;
  }
}

/** How a stream is watched, from its focused views and all its viewers. */
export function watchedAs(focusViewers: number, viewers: number): WatchedAs {
  return focusViewers > 0 ? 'focus' : viewers > 0 ? 'tile' : 'unwatched';
}

/**
 * The most a stream may capture at under shedding level `level`, fps, or null for no cap.
 * Focused streams at level 3 get `baseFps` (a focused view no longer raises them).
 */
export function loadCapFps(level: ShedLevel, watchedAs: WatchedAs, baseFps: number, shedFps: number): number | null {
  if (level === 0) return null;
  if (watchedAs === 'unwatched') return shedFps;
  if (watchedAs === 'tile') return level >= 2 ? shedFps : null;
  return level >= 3 ? baseFps : null;
}

/** Reconnect spread per stream the server holds, ms: about 50 hellos a second after an outage. */
export const RECONNECT_SPREAD_PER_STREAM_MS = 20;

/**
 * `welcome.reconnectSpreadMs` (pure): the window over which a Sentinel spreads its reconnect
 * attempts after losing the connection, from the number of streams the server holds (live and
 * waiting for their Sentinel: each is a client that will reconnect): 20 ms each, at least 1 s,
 * at most 60 s. 500 streams: 10 s, so an outage's reconnects arrive at about 50 a second.
 */
export function reconnectSpreadMs(streams: number): number {
  return Math.min(60_000, Math.max(1_000, Math.round(streams * RECONNECT_SPREAD_PER_STREAM_MS)));
}
