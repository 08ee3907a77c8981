/**
 * Live-edge policy: pure functions of the buffered ranges, the playback
 * position and the frame duration. No DOM; the player calls them on a timer
 * and on media events and carries out the decision.
 *
 * All times are media time in seconds (fragment `tfdt` / 90000).
 *
 * What "live edge" means here. Vigil sends one frame per fragment, at
 * 0.2–5 fps. The end of the buffered range is the *end* of the newest frame
 * (its decode time + its duration), so the newest frame is on screen while
 * the playback position is in `[bufferedEnd - frameDuration, bufferedEnd)`.
 * When the position reaches `bufferedEnd` the element waits (readyState
 * HAVE_CURRENT_DATA, WHATWG HTML "ready states") still showing the newest frame, and the
 * next append lets it continue at once with the next frame. So:
 *
 * - at high frame rates (frame duration < targetLatency), hold the position
 *   one frame plus a cushion behind `bufferedEnd`: the cushion is sized from
 *   the measured arrival jitter of the fragments (`ArrivalJitter`, at least
 *   `minCushion`), so the next frame arrives before the position runs out of
 *   buffer, and no more latency is added than the network needs (a constant
 *   0.5 s made 5 fps four times slower than 1 fps); until the jitter is
 *   measured, `targetLatency`;
 * - at low frame rates (0.2 fps: 5 s per frame), any position inside the
 *   newest frame shows the newest frame; waiting at the end costs nothing.
 *
 * Both cases are covered by measuring the lag `bufferedEnd - currentTime`
 * against `allowedLag = max(targetLatency, frameDuration)`: the excess is
 * the drift. Small drift is corrected with a playbackRate nudge (as hls.js
 * `latency-controller.ts`), drift over `maxDrift` with a seek to
 * `bufferedEnd - targetLatency`, clamped into the newest buffered range.
 *
 * Measured in Chromium 156 (e2e/player): with frames longer than about a
 * second, the playback clock does not stop at the end of the buffer. It
 * stalls somewhere inside the last frame (0.1–2.5 s into a 5 s frame) or runs
 * past the buffer end, and when the next frame is appended it resumes from
 * there, showing the old frame for the rest of its duration: up to one frame
 * period (5 s at 0.2 fps) of extra latency. So at low frame rates
 * (frameDuration > targetLatency) the policy also *steps*: when the newest
 * frame is appended and the position is more than `frameStepTolerance`
 * before its start (or before it at all while the element is stalled: after
 * a stall Chromium waits for more than one frame of data before it plays
 * again), seek to its start. A seek decodes from the preceding IDR
 * (≤ 25 s of frames at ≤ 1 fps), cheaper than a stale picture. A position
 * past the buffer end is normal there (waiting for the next frame), not a gap.
 */

/** A buffered range, seconds. */
export interface BufferedRange {
  readonly start: number;
  readonly end: number;
}

/** Tuning of the live-edge policy. */
export interface LiveEdgeConfig {
  /**
   * Most lag behind the end of the buffer held at high frame rates, seconds, and the lag
   * used until the arrival jitter is measured. Frame rates whose frame is longer than this
   * are "low" (the newest frame is stepped to). Default 0.5.
   */
  readonly targetLatency: number;
  /** Least cushion beyond one frame at high frame rates, seconds. Default 0.05. */
  readonly minCushion: number;
  /** Cushion per second of measured arrival jitter. Default 1.5. */
  readonly jitterFactor: number;
  /** Drift (lag beyond the allowed lag) that triggers a seek to the live edge, seconds. Default 3. */
  readonly maxDrift: number;
  /** Drift above which playback is sped up, seconds (at low frame rates at least `frameStepTolerance`). Default 0.1. */
  readonly rateTolerance: number;
  /** Extra playbackRate per second of drift. Default 0.5 (1 s of drift -> rate 1.5, clamped). */
  readonly rateGain: number;
  /** Highest playbackRate used to catch up. Default 1.25. */
  readonly maxRate: number;
  /** Slack when deciding whether a position lies inside a range (frame-time rounding), seconds. Default 0.1. */
  readonly rangeSlack: number;
  /** Low frame rates: step to the newest frame when the position is this far before its start, seconds. Default 0.25. */
  readonly frameStepTolerance: number;
}

/** Defaults of {@link LiveEdgeConfig}. */
export const DEFAULT_LIVE_EDGE_CONFIG: LiveEdgeConfig = {
  targetLatency: 0.5,
  minCushion: 0.05,
  jitterFactor: 1.5,
  maxDrift: 3,
  rateTolerance: 0.1,
  rateGain: 0.5,
  maxRate: 1.25,
  rangeSlack: 0.1,
  frameStepTolerance: 0.25,
};

/** Step seeks land this far into the frame (seconds), so rounding of 90 kHz times to the UA's clock cannot land in the previous frame. */
const FRAME_STEP_EPSILON = 0.001;

/**
 * Where playback stands.
 * - `start`: nothing played yet; after the first append seek to `buffered.start(0)`
 *   (MEASURED.md: without it, a stream starting at a join fragment may stall in Chromium).
 * - `joined`: that seek is done; next, jump to the live edge.
 * - `live`: following the live edge.
 */
export type LivePhase = 'start' | 'joined' | 'live';

/** Input of {@link decideLiveEdge}. */
export interface LiveEdgeInput {
  readonly phase: LivePhase;
  /** `video.buffered` as ranges, ascending, seconds. */
  readonly ranges: readonly BufferedRange[];
  /** `video.currentTime`, seconds. */
  readonly currentTime: number;
  /** `video.playbackRate`. */
  readonly playbackRate: number;
  /** The user paused the view: hold still, change nothing. */
  readonly userPaused: boolean;
  /** A seek is still running (`video.seeking`): wait for it. */
  readonly seeking: boolean;
  /** The element is stalled: `readyState` <= HAVE_CURRENT_DATA while not paused (it will not play into new data by itself). */
  readonly stalled: boolean;
  /** Duration of the newest fragment, seconds (1 / fps), or null before the first fragment. */
  readonly frameDuration: number | null;
  /** Decode time of the newest appended fragment, seconds (tfdt / 90000), or null. */
  readonly newestFrameStart: number | null;
  /** Segments are still waiting to be appended (the join burst): hold the jump to the live edge. */
  readonly appendPending: boolean;
  /** Jump to the live edge now (tab came back from the background, "Go live" button). */
  readonly forceLive: boolean;
  /** Measured arrival jitter of live fragments, seconds ({@link ArrivalJitter}), or null/absent before it is known. */
  readonly jitter?: number | null;
}

/** What the player should do. */
export type LiveEdgeAction =
  | { readonly type: 'none' }
  | { readonly type: 'seek'; readonly to: number; readonly reason: 'start' | 'live' | 'frame' | 'drift' | 'gap' | 'resume' }
  | { readonly type: 'rate'; readonly rate: number };

/** Decision of {@link decideLiveEdge}: the action and the phase once it has been carried out. */
export interface LiveEdgeDecision {
  readonly action: LiveEdgeAction;
  readonly phase: LivePhase;
}

/**
 * The lag behind the end of the buffer the policy holds, seconds: at a low frame rate
 * (frame longer than `targetLatency`) one frame, so the newest frame is on screen; at a high
 * frame rate one frame plus a cushion of `jitterFactor` × the measured arrival jitter (at
 * least `minCushion`, at most `targetLatency` in all); `targetLatency` until the jitter and
 * the frame rate are known.
 * @param frameDuration seconds per frame (1 / fps), or null
 * @param jitter measured arrival jitter, seconds, or null
 */
export function targetLag(frameDuration: number | null, jitter: number | null | undefined, config: LiveEdgeConfig = DEFAULT_LIVE_EDGE_CONFIG): number {
  if (frameDuration !== null && frameDuration > config.targetLatency) return frameDuration;
  if (frameDuration === null || jitter === null || jitter === undefined) return config.targetLatency;
  return Math.min(config.targetLatency, frameDuration + Math.max(config.minCushion, config.jitterFactor * jitter));
}

/**
 * The position {@link decideLiveEdge} seeks to: `lag` before the buffer end (default
 * `targetLatency`), inside the newest range.
 */
export function liveEdgeTarget(ranges: readonly BufferedRange[], config: LiveEdgeConfig = DEFAULT_LIVE_EDGE_CONFIG, lag = config.targetLatency): number | null {
  const last = ranges[ranges.length - 1];
  if (!last) return null;
  return Math.max(last.start, last.end - lag);
}

/**
 * Lag of the playback position behind the live edge beyond {@link targetLag}, seconds
 * (> 0 means behind; see the file comment).
 */
export function liveDrift(
  bufferedEnd: number,
  currentTime: number,
  frameDuration: number | null,
  config: LiveEdgeConfig = DEFAULT_LIVE_EDGE_CONFIG,
  jitter: number | null = null,
): number {
  return bufferedEnd - currentTime - targetLag(frameDuration, jitter, config);
}

/** The live-edge decision; see the file comment. Pure. */
export function decideLiveEdge(input: LiveEdgeInput, config: LiveEdgeConfig = DEFAULT_LIVE_EDGE_CONFIG): LiveEdgeDecision {
  const none = (phase: LivePhase): LiveEdgeDecision => ({ action: { type: 'none' }, phase });
  const { ranges, currentTime, phase } = input;
  const last = ranges[ranges.length - 1];
  if (!last || input.seeking) return none(phase);
  const target = liveEdgeTarget(ranges, config, targetLag(input.frameDuration, input.jitter, config))!;

  if (phase === 'start') {
    return { action: { type: 'seek', to: ranges[0]!.start, reason: 'start' }, phase: 'joined' };
  }
  if (phase === 'joined') {
    // Wait until the join burst (init + buffered GOP) is appended, so one jump reaches the edge.
    if (input.appendPending) return none(phase);
    return { action: { type: 'seek', to: target, reason: 'live' }, phase: 'live' };
  }
  if (input.forceLive) {
    return { action: { type: 'seek', to: target, reason: 'resume' }, phase };
  }
  if (input.userPaused) return none(phase);

  // Before the newest range: in front of a gap (Sentinel reconnect, skipped GOP) or evicted.
  // Playback would stall at the end of its range forever. (Past the end is fine: waiting.)
  if (currentTime < last.start - config.rangeSlack) return { action: { type: 'seek', to: target, reason: 'gap' }, phase };

  // Low frame rate: show the newest frame as soon as it is there.
  const d = input.frameDuration;
  const newest = input.newestFrameStart;
  if (d !== null && d > config.targetLatency && newest !== null && newest >= last.start && newest < last.end) {
    // A stalled element does not resume into the new frame (measured), so step even within the tolerance.
    if (currentTime < newest - (input.stalled ? FRAME_STEP_EPSILON : config.frameStepTolerance)) {
      return { action: { type: 'seek', to: Math.min(newest + FRAME_STEP_EPSILON, last.end), reason: 'frame' }, phase };
    }
  }

  const drift = liveDrift(last.end, currentTime, input.frameDuration, config, input.jitter ?? null);
  if (drift > config.maxDrift) return { action: { type: 'seek', to: target, reason: 'drift' }, phase };

  // playbackRate nudge with hysteresis: speed up above the tolerance, back to 1 once within half of it.
  // At low frame rates the frame step above keeps the newest frame on screen; nudge only beyond its tolerance.
  const tolerance = d !== null && d > config.targetLatency ? Math.max(config.rateTolerance, config.frameStepTolerance) : config.rateTolerance;
  let rate = input.playbackRate;
  if (drift > tolerance) {
    rate = Math.min(config.maxRate, 1 + config.rateGain * drift);
  } else if (drift < tolerance / 2) {
    rate = 1;
  }
  rate = Math.round(rate * 100) / 100;
  if (Math.abs(rate - input.playbackRate) >= 0.01) return { action: { type: 'rate', rate }, phase };
  return none(phase);
}

/** Input of {@link planTrim}. */
export interface TrimInput {
  readonly ranges: readonly BufferedRange[];
  /** Playback position, seconds. */
  readonly currentTime: number;
  /** Start times of the appended join fragments (IDR), ascending, seconds. */
  readonly joinTimes: readonly number[];
  /** Media to keep behind the playback position, seconds (e.g. 30; 0 when evicting on QuotaExceededError). */
  readonly keepBehind: number;
  /** Do not bother with removals shorter than this, seconds. Default 1. */
  readonly minRemove?: number;
}

/**
 * The range to remove behind the playback position so memory stays bounded,
 * or null. The removal ends at a join fragment: MSE removes, with each
 * removed frame, every frame up to the next random access point that depends
 * on it (W3C MSE "coded frame removal" algorithm), so ending at a join
 * fragment removes exactly whole GOPs and never frames still needed to
 * decode the current one. Whole ranges that end before the cut-off (before a
 * gap) go too.
 */
export function planTrim(input: TrimInput): BufferedRange | null {
  const first = input.ranges[0];
  if (!first) return null;
  const cutoff = input.currentTime - input.keepBehind;
  let end = -Infinity;
  for (const t of input.joinTimes) {
    if (t <= cutoff) end = t;
    else break;
  }
  for (const r of input.ranges) {
    if (r.end <= cutoff && r.end > end) end = r.end;
  }
  const minRemove = input.minRemove ?? 1;
  if (!(end - first.start >= minRemove)) return null;
  return { start: first.start, end };
}

/** `TimeRanges` -> plain ranges. */
export function toRanges(tr: { readonly length: number; start(i: number): number; end(i: number): number }): BufferedRange[] {
  const out: BufferedRange[] = [];
  for (let i = 0; i < tr.length; i++) out.push({ start: tr.start(i), end: tr.end(i) });
  return out;
}
